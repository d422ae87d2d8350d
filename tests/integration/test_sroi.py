"""Services of the compliance engine against a real database: obligation, realisations,
approval, double counting, recompute and notifications."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.labels import obligation_explanation
from marketplace.models import AuditLog, Contract, FulfilmentSnapshot, PsoCertificate, Realisation
from marketplace.services import contracts, fulfilment, realisations
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError
from marketplace.services.evidence import Upload
from tests.factories import fte_realisation, make_contract, make_org, make_policy, make_user
from tests.mailbox import outbox_messages

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_obligation_is_computed_and_explained(parties):
    authority, contractor, officer, _owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    assert contract.obligation_cents == 6000000
    assert contract.obligation_status == "due"
    assert "5% van € 1.200.000,00 = € 60.000,00" in obligation_explanation(
        contract.obligation_steps
    )


def test_pso_certificate_on_award_date_halves_the_obligation(parties):
    authority, contractor, officer, _owner = parties.sides()
    db.session.add(
        PsoCertificate(
            organisation_id=contractor.id,
            level="trede_1",
            number="P-1",
            valid_until=date(2027, 1, 31),
            verified_at=datetime(2026, 1, 5, 9, 0),  # only a verified certificate counts
        )
    )
    db.session.commit()
    contract = make_contract(authority, contractor, officer)
    assert contract.obligation_cents == 3000000
    assert "PSO trede 1: 50%" in obligation_explanation(contract.obligation_steps)


def test_new_policy_version_does_not_change_awarded_contracts(parties):
    authority, contractor, officer, _owner = parties.sides()
    old = make_contract(authority, contractor, officer, award_date=date(2026, 2, 1))
    make_policy(authority, effective_from=date(2026, 6, 1), percentage_bp=300)
    new = make_contract(authority, contractor, officer, award_date=date(2026, 7, 1))
    db.session.refresh(old)
    assert old.obligation_cents == 6000000
    assert new.obligation_cents == 3600000


def test_contract_without_policy_in_force_is_refused(parties):
    authority, contractor, officer, _owner = parties.sides()
    with pytest.raises(ServiceError) as err:
        make_contract(authority, contractor, officer, award_date=date(2020, 1, 1))
    assert "award_date" in err.value.fields
    assert db.session.scalar(select(Contract)) is None


def test_end_before_start_is_refused(parties):
    authority, contractor, officer, _owner = parties.sides()
    with pytest.raises(ServiceError) as err:
        make_contract(authority, contractor, officer, end_date=date(2026, 1, 1))
    assert "end_date" in err.value.fields


def test_only_officers_of_the_authority_register_contracts(parties):
    authority, contractor, _officer, owner = parties.sides()
    with pytest.raises(NotFound):
        make_contract(authority, contractor, owner)


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_submit_approve_recompute_and_notify(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    r = realisations.submit(
        contract, fte_realisation(attributes=["age_50_plus"]), owner, [Upload("a.pdf", PDF)]
    )
    # 184 days: 4.000.000 × 24/36 × 184/365 = 1.344.292,24; bonus 336.073,06
    assert r.value_cents == 1344292 + 336073
    assert [line["code"] for line in r.breakdown] == ["PW", "age_50_plus"]
    db.session.refresh(contract)
    assert contract.pending_cents == r.value_cents
    assert contract.approved_cents == 0

    realisations.approve([r.id], officer)
    db.session.refresh(contract)
    assert contract.approved_cents == r.value_cents
    assert contract.status == "on_track"
    assert db.session.scalars(select(FulfilmentSnapshot)).all()
    assert any("goedgekeurd" in m["Subject"] for m in outbox_messages(owner.email))
    actions = db.session.scalars(select(AuditLog.action)).all()
    assert "realisation.approved" in actions


def test_bsn_as_candidate_reference_is_refused(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    with pytest.raises(ServiceError) as err:
        realisations.submit(contract, fte_realisation(candidate="111222333"), owner)
    assert err.value.code == "bsn_refused"


def test_overlapping_candidate_on_other_contract_is_refused(parties):
    authority, contractor, officer, owner = parties.sides()
    first = make_contract(authority, contractor, officer)
    second = make_contract(authority, contractor, officer)
    realisations.submit(first, fte_realisation(), owner)
    with pytest.raises(ServiceError) as err:
        realisations.submit(
            second, fte_realisation(start=date(2026, 8, 1), end=date(2026, 12, 31)), owner
        )
    assert err.value.code == "candidate_overlap"
    realisations.submit(
        second, fte_realisation(start=date(2026, 9, 1), end=date(2026, 12, 31)), owner
    )


def test_invoice_counts_once(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    inv = realisations.RealisationData(
        block_code="INK",
        invoice_excl_vat_cents=1000000,
        invoice_number="F-1",
        supplier_name="EMCO-groep",
        supplier_kvk="04064343",
        supplier_certification="werkbedrijf",
    )
    r = realisations.submit(contract, inv, owner)
    assert r.value_cents == 1000000
    with pytest.raises(ServiceError) as err:
        realisations.submit(contract, inv, owner)
    assert err.value.code == "invoice_used"


def test_file_that_is_not_what_its_extension_says_saves_nothing(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    with pytest.raises(ServiceError) as err:
        realisations.submit(contract, fte_realisation(), owner, [Upload("fake.pdf", b"just text")])
    assert err.value.code == "file_type"
    assert realisations.of_contract(contract.id, "contractor") == []


def test_below_min_hours_is_refused_with_field(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    data = fte_realisation()
    data.hours_per_week = Decimal(8)
    with pytest.raises(ServiceError) as err:
        realisations.submit(contract, data, owner)
    assert "hours_per_week" in err.value.fields


def test_officer_of_other_authority_cannot_approve(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    r = realisations.submit(contract, fte_realisation(), owner)
    other = make_user("ander@gemeente.example.com")
    make_org("authority", owner=other)
    with pytest.raises(Forbidden):
        realisations.approve([r.id], other)
    db.session.refresh(r)
    assert r.state == "submitted"


def test_reject_needs_reason_and_bulk_is_all_or_nothing(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    a = realisations.submit(contract, fte_realisation("KAND-A"), owner)
    b = realisations.submit(contract, fte_realisation("KAND-B"), owner)
    with pytest.raises(ServiceError):
        realisations.reject([a.id, b.id], officer, " ")
    realisations.approve([a.id], officer)
    with pytest.raises(ServiceError):
        realisations.approve([a.id, b.id], officer)
    db.session.refresh(b)
    assert b.state == "submitted"
    realisations.reject([b.id], officer, "Geen bewijs")
    db.session.refresh(b)
    assert (b.state, b.rejection_reason) == ("rejected", "Geen bewijs")


def test_nightly_recompute_moves_status_and_notifies_once(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    fulfilment.recompute_all(date(2026, 3, 1))
    db.session.refresh(contract)
    assert contract.status == "on_track"
    fulfilment.recompute_all(date(2026, 9, 1))
    db.session.refresh(contract)
    assert contract.status == "at_risk"
    sent = len(outbox_messages(owner.email))
    fulfilment.recompute_all(date(2026, 9, 2))
    assert len(outbox_messages(owner.email)) == sent
    fulfilment.recompute_all(date(2028, 3, 1))
    db.session.refresh(contract)
    assert contract.status == "overdue"


def test_contract_ids_cannot_be_probed(parties):
    authority, contractor, officer, _owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    stranger = make_user("stranger@example.com")
    from marketplace.services.errors import NotFound

    with pytest.raises(NotFound):
        contracts.contract_for_party(contract.id, stranger)


def test_contract_keeps_its_contractor_once_a_realisation_is_reported(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    realisations.submit(contract, fte_realisation(), owner, [Upload("loonstrook.pdf", PDF)])
    newcomer = make_org("contractor")
    data = contracts.ContractData(
        title=contract.title,
        reference=contract.reference,
        contractor_id=newcomer.id,
        value_cents=contract.value_cents,
        award_date=contract.award_date,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )

    with pytest.raises(Conflict) as err:
        contracts.update(contract, data, officer)

    assert err.value.status == 409
    assert "contractor_id" in err.value.fields
    db.session.rollback()
    assert db.session.get(Contract, contract.id).contractor_id == contractor.id


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_realisation_is_refused_on_a_contract_handed_to_another_contractor_meanwhile(parties):
    """The officer's change of contractor (allowed while nothing is reported) commits between
    the contractor's request reading the contract and saving its realisation: the realisation
    must not land on what is now another company's contract, which would see it and its files."""
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    other = make_org("contractor", owner=make_user("ander@bedrijf.example.com"))
    assert contract.contractor_id == contractor.id  # read by the contractor's request
    with Session(db.engine) as officer_request:
        officer_request.get(Contract, contract.id).contractor_id = other.id
        officer_request.commit()
    with pytest.raises(NotFound):
        realisations.submit(contract, fte_realisation("KAND-0001"), owner)
    db.session.rollback()
    assert (
        db.session.scalars(select(Realisation).where(Realisation.contract_id == contract.id)).all()
        == []
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(1900, 1, 1), date(2026, 8, 31), "start_date"),  # before the term: 2026-03-01
        (date(2026, 3, 1), date(2199, 12, 31), "end_date"),  # after the term: 2028-02-29
        (date(2026, 2, 28), date(2026, 8, 31), "start_date"),  # one day before the start
    ],
)
def test_period_outside_the_contracts_term_is_refused_and_saves_nothing(parties, start, end, field):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    data = fte_realisation(start=start, end=end)
    for attempt in (realisations.preview, realisations.submit):
        args = (contract, data, owner) if attempt is realisations.submit else (contract, data)
        with pytest.raises(ServiceError) as err:
            attempt(*args)
        assert (err.value.code, list(err.value.fields)) == ("outside_term", [field])
    assert db.session.scalar(select(func.count()).select_from(Realisation)) == 0


def test_period_on_the_terms_first_and_last_day_counts(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    whole = fte_realisation(start=date(2026, 3, 1), end=date(2028, 2, 29))
    assert realisations.submit(contract, whole, owner).value_cents > 0


def test_hours_without_a_period_do_not_block_the_same_candidates_dated_period(parties):
    """An hour block's social activity may have no dates; it has no period to overlap (on
    PostgreSQL the constraint once read it as all time and refused every later period)."""
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    realisations.submit(
        contract,
        realisations.RealisationData(block_code="MA", candidate_ref="KAND-1", hours=Decimal(10)),
        owner,
    )
    dated = realisations.submit(contract, fte_realisation(candidate="KAND-1"), owner)
    assert dated.state == "submitted"
    realisations.submit(
        contract,
        realisations.RealisationData(block_code="MA", candidate_ref="KAND-1", hours=Decimal(5)),
        owner,
    )
