"""Periodic jobs and when they run (cron strings in Europe/Amsterdam local time)."""

from __future__ import annotations

PERIODIC: list[tuple[str, str]] = [
    ("relay_outbox", "* * * * *"),
]
