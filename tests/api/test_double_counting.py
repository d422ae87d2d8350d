"""No double counting through the API (docs/domain.md "Realisations, approval and no double
counting"): one candidate's period counts on one contract of a contractor, this contract
included, and one invoice counts once, whatever the spelling; also when requests arrive at once,
on SQLite and on PostgreSQL (threads against a served app)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Contract, Realisation
from marketplace.services import accounts, realisations
from tests.factories import Parties, fte_realisation, make_contract
from tests.served import at_once, bearer_post

PW = {
    "block_code": "PW",
    "candidate_ref": "DUP-SAME",
    "start_date": "2026-03-01",
    "end_date": "2026-08-31",
    "hours_per_week": 24,
}


def invoice(number: str) -> dict:
    return {
        "block_code": "INK",
        "invoice_excl_vat_cents": 1000000,
        "invoice_number": number,
        "supplier_name": "Sociale Onderneming B.V.",
        "supplier_kvk": "12345678",
        "supplier_certification": "social_enterprise_nl",
    }


def path(contract: Contract) -> str:
    return f"/api/v1/contracts/{contract.id}/realisations"


def counted() -> int:
    db.session.rollback()  # see what the served app committed
    return db.session.scalar(
        select(func.count()).select_from(Realisation).where(Realisation.state == "submitted")
    )


def refused_on(response, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert field in error["fields"], error


# --- one at a time ----------------------------------------------------------------------------


def test_same_candidate_and_period_twice_on_one_contract_is_refused(bearer, parties, contract):
    owner = bearer(parties.owner)
    assert owner.post(path(contract), PW).status_code == 201

    again = owner.post(path(contract), PW)

    refused_on(again, "candidate_ref")
    assert "telt al mee voor een overlappende periode" in again.get_json()["error"]["message"]
    assert counted() == 1


@pytest.mark.parametrize("spelling", ["dup-same", "Dup_Same", "DUPSAME", "dup.same"])
def test_candidate_in_another_spelling_is_the_same_candidate(bearer, parties, contract, spelling):
    owner = bearer(parties.owner)
    owner.post(path(contract), PW)

    response = owner.post(path(contract), {**PW, "candidate_ref": spelling})

    refused_on(response, "candidate_ref")


def test_same_candidate_on_another_contract_of_the_contractor_is_refused(bearer, parties, contract):
    other = make_contract(parties.authority, parties.contractor, parties.officer)
    owner = bearer(parties.owner)
    owner.post(path(contract), PW)

    refused_on(owner.post(path(other), {**PW, "candidate_ref": "dup_same"}), "candidate_ref")


def test_same_candidate_in_a_later_period_counts(bearer, parties, contract):
    owner = bearer(parties.owner)
    owner.post(path(contract), PW)

    later = owner.post(path(contract), {**PW, "start_date": "2026-09-01", "end_date": "2026-12-31"})

    assert later.status_code == 201


def test_a_rejected_realisation_does_not_block_the_candidate(bearer, parties, contract):
    owner = bearer(parties.owner)
    first = owner.post(path(contract), PW).get_json()
    realisations.reject([first["id"]], parties.officer, "Verkeerde periode")

    assert owner.post(path(contract), PW).status_code == 201


@pytest.mark.parametrize(
    "spelling",
    ["F2026001", "f-2026-001", "F\u20132026\u2013001", "F2026\u200b001", "F 2026 001"],
)
def test_invoice_number_in_another_spelling_is_the_same_invoice(
    bearer, parties, contract, spelling
):
    owner = bearer(parties.owner)
    assert owner.post(path(contract), invoice("F-2026-001")).status_code == 201

    response = owner.post(path(contract), invoice(spelling))

    refused_on(response, "invoice_number")
    assert counted() == 1


def test_a_draft_does_not_hold_an_invoice_but_is_checked_when_sent(bearer, parties, contract):
    owner = bearer(parties.owner)
    draft = owner.post(path(contract), {**invoice("F-2026-001"), "draft": True}).get_json()
    assert owner.post(path(contract), invoice("f2026001")).status_code == 201

    with pytest.raises(realisations.ServiceError) as refused:
        realisations.submit_draft(db.session.get(Realisation, draft["id"]), parties.owner)

    assert "invoice_number" in refused.value.fields
    assert db.session.get(Realisation, draft["id"]).state == "draft"


def test_sending_a_draft_of_a_candidate_already_counted_is_refused(parties, contract):
    draft = realisations.submit(contract, fte_realisation("DUP-SAME"), parties.owner, draft=True)
    realisations.submit(contract, fte_realisation("dup-same"), parties.owner)

    with pytest.raises(realisations.ServiceError) as refused:
        realisations.submit_draft(draft, parties.owner)

    assert "candidate_ref" in refused.value.fields


# --- at once ----------------------------------------------------------------------------------


def fire(live, parties: Parties, posts: list[tuple[Contract, dict]]) -> list[int]:
    """POST each (contract, body) as the contractor's owner, all at the same moment; statuses."""
    token = accounts.create_token(parties.owner, "race")
    db.session.commit()
    targets = [(path(contract), body) for contract, body in posts]
    calls = [lambda p=p, b=b: bearer_post(live, token, p, b) for p, b in targets]
    responses = at_once(calls)
    for r in responses:
        if r.status_code != 201:
            assert r.status_code == 422, r.text
            assert set(r.json()["error"]["fields"]) & {"candidate_ref", "invoice_number"}, r.text
    return sorted(r.status_code for r in responses)


def test_a_double_click_counts_the_candidate_once(parties, contract, live):
    statuses = fire(live, parties, [(contract, PW)] * 4)

    assert statuses == [201, 422, 422, 422]
    assert counted() == 1


def test_the_same_candidate_posted_on_two_contracts_at_once_counts_once(parties, contract, live):
    other = make_contract(parties.authority, parties.contractor, parties.officer)
    posts = [(contract, PW), (other, {**PW, "candidate_ref": "dup-same"})] * 2

    statuses = fire(live, parties, posts)

    assert statuses == [201, 422, 422, 422]
    assert counted() == 1


def test_one_invoice_posted_on_two_contracts_at_once_counts_once(parties, contract, live):
    other = make_contract(parties.authority, parties.contractor, parties.officer)
    posts = [(contract, invoice("F-2026-001")), (other, invoice("f2026001"))] * 2

    statuses = fire(live, parties, posts)

    assert statuses == [201, 422, 422, 422]
    assert counted() == 1


def test_approving_after_a_double_click_raises_fulfilment_once(parties, contract, live):
    fire(live, parties, [(contract, PW)] * 2)
    reported = db.session.scalars(select(Realisation)).all()

    realisations.approve([r.id for r in reported], parties.officer)

    assert db.session.get(Contract, contract.id).approved_cents == reported[0].value_cents
