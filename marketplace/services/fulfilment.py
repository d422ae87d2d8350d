"""Recomputing fulfilment: one contract after each change, all contracts nightly (set-based).

Only approved value counts; submitted value is pending (DOMAIN.md "Fulfilment status"). A status
change is notified to contractor and authority once: `notified_status` remembers what was sent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, delete, func, insert, select, update

from marketplace.domain.fulfilment import Fulfilment, fulfilment_status
from marketplace.extensions import db
from marketplace.models import Contract, FulfilmentSnapshot, Realisation
from marketplace.services import notify

NOTIFY_ON = ("at_risk", "overdue", "fulfilled")


def fulfilment_of(contract: Contract, today: date) -> Fulfilment:
    """The contract's fulfilment today from its cached sums (expected and forecast move daily)."""
    return _compute(
        contract.obligation_cents,
        contract.obligation_status,
        contract.approved_cents,
        contract.pending_cents,
        contract.start_date,
        contract.end_date,
        today,
    )


def _compute(obligation, obligation_status, approved, pending, start, end, today) -> Fulfilment:
    return fulfilment_status(
        obligation, approved, pending, start, end, today, obligation_status=obligation_status
    )


def _sums_query():
    approved = func.coalesce(
        func.sum(case((Realisation.state == "approved", Realisation.value_cents), else_=0)), 0
    )
    pending = func.coalesce(
        func.sum(case((Realisation.state == "submitted", Realisation.value_cents), else_=0)), 0
    )
    return select(Realisation.contract_id, approved.label("approved"), pending.label("pending"))


def recompute_contract(contract_id: int, today: date) -> str | None:
    """Refresh one contract's sums and status; returns the status (None if it does not exist)."""
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        return None
    row = db.session.execute(
        _sums_query()
        .where(Realisation.contract_id == contract_id)
        .group_by(Realisation.contract_id)
    ).first()
    approved, pending = (int(row.approved), int(row.pending)) if row else (0, 0)
    result = _compute(
        contract.obligation_cents,
        contract.obligation_status,
        approved,
        pending,
        contract.start_date,
        contract.end_date,
        today,
    )
    first = contract.computed_on is None
    changed = (contract.approved_cents, contract.pending_cents, contract.status) != (
        approved,
        pending,
        result.status,
    )
    contract.approved_cents, contract.pending_cents = approved, pending
    contract.status, contract.percent = result.status, result.percent
    contract.computed_on = today
    if changed or first:
        _write_snapshots([(contract.id, approved, pending, result.status)], today)
    _notify_changes([(contract, result.status)])
    db.session.commit()
    return result.status


def recompute_all(today: date) -> dict[str, int]:
    """Nightly sweep: one query reads every contract with its sums; only rows whose figures
    changed are written back, in bulk."""
    sums = _sums_query().group_by(Realisation.contract_id).subquery()
    rows = db.session.execute(
        select(
            Contract.id,
            Contract.obligation_cents,
            Contract.obligation_status,
            Contract.start_date,
            Contract.end_date,
            Contract.approved_cents,
            Contract.pending_cents,
            Contract.status,
            Contract.notified_status,
            func.coalesce(sums.c.approved, 0),
            func.coalesce(sums.c.pending, 0),
        ).outerjoin(sums, sums.c.contract_id == Contract.id)
    ).all()
    updates, snapshots, to_notify = [], [], []
    for cid, obligation, ob_status, start, end, old_a, old_p, old_status, notified, a, p in rows:
        a, p = int(a), int(p)
        result = _compute(obligation, ob_status, a, p, start, end, today)
        if (a, p, result.status) != (old_a, old_p, old_status):
            updates.append(
                {
                    "id": cid,
                    "approved_cents": a,
                    "pending_cents": p,
                    "status": result.status,
                    "percent": result.percent,
                }
            )
            snapshots.append((cid, a, p, result.status))
        if result.status != notified and result.status in NOTIFY_ON:
            to_notify.append(cid)
    if updates:
        db.session.execute(update(Contract), updates)
    db.session.execute(update(Contract).values(computed_on=today))
    _write_snapshots(snapshots, today)
    if to_notify:
        contracts = db.session.scalars(select(Contract).where(Contract.id.in_(to_notify))).all()
        _notify_changes([(c, c.status) for c in contracts])
    db.session.commit()
    return {"contracts": len(rows), "changed": len(updates), "notified": len(to_notify)}


def _write_snapshots(rows: list[tuple[int, int, int, str]], today: date) -> None:
    """Replace today's snapshot of each changed contract (idempotent for reruns on a day)."""
    if not rows:
        return
    ids = [r[0] for r in rows]
    for chunk in range(0, len(ids), 5000):
        db.session.execute(
            delete(FulfilmentSnapshot).where(
                FulfilmentSnapshot.on_date == today,
                FulfilmentSnapshot.contract_id.in_(ids[chunk : chunk + 5000]),
            )
        )
    db.session.execute(
        insert(FulfilmentSnapshot),
        [
            {
                "contract_id": cid,
                "on_date": today,
                "approved_cents": a,
                "pending_cents": p,
                "status": status,
            }
            for cid, a, p, status in rows
        ],
    )


def _notify_changes(changes: list[tuple[Contract, str]]) -> None:
    """Mail contractor and authority once per status change into at_risk/overdue/fulfilled."""
    from flask_babel import gettext as _

    for contract, status in changes:
        if status == contract.notified_status:
            continue
        contract.notified_status = status
        if status not in NOTIFY_ON:
            continue
        subject = _(
            "SROI status of %(ref)s: %(status)s",
            ref=contract.reference,
            status=status_label(status),
        )
        body = _(
            "The social-return status of contract %(title)s (%(ref)s) changed to: %(status)s.",
            title=contract.title,
            ref=contract.reference,
            status=status_label(status),
        )
        notify.organisation(contract.contractor_id, subject, body)
        notify.organisation(contract.authority_id, subject, body)


def status_label(status: str) -> str:
    from flask_babel import gettext as _

    return {
        "fulfilled": _("fulfilled"),
        "overdue": _("overdue"),
        "on_track": _("on track"),
        "at_risk": _("at risk"),
        "not_applicable": _("not applicable"),
        "exempt": _("exempt (PSO)"),
    }.get(status, status)


def snapshots_of(contract_id: int) -> list[FulfilmentSnapshot]:
    return list(
        db.session.scalars(
            select(FulfilmentSnapshot)
            .where(FulfilmentSnapshot.contract_id == contract_id)
            .order_by(FulfilmentSnapshot.on_date)
        )
    )
