"""What the contract pages show beyond the models: labels for units and audit actions,
and the few bulk reads that keep the contract page at a fixed number of queries.

The services return one object at a time (`audit.history` per object, `realisations.of_contract`
without its evidence); the page needs a contract's realisations with their evidence and the audit
trail of all of them, a page at a time (a contract can have a thousand realisations), so those
selects are built here. Read-only: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from marketplace.domain.money import format_eur, percent_from_bp
from marketplace.domain.obligation import pso_level_label
from marketplace.extensions import db
from marketplace.labels import state_label
from marketplace.models import AuditLog, BuildingBlock, Contract, Realisation, User
from marketplace.services import realisations
from marketplace.services.fulfilment import status_label


def unit_label(unit: str) -> str:
    return {
        "fte_year": _("per FTE-year"),
        "month": _("per month"),
        "hour": _("per hour"),
        "invoice": _("purchase (invoice)"),
        "fixed": _("fixed amount"),
        "cost": _("costs incurred"),
    }.get(unit, unit)


def percent_1(value: Decimal | None) -> str:
    """A percentage with one decimal the local way ("33,3%" in Dutch)."""
    return "—" if value is None else format_decimal(value, format="0.0") + "%"


def display_helpers() -> dict[str, Any]:
    """Template helpers for the SROI pages (registered per blueprint, not app-wide)."""
    return {
        "status_label": status_label,
        "state_label": state_label,
        "unit_label": unit_label,
        "percent_1": percent_1,
        "percent_bp": lambda bp: "—" if bp is None else percent_from_bp(bp),
        "pso_label": pso_level_label,
        "number": lambda value: "—" if value is None else format_decimal(value, format="#,##0.##"),
    }


def realisations_of(contract: Contract, side: str) -> Select:
    """The contract's realisations, newest first, with block and evidence loaded when a page of
    them is read. Officers do not see the contractor's drafts."""
    return realisations.visible_to(
        side,
        select(Realisation)
        .where(Realisation.contract_id == contract.id)
        .options(selectinload(Realisation.block), selectinload(Realisation.evidence))
        .order_by(Realisation.id.desc()),
    )


def drafts_of(contract: Contract) -> list[Realisation]:
    """The contractor's drafts on the contract, newest first: all of them, whatever page of the
    realisations is shown, since each waits to be submitted (a handful at a time)."""
    return list(
        db.session.scalars(
            select(Realisation)
            .where(Realisation.contract_id == contract.id, Realisation.state == "draft")
            .options(selectinload(Realisation.block))
            .order_by(Realisation.id.desc())
        )
    )


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    details: list[str]


# Contract fields an update can change, in the order a reader expects them.
def _field_labels() -> dict[str, str]:
    return {
        "title": _("Title"),
        "reference": _("Reference"),
        "contractor_id": _("Contractor"),
        "value_cents": _("Contract value"),
        "award_date": _("Award date"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "labour_share_bp": _("Labour share"),
        "obligation_cents": _("SROI obligation"),
        "obligation_status": _("Obligation status"),
        "policy_id": _("Policy version"),
    }


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name.endswith("_cents"):
        return format_eur(int(value))
    if name.endswith("_bp"):
        return percent_from_bp(int(value))
    return str(value)


def _changes(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    return [
        f"{label}: {_shown(name, before.get(name))} → {_shown(name, after.get(name))}"
        for name, label in _field_labels().items()
        if name in before and before.get(name) != after.get(name)
    ]


def _describe(row: AuditLog, blocks: dict[int, str]) -> tuple[str, list[str]]:
    after = row.after or {}
    if row.object_type == "Contract":
        what = {
            "contract.registered": _("Contract registered"),
            "contract.updated": _("Contract changed"),
        }.get(row.action, row.action)
        return what, _changes(row.before, row.after)
    name = _(
        "Realisation %(id)d (%(block)s, %(value)s)",
        id=row.object_id,
        block=after.get("block") or blocks.get(row.object_id, "?"),
        value=format_eur(int(after.get("value_cents") or 0)),
    )
    state = row.action.removeprefix("realisation.")
    details = (
        [_("Reason: %(reason)s", reason=after["rejection_reason"])]
        if after.get("rejection_reason") and state == "rejected"
        else []
    )
    return f"{name}: {state_label(state)}", details


def history_of(contract: Contract, side: str) -> Select:
    """The contract's audit trail with its realisations' rows, newest first; the officer's
    without the rows of the contractor's drafts, as the realisations they see."""
    shown = realisations.visible_to(
        side, select(Realisation.id).where(Realisation.contract_id == contract.id)
    )
    return (
        select(AuditLog)
        .where(
            or_(
                and_(AuditLog.object_type == "Contract", AuditLog.object_id == contract.id),
                and_(AuditLog.object_type == "Realisation", AuditLog.object_id.in_(shown)),
            )
        )
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    )


def history_entries(rows: list[AuditLog]) -> list[HistoryEntry]:
    """A page of history rows in words: one query for the people who acted, one for the
    building blocks of realisations whose audit row does not name it."""
    actor_ids = {e.actor_id for e in rows if e.actor_id}
    people = (
        {
            u.id: u.name or u.email
            for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))
        }
        if actor_ids
        else {}
    )
    unnamed = {
        e.object_id
        for e in rows
        if e.object_type == "Realisation" and not (e.after or {}).get("block")
    }
    blocks = (
        dict(
            db.session.execute(
                select(Realisation.id, BuildingBlock.code)
                .join(BuildingBlock, BuildingBlock.id == Realisation.block_id)
                .where(Realisation.id.in_(unnamed))
            ).all()
        )
        if unnamed
        else {}
    )
    result = []
    for e in rows:
        what, details = _describe(e, blocks)
        who = people.get(e.actor_id, _("system")) if e.actor_id else _("system")
        result.append(HistoryEntry(when=e.created_at, who=who, what=what, details=details))
    return result
