"""Recomputing fulfilment: one contract after each change, all contracts nightly (set-based).

Only approved value counts; submitted value is pending (docs/domain.md "Fulfilment status").
A status change is notified to contractor and authority once: `notified_status` remembers what
was sent."""

from __future__ import annotations

from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, case, cast, delete, func, insert, select, update

from marketplace.domain.fulfilment import (
    Fulfilment,
    fulfilment_status,
    percent_realised,
    status_of,
)
from marketplace.extensions import db
from marketplace.labels import status_label
from marketplace.models import Contract, FulfilmentSnapshot, Realisation
from marketplace.services import notify

NOTIFY_ON = ("at_risk", "overdue", "fulfilled")


def fulfilment_of(contract: Contract, today: date) -> Fulfilment:
    """The contract's fulfilment today from its cached sums (expected and forecast move daily)."""
    return fulfilment_from(
        contract.obligation_cents,
        contract.obligation_status,
        contract.approved_cents,
        contract.pending_cents,
        contract.start_date,
        contract.end_date,
        today,
    )


def fulfilment_from(
    obligation: int,
    obligation_status: str,
    approved: int,
    pending: int,
    start: date,
    end: date,
    today: date,
) -> Fulfilment:
    """`fulfilment_of` from a contract's columns read without the ORM (the report rows)."""
    return fulfilment_status(
        obligation, approved, pending, start, end, today, obligation_status=obligation_status
    )


def _sums_query():
    # SUM of a BIGINT is NUMERIC in PostgreSQL: cast back, so the sums arrive as Python ints.
    approved = cast(
        func.sum(case((Realisation.state == "approved", Realisation.value_cents), else_=0)),
        BigInteger,
    )
    pending = cast(
        func.sum(case((Realisation.state == "submitted", Realisation.value_cents), else_=0)),
        BigInteger,
    )
    return select(Realisation.contract_id, approved.label("approved"), pending.label("pending"))


def recompute_contract(contract_id: int, today: date) -> str | None:
    """Refresh one contract's sums and status; returns the status (None if it does not exist).

    The contract's row is locked first, so two workers recomputing it at once take turns: the
    second reads the sums and `notified_status` the first committed (no lost update, one mail
    per status change; tests/faults/test_two_workers.py)."""
    contract = db.session.get(Contract, contract_id, with_for_update=True, populate_existing=True)
    if contract is None:
        return None
    row = db.session.execute(
        _sums_query()
        .where(Realisation.contract_id == contract_id)
        .group_by(Realisation.contract_id)
    ).first()
    approved, pending = (int(row.approved), int(row.pending)) if row else (0, 0)
    result = fulfilment_from(
        contract.obligation_cents,
        contract.obligation_status,
        approved,
        pending,
        contract.start_date,
        contract.end_date,
        today,
    )
    # A contract's first recompute on a day records that day (replayed history, e.g. the demo,
    # recomputes as of past days); otherwise only a change is worth a snapshot.
    new_day = contract.computed_on != today
    changed = (contract.approved_cents, contract.pending_cents, contract.status) != (
        approved,
        pending,
        result.status,
    )
    contract.approved_cents, contract.pending_cents = approved, pending
    contract.status, contract.percent = result.status, result.percent
    contract.computed_on = today
    if changed or new_day:
        _write_snapshots([(contract.id, approved, pending, result.status)], today)
    _notify_changes([(contract, result.status)])
    db.session.commit()
    return result.status


def recompute_all(today: date) -> dict[str, int]:
    """Nightly sweep: one query reads every contract with its sums; only rows whose figures
    changed (or that were never computed) are written back, in bulk, with today's snapshot.

    The status is the domain's `status_of`, the whole-number core of `fulfilment_status`. An
    unchanged row keeps its `computed_on` (the day its cached figures were last written):
    stamping every row each night rewrites the whole table in PostgreSQL, which on 10,000
    contracts costs as much as the rest of the sweep (bench/README.md)."""
    sums = _sums_query().group_by(Realisation.contract_id).subquery()
    query = select(
        Contract.id,
        Contract.obligation_cents,
        Contract.obligation_status,
        Contract.start_date,
        Contract.end_date,
        Contract.approved_cents,
        Contract.pending_cents,
        Contract.status,
        Contract.notified_status,
        Contract.computed_on,
        func.coalesce(sums.c.approved, 0),
        func.coalesce(sums.c.pending, 0),
    ).outerjoin(sums, sums.c.contract_id == Contract.id)
    # Through the connection: plain Core rows, a third cheaper than ORM rows for 10,000 contracts.
    rows = db.session.connection().execute(query).all()
    changes, to_notify = [], []
    for cid, obligation, ob_status, start, end, old_a, old_p, old, notified, on, a, p in rows:
        status = status_of(obligation, a, start, end, today, obligation_status=ob_status)
        if status != old or a != old_a or p != old_p or on is None:
            changes.append((cid, obligation, a, p, status))
        if status != notified and status in NOTIFY_ON:
            to_notify.append(cid)
    if changes:
        db.session.execute(
            update(Contract),
            [
                {
                    "id": cid,
                    "approved_cents": a,
                    "pending_cents": p,
                    "status": status,
                    "percent": percent_realised(a, obligation),
                    "computed_on": today,
                }
                for cid, obligation, a, p, status in changes
            ],
        )
    _write_snapshots([(cid, a, p, status) for cid, _o, a, p, status in changes], today)
    if to_notify:
        contracts = db.session.scalars(select(Contract).where(Contract.id.in_(to_notify))).all()
        _notify_changes([(c, c.status) for c in contracts])
    db.session.commit()
    return {"contracts": len(rows), "changed": len(changes), "notified": len(to_notify)}


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
    """Mail contractor and authority once per status change into at_risk/overdue/fulfilled.

    Every `notified_status` is set before the first mail, so the session writes them in one
    batch instead of one UPDATE per mail (the sweep can notify hundreds of contracts)."""
    to_mail = []
    for contract, status in changes:
        if status != contract.notified_status:
            contract.notified_status = status
            if status in NOTIFY_ON:
                to_mail.append(contract)
    db.session.flush()
    messages = []
    for contract in to_mail:  # worded in each member's language (lazily, notify.organisations)
        label = LazyString(status_label, contract.notified_status)
        subject = _l("SROI status of %(ref)s: %(status)s", ref=contract.reference, status=label)
        body = _l(
            "The social-return status of contract %(title)s (%(ref)s) changed to: %(status)s.",
            title=contract.title,
            ref=contract.reference,
            status=label,
        )
        for org_id in (contract.contractor_id, contract.authority_id):
            if org_id is not None:  # None: waiting for its invited contractor
                messages.append((org_id, subject, body))
    if messages:
        notify.organisations(messages)


def snapshots_of(contract_id: int) -> list[FulfilmentSnapshot]:
    return list(
        db.session.scalars(
            select(FulfilmentSnapshot)
            .where(FulfilmentSnapshot.contract_id == contract_id)
            .order_by(FulfilmentSnapshot.on_date)
        )
    )
