"""Audit log writer: services call record() inside their own transaction."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import String, cast, insert, or_, select

from marketplace.extensions import db
from marketplace.models import AuditLog


def _actor_id(actor: Any) -> int | None:
    if actor is not None:
        return actor.id
    try:
        return current_user.id if current_user and current_user.is_authenticated else None
    except (AttributeError, RuntimeError):  # outside a request (jobs, CLI)
        return None


def record(
    action: str,
    obj: Any,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
) -> AuditLog:
    """Add an audit row for `obj` to the current transaction; the caller commits."""
    entry = AuditLog(
        actor_id=_actor_id(actor),
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def record_many(
    action: str,
    object_type: str,
    rows: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]],
    *,
    actor: Any = None,
) -> None:
    """Add one audit row per (object id, before, after) with one INSERT: a sweep over
    thousands of objects audits each of them without a statement each. The caller commits."""
    if rows:
        actor_id = _actor_id(actor)
        db.session.execute(
            insert(AuditLog),
            [
                {
                    "actor_id": actor_id,
                    "action": action,
                    "object_type": object_type,
                    "object_id": object_id,
                    "before": before,
                    "after": after,
                }
                for object_id, before, after in rows
            ],
        )


def history(object_type: str, object_id: int) -> list[AuditLog]:
    """All audit rows of one object, newest first."""
    return list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == object_type, AuditLog.object_id == object_id)
            .order_by(AuditLog.id.desc())
        )
    )


def replace_text(old: str, new: str) -> None:
    """Replace `old` (an e-mail address of a deleted account) by `new` in the audit rows that
    recorded it (an account created, an invitation sent), keeping the rows themselves; in the
    caller's transaction."""
    pattern = f"%{old}%"
    rows = db.session.scalars(
        select(AuditLog).where(
            or_(
                cast(AuditLog.before, String).ilike(pattern),
                cast(AuditLog.after, String).ilike(pattern),
            )
        )
    )
    for row in rows:
        row.before = replaced(row.before, old, new)
        row.after = replaced(row.after, old, new)


def replaced(value: Any, old: str, new: str) -> Any:
    """`value` (JSON: text, lists, objects) with `old` replaced by `new` wherever it occurs."""
    if isinstance(value, str):
        return new if value.lower() == old.lower() else value.replace(old, new)
    if isinstance(value, dict):
        return {k: replaced(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [replaced(v, old, new) for v in value]
    return value
