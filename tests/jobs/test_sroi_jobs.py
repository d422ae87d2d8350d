"""The compliance engine's jobs: recompute on real RQ, the PSO expiry sweep, the 90-day
reminder. Each runs twice where it matters, to show it is idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.models import Contract, OutboxJob, PsoCertificate
from marketplace.services import pso, realisations, reminders
from tests.factories import fte_realisation, make_contract
from tests.jobs.conftest import run_burst_worker
from tests.mailbox import outbox_messages


def test_approval_recomputes_the_contract_through_real_rq(
    rq_app, redis_conn, parties, authority, contractor
):
    officer, owner = parties.officer, parties.owner
    contract = make_contract(authority, contractor, officer)
    run_burst_worker(redis_conn)
    submitted = realisations.submit(contract, fte_realisation(), owner)
    run_burst_worker(redis_conn)
    realisations.approve([submitted.id], officer)
    assert (
        db.session.scalar(
            select(OutboxJob.status)
            .where(OutboxJob.job_name == "recompute_contract")
            .order_by(OutboxJob.id.desc())
            .limit(1)
        )
        == "relayed"
    )

    run_burst_worker(redis_conn)

    db.session.expire_all()
    contract = db.session.get(Contract, contract.id)
    assert contract.approved_cents == submitted.value_cents
    assert contract.pending_cents == 0
    assert set(db.session.scalars(select(OutboxJob.status))) == {"done"}


def certificate(org_id: int, valid_until: date) -> PsoCertificate:
    cert = PsoCertificate(
        organisation_id=org_id, level="trede_2", number="PSO-1", valid_until=valid_until
    )
    db.session.add(cert)
    db.session.commit()
    return cert


def test_pso_certificate_expiring_within_60_days_is_reminded_once(contractor):
    certificate(contractor.id, date(2027, 1, 30))
    owner = contractor.members[0].user.email

    assert pso.expiry_sweep(date(2026, 11, 30)) == {"reminded": 0, "expired": 0}
    assert pso.expiry_sweep(date(2026, 12, 1)) == {"reminded": 1, "expired": 0}
    assert pso.expiry_sweep(date(2026, 12, 2)) == {"reminded": 0, "expired": 0}
    subjects = [m["Subject"] for m in outbox_messages(owner)]
    assert subjects == ["Je PSO-certificaat verloopt binnenkort"]


def test_expired_pso_certificate_is_noticed_once_and_no_longer_counts(contractor):
    certificate(contractor.id, date(2026, 11, 30))
    assert pso.expiry_sweep(date(2026, 12, 1)) == {"reminded": 0, "expired": 1}
    assert pso.expiry_sweep(date(2026, 12, 2)) == {"reminded": 0, "expired": 0}
    assert pso.current(contractor, date(2026, 12, 1)) is None
    assert pso.current(contractor, date(2026, 11, 30)) is not None


def test_quiet_open_obligation_is_reminded_once_per_90_days(parties, authority, contractor):
    officer, owner = parties.officer, parties.owner
    contract = make_contract(authority, contractor, officer)
    db.session.execute(update(Contract).values(created_at=date(2026, 1, 1), status="at_risk"))
    db.session.commit()
    today = date(2026, 6, 1)

    assert reminders.send_reminders(today) == 1
    assert reminders.send_reminders(today + timedelta(days=1)) == 0
    assert any(contract.reference in m["Subject"] for m in outbox_messages(owner.email))


def test_recent_submission_means_no_reminder(parties, authority, contractor):
    officer = parties.officer
    make_contract(authority, contractor, officer)
    db.session.execute(update(Contract).values(created_at=date(2026, 1, 1)))
    db.session.commit()
    assert reminders.send_reminders(date(2026, 3, 1)) == 0


@pytest.mark.parametrize(
    ("valid_until", "outcome"),
    [
        (date(2026, 12, 1), {"reminded": 1, "expired": 0}),  # its last valid day: still counts
        (date(2027, 1, 30), {"reminded": 1, "expired": 0}),  # 60 days away: the first reminder
        (date(2027, 1, 31), {"reminded": 0, "expired": 0}),  # 61 days away: not yet
        (date(2026, 11, 30), {"reminded": 0, "expired": 1}),  # the day after: expired
    ],
)
def test_pso_sweep_boundaries_agree_with_the_certificate_counting_today(
    contractor, valid_until, outcome
):
    certificate(contractor.id, valid_until)
    today = date(2026, 12, 1)
    assert pso.expiry_sweep(today) == outcome
    assert (pso.current(contractor, today) is None) == bool(outcome["expired"])
