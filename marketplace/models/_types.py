"""Column helpers shared by the model modules."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Timezone-aware now in UTC; stored naive-free so SQLite and PostgreSQL agree."""
    return datetime.now(UTC).replace(tzinfo=None)
