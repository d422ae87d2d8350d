"""The procurement officer's pages: dashboard, SROI policy versions, contracts, approvals."""
