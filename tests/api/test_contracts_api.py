"""The authenticated compliance API: contracts, realisations and decisions with bearer tokens,
errors in the envelope, visibility between organisations, and the OpenAPI document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import schemathesis
import time_machine
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import AuditLog, Contract, Organisation, Realisation, User
from marketplace.services import accounts, realisations
from tests.factories import (
    add_member,
    fte_realisation,
    make_contract,
    make_org,
    make_policy,
    make_user,
)
from tests.mailbox import outbox_messages
from tests.served import at_once, bearer_post

CONTRACTS = "/api/v1/contracts"

PW_REALISATION = {
    "block_code": "PW",
    "candidate_ref": "KAND-1",
    "attributes": ["age_50_plus"],
    "start_date": "2026-03-01",
    "end_date": "2026-08-31",
    "hours_per_week": 24,
}


def contract_payload(contractor: Organisation, **overrides) -> dict:
    """A € 300.000 contract for a year: 5% is due under factories.make_policy."""
    return {
        "contractor_id": contractor.id,
        "title": "Schoonmaak",
        "reference": "S-1",
        "value_cents": 30000000,
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
        **overrides,
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def submitted(contract: Contract, owner: User, **overrides) -> Realisation:
    return realisations.submit(contract, fte_realisation(**overrides), owner)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]


# --- the whole flow ---------------------------------------------------------------------------


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_policy_contract_realisation_and_approval_through_the_api(bearer, authority, contractor):
    officer = bearer(accounts.find_by_email("officer@authority.example.com"))
    owner = bearer(accounts.find_by_email("owner@contractor.example.com"))
    policy = {
        "name": "SROI-beleid 2025",
        "effective_from": "2025-01-01",
        "threshold_cents": 25000000,
        "min_duration_months": 6,
        "percentage_bp": 500,
        "blocks": [
            {
                "code": "PW",
                "label": "Participatiewet",
                "unit": "fte_year",
                "rate_cents": 4000000,
                "min_hours_per_week": 12,
                "max_days": 730,
                "bonuses": {"age_50_plus": 1000000},
            }
        ],
    }
    assert officer.post(f"/api/v1/authorities/{authority.id}/policies", policy).status_code == 201

    registered = officer.post(
        CONTRACTS,
        {
            "contractor_id": contractor.id,
            "title": "Onderhoud openbare ruimte",
            "reference": "EMM-2026-001",
            "value_cents": 120000000,
            "award_date": "2026-02-01",
            "start_date": "2026-03-01",
            "end_date": "2028-02-29",
        },
    )
    assert registered.status_code == 201
    contract = registered.get_json()
    assert (contract["obligation_cents"], contract["obligation_status"]) == (6000000, "due")
    assert "5% van € 1.200.000,00 = € 60.000,00" in contract["obligation_explanation"]

    reported = owner.post(f"{CONTRACTS}/{contract['id']}/realisations", PW_REALISATION)
    assert reported.status_code == 201
    realisation = reported.get_json()
    # 4.000.000 × 24/36 × 184/365 = 1.344.292,24 → 1.344.292; bonus 1.000.000 × 24/36 × 184/365
    # = 336.073,06 → 336.073.
    assert realisation["value_cents"] == 1680365
    assert realisation["breakdown"] == [
        {"code": "PW", "value_cents": 1344292},
        {"code": "age_50_plus", "value_cents": 336073},
    ]
    assert realisation["state"] == "submitted"

    approved = officer.post(f"/api/v1/realisations/{realisation['id']}/approve")
    assert approved.status_code == 200
    assert approved.get_json()["state"] == "approved"

    detail = owner.get(f"{CONTRACTS}/{contract['id']}").get_json()
    # On 2026-09-01, 184 of 730 days: expected 6.000.000 × 184/730 = 1.512.328,77 → 1.512.329
    # (below approved: on track); forecast 1.680.365 × 730/184 = 6.666.665,22 → 6.666.665.
    assert detail["fulfilment"] == {
        "on_date": "2026-09-01",
        "obligation_cents": 6000000,
        "approved_cents": 1680365,
        "pending_cents": 0,
        "remaining_cents": 4319635,
        "expected_cents": 1512329,
        "forecast_cents": 6666665,
        "percent": 28.0,
        "status": "on_track",
    }
    assert detail["status"] == "on_track"


# --- contracts --------------------------------------------------------------------------------


def test_contract_list_shows_a_contractor_only_its_own_contracts(bearer, parties, contract):
    other = make_org("contractor")
    make_contract(parties.authority, other, parties.officer)

    body = bearer(parties.owner).get(CONTRACTS).get_json()

    assert [c["id"] for c in body["items"]] == [contract.id]
    assert body["total"] == 1


def test_contract_list_shows_an_officer_all_contracts_of_the_authority(bearer, parties, contract):
    make_contract(parties.authority, make_org("contractor"), parties.officer)
    other_authority = make_org("authority")
    make_policy(other_authority)
    make_contract(other_authority, parties.contractor, other_authority.members[0].user)

    body = bearer(parties.officer).get(CONTRACTS).get_json()

    assert body["total"] == 2
    assert {c["authority_id"] for c in body["items"]} == {parties.authority.id}


def test_contract_list_is_paginated(bearer, parties):
    for n in range(12):
        make_contract(parties.authority, parties.contractor, parties.officer, reference=f"P-{n}")

    body = bearer(parties.officer).get(CONTRACTS, query_string={"page": 3, "per_page": 5})

    assert body.status_code == 200
    page = body.get_json()
    assert (page["page"], page["per_page"], page["total"]) == (3, 5, 12)
    assert [c["reference"] for c in page["items"]] == ["P-10", "P-11"]


def test_contract_list_refuses_more_than_100_per_page(bearer, parties):
    response = bearer(parties.officer).get(CONTRACTS, query_string={"per_page": 101})

    assert response.status_code == 422
    assert "per_page" in error_of(response)["fields"]


def test_contract_list_filters_by_status(bearer, parties, contract):
    make_contract(parties.authority, parties.contractor, parties.officer, value_cents=1000)

    body = bearer(parties.officer).get(CONTRACTS, query_string={"status": "not_applicable"})

    assert [c["value_cents"] for c in body.get_json()["items"]] == [1000]


def test_officer_of_one_authority_registers_without_naming_it(bearer, parties):
    payload = contract_payload(parties.contractor, labour_share_bp=6000)

    response = bearer(parties.officer).post(CONTRACTS, payload)

    assert response.status_code == 201
    assert response.get_json()["authority_id"] == parties.authority.id
    assert response.get_json()["obligation_cents"] == 1500000


def test_contractor_cannot_register_a_contract(bearer, parties):
    response = bearer(parties.owner).post(CONTRACTS, contract_payload(parties.contractor))

    assert response.status_code == 403
    assert count(Contract) == 0


def test_other_contractors_token_gets_404_on_the_contract(bearer, parties, contract):
    stranger = make_user()
    make_org("contractor", owner=stranger)
    client = bearer(stranger)

    assert client.get(f"{CONTRACTS}/{contract.id}").status_code == 404
    assert client.get(f"{CONTRACTS}/{contract.id}/realisations").status_code == 404
    assert error_of(client.get(f"{CONTRACTS}/{contract.id}"))["code"] == "not_found"


def test_unknown_contract_id_is_404_like_a_hidden_one(bearer, parties):
    response = bearer(parties.officer).get(f"{CONTRACTS}/2147483647")

    assert response.status_code == 404


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value_cents": -1}, "value_cents"),
        ({"labour_share_bp": 10001}, "labour_share_bp"),
        ({"end_date": "2026-02-28"}, "end_date"),
        ({"award_date": "2026-02-30"}, "award_date"),
        ({"contractor_id": "12"}, "contractor_id"),
        ({"title": ""}, "title"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_contract_fields_are_422_with_field_errors(bearer, parties, overrides, field):
    payload = contract_payload(parties.contractor, **overrides)

    response = bearer(parties.officer).post(CONTRACTS, payload)

    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert count(Contract) == 0


def test_invalid_json_is_400_in_the_envelope(bearer, parties):
    response = bearer(parties.officer).post(
        CONTRACTS, data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert error_of(response)["fields"] == {"json": ["Invalid JSON body."]}


def test_a_number_too_long_to_read_is_400_not_a_server_error(bearer, parties):
    body = '{"value_cents": ' + "9" * 5000 + "}"
    response = bearer(parties.officer).post(CONTRACTS, data=body, content_type="application/json")

    assert response.status_code == 400


def test_no_token_is_401_in_the_envelope(client, parties, contract):
    response = client.get(f"{CONTRACTS}/{contract.id}")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_unknown_token_is_401(client, parties):
    response = client.post(
        CONTRACTS, json={}, headers={"Authorization": "Bearer sr_not-a-real-token"}
    )

    assert response.status_code == 401
    assert count(Contract) == 0


def test_a_browser_session_without_token_cannot_approve(app, client, auth, parties, contract):
    """The API is exempt from CSRF, so a login cookie alone must not authorise anything."""
    realisation = submitted(contract, parties.owner)
    auth.login("officer@authority.example.com")

    response = client.post(
        f"/api/v1/realisations/{realisation.id}/approve", data="x", content_type="text/plain"
    )

    assert response.status_code == 401
    assert db.session.get(Realisation, realisation.id).state == "submitted"


# --- realisations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"hours_per_week": 169}, "hours_per_week", None),
        ({"hours_per_week": 24.125}, "hours_per_week", None),
        ({"hours_per_week": -1}, "hours_per_week", None),
        ({"hours_per_week": 8}, "hours_per_week", "below_min_hours"),
        ({"end_date": "2026-02-28"}, "end_date", None),
        ({"block_code": "XYZ"}, "block_code", "unknown_block"),
        ({"candidate_ref": "111222333"}, "candidate_ref", "bsn_refused"),
        ({"cost_excl_vat_cents": -5}, "cost_excl_vat_cents", None),
        ({"attributes": ["Age 50+"]}, "attributes", None),
    ],
)
def test_bad_realisation_fields_are_422_with_field_errors(
    bearer, parties, contract, overrides, field, code
):
    response = bearer(parties.owner).post(
        f"{CONTRACTS}/{contract.id}/realisations", {**PW_REALISATION, **overrides}
    )

    assert response.status_code == 422
    error = error_of(response)
    assert field in error["fields"]
    if code:
        assert error["code"] == code
    assert count(Realisation) == 0


def test_hours_are_read_as_exact_decimals(bearer, parties, contract):
    response = bearer(parties.owner).post(
        f"{CONTRACTS}/{contract.id}/realisations", {**PW_REALISATION, "hours_per_week": 15.25}
    )

    assert response.status_code == 201
    assert db.session.get(Realisation, response.get_json()["id"]).hours_per_week == Decimal("15.25")
    assert response.get_json()["hours_per_week"] == 15.25


def test_hour_block_values_decimal_hours(bearer, parties, contract):
    response = bearer(parties.owner).post(
        f"{CONTRACTS}/{contract.id}/realisations",
        {"block_code": "MA", "candidate_ref": "KAND-2", "hours": "15.5"},
    )

    assert response.status_code == 201
    # € 100 an hour × 15,5 hours.
    assert response.get_json()["value_cents"] == 155000


def test_invoice_realisation_counts_the_certified_share(bearer, parties, contract):
    response = bearer(parties.owner).post(
        f"{CONTRACTS}/{contract.id}/realisations",
        {
            "block_code": "INK",
            "invoice_excl_vat_cents": 1000000,
            "invoice_number": "F-2026-17",
            "supplier_name": "Sociale Onderneming B.V.",
            "supplier_kvk": "12345678",
            "supplier_certification": "social_enterprise_nl",
        },
    )

    assert response.status_code == 201
    assert response.get_json()["breakdown"] == [{"code": "INK", "value_cents": 500000}]


def test_draft_is_saved_but_not_shown_to_the_officer(bearer, parties, contract):
    owner = bearer(parties.owner)
    draft = owner.post(f"{CONTRACTS}/{contract.id}/realisations", {**PW_REALISATION, "draft": True})

    assert draft.status_code == 201
    assert draft.get_json()["state"] == "draft"
    assert len(owner.get(f"{CONTRACTS}/{contract.id}/realisations").get_json()) == 1
    assert bearer(parties.officer).get(f"{CONTRACTS}/{contract.id}/realisations").get_json() == []


def test_officer_cannot_report_a_realisation(bearer, parties, contract):
    response = bearer(parties.officer).post(
        f"{CONTRACTS}/{contract.id}/realisations", PW_REALISATION
    )

    assert response.status_code == 403
    assert count(Realisation) == 0


def test_realisations_list_filters_by_state(bearer, parties, contract):
    kept = submitted(contract, parties.owner)
    rejected = submitted(contract, parties.owner, candidate="KAND-2")
    realisations.reject([rejected.id], parties.officer, "Geen bewijs")

    rows = bearer(parties.officer).get(
        f"{CONTRACTS}/{contract.id}/realisations", query_string={"state": "submitted"}
    )

    assert [r["id"] for r in rows.get_json()] == [kept.id]


# --- decisions --------------------------------------------------------------------------------


def test_rejection_needs_a_reason(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)
    officer = bearer(parties.officer)

    missing = officer.post(f"/api/v1/realisations/{realisation.id}/reject", {})
    blank = officer.post(f"/api/v1/realisations/{realisation.id}/reject", {"reason": "  "})

    assert missing.status_code == 422 and "reason" in error_of(missing)["fields"]
    assert blank.status_code == 422 and error_of(blank)["code"] == "reason_required"
    assert db.session.get(Realisation, realisation.id).state == "submitted"


def test_rejection_with_reason_is_shown_to_the_contractor(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)

    response = bearer(parties.officer).post(
        f"/api/v1/realisations/{realisation.id}/reject", {"reason": "Urenbriefjes ontbreken"}
    )

    assert response.status_code == 200
    rows = bearer(parties.owner).get(f"{CONTRACTS}/{contract.id}/realisations").get_json()
    assert (rows[0]["state"], rows[0]["rejection_reason"]) == (
        "rejected",
        "Urenbriefjes ontbreken",
    )


def test_approving_twice_is_409_already_decided(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)
    officer = bearer(parties.officer)
    officer.post(f"/api/v1/realisations/{realisation.id}/approve")

    again = officer.post(f"/api/v1/realisations/{realisation.id}/approve")

    assert again.status_code == 409
    assert error_of(again)["code"] == "already_decided"


def test_approving_a_draft_is_422_wrong_state(bearer, parties, contract):
    draft = realisations.submit(contract, fte_realisation(), parties.owner, draft=True)

    response = bearer(parties.officer).post(f"/api/v1/realisations/{draft.id}/approve")

    assert response.status_code == 422
    assert error_of(response)["code"] == "wrong_state"


@time_machine.travel(datetime(2026, 9, 1, 10, 30, tzinfo=UTC), tick=False)
def test_rejecting_what_a_colleague_approved_names_the_colleague(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)
    colleague = make_user("collega@authority.example.com")
    add_member(parties.authority, colleague)
    bearer(colleague).post(f"/api/v1/realisations/{realisation.id}/approve")

    response = bearer(parties.officer).post(
        f"/api/v1/realisations/{realisation.id}/reject", json={"reason": "Geen bewijs"}
    )

    assert response.status_code == 409
    assert error_of(response)["message"] == (
        "Deze realisatie is al beoordeeld door collega@authority.example.com op 1 sep 2026, 12:30."
    )
    assert db.session.get(Realisation, realisation.id).state == "approved"


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_two_officers_deciding_at_once_only_one_decision_counts(parties, contract, live, second):
    realisation = submitted(contract, parties.owner)
    colleague = make_user("collega@authority.example.com")
    add_member(parties.authority, colleague)
    tokens = [accounts.create_token(parties.officer, "t"), accounts.create_token(colleague, "t")]
    path = f"/api/v1/realisations/{realisation.id}/"
    calls = [
        lambda: bearer_post(live, tokens[0], path + "approve"),
        lambda: bearer_post(live, tokens[1], path + second, {"reason": "Geen bewijs"}),
    ]

    responses = at_once(calls)

    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.json()["error"]["code"] == "already_decided"
    db.session.rollback()
    decisions = db.session.scalars(
        select(AuditLog.action).where(
            AuditLog.object_type == "Realisation",
            AuditLog.action.in_(("realisation.approved", "realisation.rejected")),
        )
    ).all()
    assert len(decisions) == 1
    assert db.session.get(Realisation, realisation.id).state == decisions[0].split(".")[1]
    decision_mails = [
        m for m in outbox_messages(parties.owner.email) if "Realisaties" in m["Subject"]
    ]
    assert len(decision_mails) == 1


def test_officer_of_another_authority_gets_404_on_approve(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)
    other = make_user()
    make_org("authority", owner=other)

    response = bearer(other).post(f"/api/v1/realisations/{realisation.id}/approve")

    assert response.status_code == 404
    assert db.session.get(Realisation, realisation.id).state == "submitted"


def test_contractor_cannot_approve_its_own_realisation(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)

    response = bearer(parties.owner).post(f"/api/v1/realisations/{realisation.id}/approve")

    assert response.status_code == 403
    assert db.session.get(Realisation, realisation.id).state == "submitted"


def test_second_officer_of_the_authority_may_approve(bearer, parties, contract):
    realisation = submitted(contract, parties.owner)
    colleague = make_user()
    add_member(parties.authority, colleague)

    response = bearer(colleague).post(f"/api/v1/realisations/{realisation.id}/approve")

    assert response.status_code == 200
    assert db.session.get(Contract, contract.id).approved_cents == realisation.value_cents


# --- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_documents_the_compliance_endpoints_with_bearer_auth(client):
    spec = client.get("/api/v1/openapi.json").get_json()

    operations = {
        ("/api/v1/contracts", "get"),
        ("/api/v1/contracts", "post"),
        ("/api/v1/contracts/{contract_id}", "get"),
        ("/api/v1/contracts/{contract_id}/realisations", "get"),
        ("/api/v1/contracts/{contract_id}/realisations", "post"),
        ("/api/v1/realisations/{realisation_id}/approve", "post"),
        ("/api/v1/realisations/{realisation_id}/reject", "post"),
        ("/api/v1/authorities/{authority_id}/policies", "get"),
        ("/api/v1/authorities/{authority_id}/policies", "post"),
    }
    for path, method in operations:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}]
        error = operation["responses"]["401"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Error"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_openapi_documents_request_and_response_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    post = spec["paths"]["/api/v1/contracts/{contract_id}/realisations"]["post"]

    request = post["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/RealisationRequest"}
    assert "201" in post["responses"]
    realisation = spec["components"]["schemas"]["ReportedRealisation"]["properties"]
    assert {"value_cents", "breakdown"} <= set(realisation)
    assert "Evidence files cannot be uploaded" in post["description"]


# --- schemathesis: GET endpoints against their own document -----------------------------------

# The document is read from an app without tables; the cases run against the test's app and data.
_schema_app = create_app(
    {"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
)
compliance_schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _schema_app).include(
    method="GET", path_regex=r"^/api/v1/(contracts|authorities)"
)


@pytest.fixture
def officer_headers(bearer, parties, contract) -> dict[str, str]:
    """Data for the GET endpoints to find (made once: hypothesis reuses fixtures)."""
    submitted(contract, parties.owner)
    return bearer(parties.officer).headers


@compliance_schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_get_endpoints_never_answer_with_a_server_error(case, app, officer_headers):
    # Unknown query parameters are ignored, as HTTP APIs usually do, and the bearer header is
    # added here rather than generated: "negative data" cases of those kinds are not errors.
    response = case.call_and_validate(
        app=app, headers=officer_headers, excluded_checks=[negative_data_rejection]
    )

    assert response.status_code < 500
