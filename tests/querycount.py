"""Count the SQL statements a block of code sends: every marketplace page stays at or under a
fixed number, however many rows there are (docs/architecture.md "Search")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Statements:
    """The statements sent while counting, in order (their SQL text, for a failure message)."""

    sql: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sql)

    def __str__(self) -> str:
        return f"{self.count} statements:\n" + "\n---\n".join(self.sql)


@contextmanager
def counting_statements(engine: Engine) -> Iterator[Statements]:
    """Record every statement `engine` executes inside the block (the session's own included)."""
    found = Statements()

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        found.sql.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)
