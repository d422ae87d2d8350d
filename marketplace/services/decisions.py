"""A verifier's decision on something an organisation recorded about itself (a PSO certificate,
a certification): verified or rejected with a reason, decided once.

Two verifiers may open the same pending item at once; the decision is one conditional update,
so only the first counts and the other is told what was decided (409) instead of overwriting it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from marketplace.extensions import db
from marketplace.services.errors import Conflict, ServiceError


def decide_once(item: Any, *, already_verified: str, already_rejected: str, **values) -> None:
    """Set `values` on `item` (a model with verified_at, rejected_at and `verification`) only
    while it is still pending; otherwise roll back and raise a Conflict naming the decision."""
    model = type(item)
    done = db.session.execute(
        update(model)
        .where(model.id == item.id, model.verified_at.is_(None), model.rejected_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(item)
    if not done:
        db.session.rollback()
        decided = already_verified if item.verification == "verified" else already_rejected
        raise Conflict(decided, code="decided")


def rejection_reason(reason: str, missing: str) -> str:
    """The reason the organisation is told, trimmed to what is stored; `missing` is the field
    message when none was given."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(missing, {"reason": missing})
    return reason[:500]
