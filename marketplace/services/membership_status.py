"""The one way a membership changes state (domain/membership.py ACTIONS): the admin recording a
payment, the Stripe webhook, the dunning sweep and the network dashboard all call `apply`.

Why one function: the same move can come from several sides at the same moment (a webhook says
"paid" while the sweep suspends, an admin clicks twice), and each move must happen once, be
audited once and be told to the member once. So the state is changed with one conditional
UPDATE (`WHERE id = ? AND status = <before>`): of two callers only one changes the row, the
other sees it changed and starts again from what it finds, which usually means there is nothing
left to do. The caller commits, so the audit row and the mails in the outbox are written in the
same transaction as the move, or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from marketplace import labels
from marketplace.domain import membership as rules
from marketplace.extensions import db
from marketplace.models import Membership, User
from marketplace.models._types import utcnow
from marketplace.services import audit, notify

# A lost race re-reads the row and tries again from its new state; two rounds are enough for
# any real interleaving (each lost round means another caller moved it), this bounds the loop.
_ROUNDS = 4


def apply(
    membership: Membership,
    action: str,
    *,
    by: User | None,
    source: str,
    reason: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Move `membership` by `action` in the caller's transaction: the state change (with
    `values`, extra columns set in the same UPDATE, e.g. `comped_until`), the audit row
    ("membership.<action>", by `by` or, when None, the `source` that decided it: "stripe",
    "dunning", ...) and the member's mail through the outbox. A suspension that no person
    decided also tells the network's admins.

    Returns False, changing nothing, when the rules do not allow the move from the current
    state or the membership is already where the move leads (a second "pay"): callers may
    call it again without a second effect. The caller commits."""
    before = membership.status
    fresh = False  # whether `before` was read from the row in this transaction
    for _round in range(_ROUNDS):
        try:
            after, allowed = rules.transition(before, action), True
        except rules.TransitionRefused:
            after, allowed = before, False
        # An allowed move that keeps the state still counts when it changes `values` (comping
        # an active member until a new date); otherwise it is already done.
        if not allowed or (after == before and not _changes(membership, values)):
            if fresh:
                return False
        else:
            changes = {"status": after, **(values or {})}
            if action == "cancel":
                changes.setdefault("cancelled_at", utcnow())
            moved = db.session.execute(
                update(Membership)
                .where(Membership.id == membership.id, Membership.status == before)
                .values(**changes)
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved == 1:
                break
        # Our copy may be old, or someone else moved the row first: look again as it is now.
        db.session.refresh(membership, ["status"])
        before, fresh = membership.status, True
    else:
        return False
    for column, value in changes.items():
        set_committed_value(membership, column, value)
    audit.record(
        f"membership.{action}",
        membership,
        before={"status": before},
        after={
            "status": after,
            "source": source,
            **({"reason": reason} if reason else {}),
            **{k: v.isoformat() if isinstance(v, date) else v for k, v in (values or {}).items()},
        },
        actor=by,
    )
    network = membership.network
    notify.organisation(  # worded in each reader's language
        membership.organisation_id,
        *labels.lazily(
            labels.membership_notice,
            action,
            network.name,
            reason,
            until=(values or {}).get("comped_until"),
        ),
    )
    if action == "suspend" and by is None:
        notify.organisation(
            network.id,
            *labels.lazily(labels.membership_suspended_notice, membership.organisation.name),
        )
    return True


def _changes(membership: Membership, values: Mapping[str, Any] | None) -> bool:
    """Whether `values` differ from what the membership holds."""
    return any(getattr(membership, k) != v for k, v in (values or {}).items())
