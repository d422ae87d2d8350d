"""Periodic jobs and when they run (cron strings in Europe/Amsterdam local time)."""

from __future__ import annotations

PERIODIC: list[tuple[str, str]] = [
    ("relay_outbox", "* * * * *"),
    ("nightly_recompute", "30 2 * * *"),
    ("membership_renewals", "30 5 * * *"),
    ("membership_dunning", "45 5 * * *"),
    ("pso_expiry_sweep", "0 6 * * *"),
    ("realisation_reminders", "15 6 * * *"),
    ("listing_expiry_sweep", "30 6 * * *"),
    ("nightly_reindex_search", "0 3 * * *"),
    ("saved_search_digest", "0 7 * * *"),
    ("realisation_digest", "5 7 * * *"),
    ("cleanup_report_files", "45 * * * *"),
    ("cleanup_pending_uploads", "50 * * * *"),
    ("stripe_reconcile", "15 4 * * *"),
    ("retention_sweep", "30 4 * * *"),
    ("purge_job_records", "45 4 * * *"),
]
