"""The retention job deletes candidate data and financial records once the authority's terms
after the contract's end have passed, once, and keeps the figures (services/retention.py)."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Evidence, Realisation
from marketplace.services import evidence, realisations, retention
from marketplace.services.errors import ServiceError
from tests.backends import ONLY_POSTGRESQL
from tests.factories import fte_realisation, make_contract

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
END = date(2026, 8, 31)


@pytest.fixture
def ended(parties):
    """A contract that ended on 2026-08-31 with a placement and a purchase, each with a file."""
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(
        authority, contractor, officer, start_date=date(2026, 3, 1), end_date=END
    )
    person = realisations.submit(
        contract,
        fte_realisation(attributes=["age_50_plus"]),
        owner,
        [evidence.Upload("contract.pdf", PDF)],
    )
    purchase = realisations.submit(
        contract,
        realisations.RealisationData(
            block_code="INK",
            invoice_excl_vat_cents=1000000,
            invoice_number="F-1",
            supplier_name="EMCO-groep",
            supplier_kvk="04064343",
            supplier_certification="werkbedrijf",
            description="Schoonmaak",
        ),
        owner,
        [evidence.Upload("factuur.pdf", PDF)],
    )
    return contract, person, purchase


def files_of(realisation: Realisation) -> list:
    return list(
        db.session.scalars(select(Evidence).where(Evidence.realisation_id == realisation.id))
    )


def test_nothing_is_deleted_before_the_term_has_passed(ended):
    contract, person, _purchase = ended
    assert retention.sweep(date(2028, 8, 31)).candidate_data == 0
    db.session.refresh(person)
    assert person.candidate_ref == "KAND-1"
    assert len(files_of(person)) == 1


def test_candidate_data_goes_two_years_after_the_end_and_the_value_stays(ended):
    contract, person, purchase = ended
    value = person.value_cents
    path = evidence.path_of(files_of(person)[0])
    result = retention.sweep(date(2028, 9, 1))
    assert result.candidate_data == 1 and result.financial_records == 0
    db.session.refresh(person)
    db.session.refresh(contract)
    assert (person.candidate_ref, person.candidate_key, person.attributes) == (None, None, [])
    assert person.value_cents == value
    assert files_of(person) == [] and not path.exists()
    assert len(files_of(purchase)) == 1  # a financial record, kept for 7 years
    assert contract.candidate_data_deleted_on == date(2028, 9, 1)
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "retention.candidate_data_deleted")
    )
    assert entry.object_id == contract.id
    assert entry.after == {"realisations": 1, "evidence_files": 1}


def test_financial_records_go_seven_years_after_the_end(ended):
    contract, _person, purchase = ended
    result = retention.sweep(date(2033, 9, 1))
    assert result == retention.SweepResult(candidate_data=1, financial_records=1)
    db.session.refresh(purchase)
    assert purchase.invoice_number is None and purchase.description == ""
    assert purchase.value_cents == 1000000
    assert files_of(purchase) == []


def test_a_second_run_does_nothing_more(ended):
    retention.sweep(date(2033, 9, 1))
    assert retention.sweep(date(2033, 9, 2)) == retention.SweepResult(0, 0)
    actions = db.session.scalar(
        select(func.count()).where(AuditLog.action.like("retention.%deleted"))
    )
    assert actions == 2


def test_an_authority_keeps_candidate_data_longer_when_it_chose_so(ended, parties):
    contract, person, _purchase = ended
    retention.set_terms(parties.authority, 5, 10, parties.officer)
    assert retention.sweep(date(2030, 9, 1)).candidate_data == 0
    assert retention.sweep(date(2031, 9, 1)).candidate_data == 1
    assert retention.sweep(date(2033, 9, 1)).financial_records == 0


def test_terms_outside_the_bounds_are_refused_per_field(parties):
    with pytest.raises(ServiceError) as err:
        retention.set_terms(parties.authority, 0, 6, parties.officer)
    assert set(err.value.fields) == {"candidate_years", "financial_years"}
    db.session.refresh(parties.authority)
    assert parties.authority.retention_candidate_years is None


@ONLY_POSTGRESQL
def test_two_sweeps_at_once_delete_and_audit_each_contract_once(app, ended):
    """Two workers run the nightly job at the same moment: one claims each contract."""
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(retention.sweep(date(2028, 9, 1)).candidate_data)
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    audits = db.session.scalar(
        select(func.count()).where(AuditLog.action == "retention.candidate_data_deleted")
    )
    assert audits == 1
