"""Employers' networks: the public network page, applying for membership, the network admin's
plans, applications, members and invoices, and the member's own membership page."""
