"""The policy endpoints of the API: an authority's officers read and add policy versions with
their value tables; bad tables are refused with field errors and nothing is saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import BuildingBlock, SroiPolicy
from marketplace.services import accounts
from tests.factories import make_org, make_policy, make_user

PW_BLOCK = {
    "code": "PW",
    "label": "Participatiewet-uitkering naar werk",
    "unit": "fte_year",
    "rate_cents": 4000000,
    "min_hours_per_week": 12.5,
    "max_days": 730,
    "bonuses": {"age_50_plus": 1000000, "statushouder": 1000000},
}
POLICY = {
    "name": "SROI-beleid 2026",
    "effective_from": "2026-01-01",
    "threshold_cents": 25000000,
    "min_duration_months": 6,
    "percentage_bp": 500,
    "low_labour_share_bp": 3000,
    "low_labour_percentage_bp": 200,
    "cap_cents": 50000000,
    "pso_remaining_bp": {"trede_1": 5000, "trede_2": 0},
    "credit_bp_by_certification": {"social_enterprise_nl": 5000, "none": 0},
    "blocks": [
        PW_BLOCK,
        {"code": "INK", "label": "Inkoop bij sociale onderneming", "unit": "invoice"},
    ],
}


@pytest.fixture
def officer(bearer, authority):
    return bearer(accounts.find_by_email("officer@authority.example.com"))


def path_of(authority) -> str:
    return f"/api/v1/authorities/{authority.id}/policies"


def policy_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SroiPolicy))


def error_of(response) -> dict:
    assert response.status_code == 422, response.get_json()
    return response.get_json()["error"]


def test_officer_adds_a_policy_version_with_its_value_table(officer, authority):
    response = officer.post(path_of(authority), POLICY)

    assert response.status_code == 201
    body = response.get_json()
    assert (body["authority_id"], body["effective_from"]) == (authority.id, "2026-01-01")
    assert [b["code"] for b in body["blocks"]] == ["PW", "INK"]
    block = db.session.scalar(select(BuildingBlock).where(BuildingBlock.code == "PW"))
    assert block.min_hours_per_week == Decimal("12.5")
    assert block.bonuses == {"age_50_plus": 1000000, "statushouder": 1000000}


def test_officer_lists_policy_versions_newest_first(officer, authority):
    make_policy(authority, effective_from=date(2024, 1, 1), name="Oud")
    make_policy(authority, effective_from=date(2026, 1, 1), name="Nieuw")

    response = officer.get(path_of(authority))

    assert response.status_code == 200
    assert [p["name"] for p in response.get_json()] == ["Nieuw", "Oud"]
    assert response.get_json()[0]["blocks"][0] == {
        "code": "PW",
        "label": "Participatiewet",
        "unit": "fte_year",
        "rate_cents": 4000000,
        "min_hours_per_week": 12.0,
        "max_days": 730,
        "bonuses": {"age_50_plus": 1000000},
        "credit_bp_by_certification": None,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"blocks": []}, "blocks"),
        ({"blocks": None}, "blocks"),
        ({"percentage_bp": 10001}, "percentage_bp"),
        ({"threshold_cents": -1}, "threshold_cents"),
        ({"cap_cents": 12.5}, "cap_cents"),
        ({"pso_remaining_bp": {"trede_9": 0}}, "pso_remaining_bp"),
        ({"effective_from": "1-1-2026"}, "effective_from"),
        ({"blocks": [{**PW_BLOCK, "unit": "week"}]}, "blocks"),
        ({"blocks": [{**PW_BLOCK, "rate_cents": -100}]}, "blocks"),
        ({"blocks": [{**PW_BLOCK, "min_hours_per_week": 169}]}, "blocks"),
        ({"blocks": [{**PW_BLOCK, "bonuses": {"50+": 100}}]}, "blocks"),
    ],
)
def test_bad_policy_fields_are_422_with_field_errors(officer, authority, overrides, field):
    response = officer.post(path_of(authority), {**POLICY, **overrides})

    assert field in error_of(response)["fields"]
    assert policy_count() == 0


def test_unknown_unit_names_the_row_and_field(officer, authority):
    table = [PW_BLOCK, {"code": "X", "label": "Iets", "unit": "week", "rate_cents": 1}]

    response = officer.post(path_of(authority), {**POLICY, "blocks": table})

    assert "unit" in error_of(response)["fields"]["blocks"]["1"]


def test_policy_without_blocks_is_refused_with_a_code(officer, authority):
    response = officer.post(path_of(authority), {**POLICY, "blocks": []})

    error = error_of(response)
    assert error["code"] == "unprocessable_entity"
    assert list(error["fields"]) == ["blocks"]


def test_block_without_rate_is_refused_by_the_rules(officer, authority):
    block = {key: value for key, value in PW_BLOCK.items() if key != "rate_cents"}

    response = officer.post(path_of(authority), {**POLICY, "blocks": [block]})

    assert error_of(response)["code"] == "rate"
    assert policy_count() == 0


def test_duplicate_block_codes_are_refused(officer, authority):
    response = officer.post(path_of(authority), {**POLICY, "blocks": [PW_BLOCK, PW_BLOCK]})

    assert error_of(response)["code"] == "duplicate_code"
    assert policy_count() == 0


def test_second_version_from_the_same_date_is_refused(officer, authority):
    officer.post(path_of(authority), POLICY)

    response = officer.post(path_of(authority), {**POLICY, "name": "Nogmaals"})

    error = error_of(response)
    assert (error["code"], list(error["fields"])) == ("duplicate_version", ["effective_from"])
    assert policy_count() == 1


def test_officer_of_another_authority_gets_404(bearer, authority):
    other = make_user()
    make_org("authority", owner=other)

    client = bearer(other)

    assert client.get(path_of(authority)).status_code == 404
    assert client.post(path_of(authority), POLICY).status_code == 404
    assert policy_count() == 0


def test_contractor_cannot_read_an_authoritys_policies(bearer, authority, contractor):
    owner = bearer(accounts.find_by_email("owner@contractor.example.com"))

    assert owner.get(path_of(authority)).status_code == 404


def test_an_organisation_that_is_no_authority_has_no_policies(bearer, contractor):
    owner = bearer(accounts.find_by_email("owner@contractor.example.com"))

    assert owner.get(path_of(contractor)).status_code == 404
    assert owner.get("/api/v1/authorities/2147483647/policies").status_code == 404


def test_policies_need_a_token(client, authority):
    response = client.post(path_of(authority), json=POLICY)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert policy_count() == 0
