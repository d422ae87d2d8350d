"""Inviting a company not on the platform through the API, as from the contract form: the contract
waits with `contractor_id` null and the invitation, and only its authority sees it."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.services import organisations
from tests.factories import make_org, make_policy, make_user
from tests.mailbox import outbox_messages

CONTRACTS = "/api/v1/contracts"
KVK = "87654321"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2026, 1, 15), tick=False):
        yield


@pytest.fixture
def officer(authority):
    make_policy(authority)
    return authority.members[0].user


def payload(**fields) -> dict:
    return {
        "title": "Nieuwbouw sporthal",
        "reference": "SPH-01",
        "value_cents": 120_000_000,
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
        **fields,
    }


def test_a_contract_for_an_invited_company_waits(bearer, officer):
    response = bearer(officer).post(
        CONTRACTS, payload(invited_kvk=KVK, invited_email="info@nieuw.example.com")
    )

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["contractor_id"] is None and body["contractor_name"] is None
    assert (body["invited_kvk"], body["invited_email"]) == (KVK, "info@nieuw.example.com")
    assert body["obligation_cents"] == 6_000_000
    assert outbox_messages("info@nieuw.example.com")


def test_neither_a_contractor_nor_an_invitation_is_422(bearer, officer):
    response = bearer(officer).post(CONTRACTS, payload())

    assert response.status_code == 422
    assert "contractor_id" in response.get_json()["error"]["fields"]


def test_a_waiting_contract_is_404_for_another_authority(bearer, officer):
    contract_id = bearer(officer).post(CONTRACTS, payload(invited_kvk=KVK)).get_json()["id"]
    other = make_user("inkoper@elders.example.com")
    make_org("authority", owner=other, name="Gemeente Elders")

    assert bearer(other).get(f"{CONTRACTS}/{contract_id}").status_code == 404


def test_the_linked_company_lists_it_only_once_verified(bearer, officer, admin):
    contract_id = bearer(officer).post(CONTRACTS, payload(invited_kvk=KVK)).get_json()["id"]
    owner = make_user("baas@nieuw.example.com")
    company = make_org("contractor", owner=owner, kvk_number=KVK)
    assert bearer(owner).get(CONTRACTS).get_json()["items"] == []

    organisations.verify(company, admin)

    [listed] = bearer(owner).get(CONTRACTS).get_json()["items"]
    assert listed["id"] == contract_id and listed["contractor_id"] == company.id
