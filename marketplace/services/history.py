"""A contract's history in words: its audit trail with its realisations' rows, a page at a time
(a contract can have a thousand realisations and three rows for each), at a fixed number of
queries whatever the page holds. Read-only: nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select

from marketplace.domain.money import format_eur, percent_from_bp
from marketplace.extensions import db
from marketplace.labels import state_label
from marketplace.models import AuditLog, BuildingBlock, Contract, Realisation, User
from marketplace.services import pages, realisations
from marketplace.services.pages import CountedPagination


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    details: list[str]


def of_contract(contract: Contract, side: str, number: int, per_page: int) -> CountedPagination:
    """Page `number` of the contract's history, newest first, its items `HistoryEntry`s; the
    officer's without the rows of the contractor's drafts, as the realisations they see
    (`realisations.visible_to`). NotFound for a page past the last one."""
    page = pages.existing_page(_trail(contract, side), number, per_page)
    page.items = _entries(page.items)
    return page


def of_realisation(realisation: Realisation) -> list[HistoryEntry]:
    """The realisation's own history, newest first: each step with its reason, question or
    answer, so an earlier decision stays visible after the realisation is sent again (issue 15).
    Shown to its contractor, who sees every row of it."""
    rows = list(
        db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == "Realisation", AuditLog.object_id == realisation.id)
            .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        )
    )
    return _entries(rows)


def _trail(contract: Contract, side: str) -> Select:
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


def _entries(rows: list[AuditLog]) -> list[HistoryEntry]:
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
    named = after or row.before or {}  # a deleted draft's row has only its before
    name = _(
        "Realisation %(id)d (%(block)s, %(value)s)",
        id=row.object_id,
        block=named.get("block") or blocks.get(row.object_id, "?"),
        value=format_eur(int(named.get("value_cents") or 0)),
    )
    step = row.action.removeprefix("realisation.")
    before = row.before or {}
    details = []
    if step == "rejected" and after.get("rejection_reason"):
        details.append(_("Reason: %(reason)s", reason=after["rejection_reason"]))
    if step == "questioned" and after.get("question"):
        details.append(_("Question: %(question)s", question=after["question"]))
    if step == "submitted" and before.get("state") == "questioned" and after.get("answer"):
        details.append(_("Answer: %(answer)s", answer=after["answer"]))
    if step == "submitted" and before.get("state") in ("rejected", "questioned"):
        return _("%(name)s: sent again", name=name), details
    if step == "updated":
        return _("%(name)s: changed", name=name), details
    if step == "deleted":
        return _("%(name)s: draft deleted", name=name), details
    return f"{name}: {state_label(step)}", details
