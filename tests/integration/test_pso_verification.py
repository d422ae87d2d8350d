"""A PSO certificate lowers an obligation only once verified, by an officer of an authority the
company works for or by the platform admin (issue 11: a self-declared "trede 3" made the next
obligation € 0)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, Contract, OutboxJob, PsoCertificate
from marketplace.services import pso
from marketplace.services.errors import Conflict, NotFound, ServiceError
from tests.factories import make_contract, make_org, make_policy, make_user
from tests.mailbox import outbox_messages

TODAY = date(2026, 1, 15)
FULL = 6000000  # 5% of the factory contract's € 1.200.000


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def officer(authority):
    make_policy(authority, pso_remaining_bp={"trede_1": 5000, "trede_2": 0, "trede_3": 0})
    return authority.members[0].user


@pytest.fixture
def owner(contractor):
    return contractor.members[0].user


def record(contractor, owner, level="trede_3", number="PSO-3") -> PsoCertificate:
    return pso.record_certificate(contractor, level, number, date(2027, 6, 30), owner, TODAY)


def audit_actions(object_type: str) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action).where(AuditLog.object_type == object_type).order_by(AuditLog.id)
        )
    )


def test_self_declared_trede_3_leaves_the_next_obligation_unchanged(
    authority, contractor, officer, owner
):
    record(contractor, owner)

    contract = make_contract(authority, contractor, officer)

    assert contract.obligation_cents == FULL
    assert contract.pso_level is None
    assert pso.unverified_for(contract).number == "PSO-3"


def test_once_an_officer_verifies_the_next_contract_is_exempt(
    authority, contractor, officer, owner
):
    first = make_contract(authority, contractor, officer)
    with time_machine.travel(datetime(2026, 1, 15, 12, 0), tick=False):
        cert = record(contractor, owner)
        verified, changed = pso.verify(cert.id, officer)
        nxt = make_contract(authority, contractor, officer)

    assert verified.verified_at is not None and verified.verified_by_id == officer.id
    assert changed == []  # registered before the certificate was recorded: fixed without it
    assert db.session.get(Contract, first.id).obligation_cents == FULL
    assert (nxt.obligation_cents, nxt.obligation_status, nxt.pso_level) == (0, "exempt", "trede_3")
    assert pso.unverified_for(nxt) is None


def test_verification_recalculates_contracts_registered_while_it_awaited_verification(
    authority, contractor, officer, owner
):
    cert = record(contractor, owner, level="trede_1")
    waiting = make_contract(authority, contractor, officer)
    outside = make_contract(authority, contractor, officer, award_date=date(2027, 7, 1))

    _cert, changed = pso.verify(cert.id, officer)

    assert [c.id for c in changed] == [waiting.id]
    assert db.session.get(Contract, waiting.id).obligation_cents == FULL // 2
    assert db.session.get(Contract, outside.id).obligation_cents == FULL  # awarded after expiry
    assert audit_actions("Contract").count("contract.pso_applied") == 1
    assert "pso.verified" in audit_actions("PsoCertificate")
    jobs = db.session.scalars(
        select(OutboxJob.args).where(OutboxJob.job_name == "recompute_contract")
    )
    assert [waiting.id] in list(jobs)


def test_officer_of_an_authority_the_company_does_not_work_for_cannot_verify(
    authority, contractor, officer, owner
):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)
    stranger = make_user("inkoper@elders.example.com")
    other = make_org("authority", owner=stranger, name="Gemeente Elders")
    make_policy(other)

    with pytest.raises(NotFound):
        pso.verify(cert.id, stranger)

    assert db.session.get(PsoCertificate, cert.id).verified_at is None


def test_officer_of_an_unverified_authority_with_a_contract_cannot_verify(
    authority, contractor, officer, owner
):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)
    authority.verified_at = None
    db.session.commit()

    with pytest.raises(NotFound):
        pso.verify(cert.id, officer)


def test_the_company_cannot_verify_its_own_certificate(contractor, owner):
    cert = record(contractor, owner)

    with pytest.raises(NotFound):
        pso.verify(cert.id, owner)


def test_platform_admin_verifies_without_a_contract(contractor, owner):
    cert = record(contractor, owner)
    admin = make_user("beheer@example.com", admin=True)

    verified, _changed = pso.verify(cert.id, admin)

    assert verified.verification == "verified"
    assert any("geverifieerd" in m["Subject"] for m in outbox_messages(owner.email))


def test_rejected_certificate_never_counts_and_the_company_is_told_why(
    authority, contractor, officer, owner
):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)

    pso.reject(cert.id, "Nummer staat niet in het PSO-register", officer)

    assert db.session.get(PsoCertificate, cert.id).verification == "rejected"
    later = make_contract(authority, contractor, officer)
    assert later.obligation_cents == FULL
    assert pso.unverified_for(later) is None
    bodies = [m.get_content() for m in outbox_messages(owner.email)]
    assert any("niet in het PSO-register" in body for body in bodies)


def test_rejection_needs_a_reason(authority, contractor, officer, owner):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)

    with pytest.raises(ServiceError) as err:
        pso.reject(cert.id, "  ", officer)

    assert "reason" in err.value.fields
    assert db.session.get(PsoCertificate, cert.id).verification == "pending"


def test_a_decided_certificate_cannot_be_decided_again(authority, contractor, officer, owner):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)
    pso.verify(cert.id, officer)

    with pytest.raises(Conflict):
        pso.reject(cert.id, "Toch niet", officer)
    with pytest.raises(Conflict):
        pso.verify(cert.id, officer)

    assert audit_actions("PsoCertificate").count("pso.verified") == 1


def test_officer_sees_only_certificates_of_companies_holding_its_contracts(
    authority, contractor, officer, owner
):
    make_contract(authority, contractor, officer)
    cert = record(contractor, owner)
    elsewhere = make_org("contractor", name="Elders B.V.")
    record(elsewhere, elsewhere.members[0].user, number="PSO-9")

    assert pso.awaiting_verification(authority) == [cert]
    assert len(pso.awaiting_verification(None)) == 2


def test_verified_certificate_counts_for_a_contract_awarded_on_its_last_valid_day(
    authority, contractor, officer, owner
):
    cert = record(contractor, owner, level="trede_1")  # valid until 2027-06-30
    on_last_day = make_contract(authority, contractor, officer, award_date=date(2027, 6, 30))
    day_after = make_contract(authority, contractor, officer, award_date=date(2027, 7, 1))

    _cert, changed = pso.verify(cert.id, officer)

    assert [c.id for c in changed] == [on_last_day.id]
    assert db.session.get(Contract, on_last_day.id).pso_level == "trede_1"
    assert db.session.get(Contract, on_last_day.id).obligation_cents == FULL // 2
    assert db.session.get(Contract, day_after.id).obligation_cents == FULL


def test_awaiting_certificate_is_named_for_a_contract_awarded_on_its_last_valid_day(
    authority, contractor, officer, owner
):
    record(contractor, owner, level="trede_1")  # valid until 2027-06-30
    on_last_day = make_contract(authority, contractor, officer, award_date=date(2027, 6, 30))
    day_after = make_contract(authority, contractor, officer, award_date=date(2027, 7, 1))

    assert pso.unverified_for(on_last_day).number == "PSO-3"
    assert pso.unverified_for(day_after) is None


def test_a_certificate_valid_until_today_can_be_recorded_but_not_one_that_ended_yesterday(
    contractor, owner
):
    assert pso.record_certificate(contractor, "trede_1", "PSO-T", TODAY, owner, TODAY)
    with pytest.raises(ServiceError) as refused:
        pso.record_certificate(contractor, "trede_1", "PSO-Y", date(2026, 1, 14), owner, TODAY)
    assert set(refused.value.fields) == {"valid_until"}
