"""Contracts registered through the API under a cap, a low labour share and a PSO certificate on
its boundary, and an invoice under the policy's credit table: the JSON answered and the row stored
against numbers worked out by hand (docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import Contract, Organisation, Realisation, User
from tests.factories import make_policy, make_verified_certificate

CONTRACTS = "/api/v1/contracts"
FIGURES = (
    "approved_cents",
    "pending_cents",
    "remaining_cents",
    "expected_cents",
    "forecast_cents",
    "percent",
    "status",
)


@pytest.fixture
def officer(authority: Organisation) -> User:
    """5% from € 250.000 and 6 months; 2% below a labour share of 30%; at most € 40.000; PSO
    trede 1 leaves 50%; invoices from a werkbedrijf count 80%."""
    make_policy(
        authority,
        low_labour_share_bp=3000,
        low_labour_percentage_bp=200,
        cap_cents=4_000_000,
        pso_remaining_bp={"trede_1": 5000},
        credit_bp_by_certification={"werkbedrijf": 8000},
    )
    return authority.members[0].user


def register(bearer, officer: User, contractor: Organisation, **fields) -> dict:
    payload = {
        "contractor_id": contractor.id,
        "title": "Groenonderhoud",
        "reference": "G-1",
        "value_cents": 120_000_000,
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
        **fields,
    }
    response = bearer(officer).post(CONTRACTS, payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    stored = db.session.get(Contract, body["id"])
    assert (stored.obligation_cents, stored.obligation_status) == (
        body["obligation_cents"],
        body["obligation_status"],
    )
    return body


def test_api_contract_above_the_cap_owes_the_cap(bearer, officer, contractor):
    # € 1.200.000 × 5% = € 60.000 -> the cap, € 40.000
    body = register(bearer, officer, contractor, labour_share_bp=4000)

    assert (body["obligation_cents"], body["obligation_status"]) == (4_000_000, "due")
    assert "Begrensd op het maximum van € 40.000,00" in body["obligation_explanation"]


def test_api_contract_with_a_low_labour_share(bearer, officer, contractor):
    # 123.456.789 × 2% = 2.469.135,78 -> 2.469.136
    body = register(bearer, officer, contractor, value_cents=123_456_789, labour_share_bp=1000)

    assert (body["obligation_cents"], body["obligation_status"]) == (2_469_136, "due")


@pytest.mark.parametrize(
    ("valid_until", "obligation", "level"),
    [
        (date(2026, 2, 1), 2_000_000, "trede_1"),  # valid on the award date: € 40.000 × 50%
        (date(2026, 1, 31), 4_000_000, None),  # ended the day before: the cap, no PSO
    ],
)
def test_api_contract_with_a_certificate_on_its_boundary(
    bearer, officer, contractor, valid_until, obligation, level
):
    make_verified_certificate(contractor, "trede_1", valid_until=valid_until)

    body = register(bearer, officer, contractor)

    assert (body["obligation_cents"], body["pso_level"]) == (obligation, level)


def test_api_invoice_is_valued_with_the_policys_credit_table(bearer, officer, contractor):
    contract = register(bearer, officer, contractor)
    owner = contractor.members[0].user

    response = bearer(owner).post(
        f"{CONTRACTS}/{contract['id']}/realisations",
        {
            "block_code": "INK",
            "invoice_excl_vat_cents": 1_234_567,
            "invoice_number": "F-2026-1",
            "supplier_name": "Werkbedrijf Emmen",
            "supplier_kvk": "12345678",
            "supplier_certification": "werkbedrijf",
        },
    )

    # 1.234.567 × 80% = 987.653,6 -> 987.654 (the default table would give 100%)
    assert response.status_code == 201, response.get_json()
    realisation = response.get_json()
    assert realisation["value_cents"] == 987_654
    assert db.session.get(Realisation, realisation["id"]).value_cents == 987_654

    approved = bearer(officer).post(f"/api/v1/realisations/{realisation['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    with time_machine.travel(date(2027, 3, 1), tick=False):
        detail = bearer(owner).get(f"{CONTRACTS}/{contract['id']}").get_json()

    # owes the cap, 4.000.000; on 2027-03-01, 365 of 730 days: 2.000.000 expected;
    # 987.654 / 4.000.000 = 24,69% -> 24.7; forecast 987.654 × 730/365 = 1.975.308
    assert {k: detail["fulfilment"][k] for k in FIGURES} == {
        "approved_cents": 987_654,
        "pending_cents": 0,
        "remaining_cents": 3_012_346,
        "expected_cents": 2_000_000,
        "forecast_cents": 1_975_308,
        "percent": 24.7,
        "status": "at_risk",
    }
    stored = db.session.get(Contract, contract["id"])
    assert (stored.approved_cents, stored.pending_cents) == (987_654, 0)
