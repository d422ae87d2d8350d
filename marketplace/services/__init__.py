"""Use cases: the only layer that opens transactions, writes the audit log and enqueues jobs."""
