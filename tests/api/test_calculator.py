"""The public calculator API (docs/domain.md "The calculator API"): examples, units, errors."""

from __future__ import annotations

import pytest

VALUATE = "/api/v1/sroi/valuate"
OBLIGATION = "/api/v1/sroi/obligation"
STATUS = "/api/v1/sroi/status"

PW_EXAMPLE = {
    "block": {
        "code": "PW",
        "unit": "fte_year",
        "rate_cents": 4000000,
        "min_hours_per_week": 12,
        "max_days": 730,
        "bonuses": {"age_50_plus": 1000000},
    },
    "realisation": {
        "start": "2026-01-01",
        "end": "2026-06-30",
        "hours_per_week": 24,
        "attributes": ["age_50_plus"],
    },
}
OBLIGATION_EXAMPLE = {
    "policy": {
        "threshold_cents": 25000000,
        "min_duration_months": 6,
        "percentage_bp": 500,
        "low_labour_share_bp": 3000,
        "low_labour_percentage_bp": 200,
        "cap_cents": None,
        "pso_remaining_bp": {"trede_1": 5000, "trede_2": 0, "trede_3": 0},
    },
    "contract": {
        "value_cents": 120000000,
        "award_date": "2026-02-01",
        "start": "2026-03-01",
        "end": "2028-02-29",
        "labour_share_bp": 4000,
        "pso_level": "trede_1",
        "pso_valid_until": "2027-01-31",
    },
}
STATUS_EXAMPLE = {
    "obligation_cents": 3000000,
    "approved_cents": 1000000,
    "pending_cents": 200000,
    "start": "2026-03-01",
    "end": "2028-02-29",
    "today": "2027-03-01",
}


def valuate(client, block: dict, realisation: dict):
    return client.post(VALUATE, json={"block": block, "realisation": realisation})


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# --- the docs/domain.md examples ------------------------------------------------------------------


def test_valuate_example_from_domain(client):
    response = client.post(VALUATE, json=PW_EXAMPLE)
    assert response.status_code == 200
    assert response.get_json() == {
        "value_cents": 1652968,
        "breakdown": [
            {"code": "PW", "value_cents": 1322374},
            {"code": "age_50_plus", "value_cents": 330594},
        ],
        "explanation": (
            "24 uur per week van een volledige werkweek van 36 uur; "
            "1 januari 2026 tot en met 30 juni 2026: 181 dagen; "
            "PW: € 40.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 13.223,74; "
            "Bonus 50 jaar of ouder: € 10.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = "
            "€ 3.305,94; Totaal: € 16.529,68"
        ),
    }


def test_obligation_example_from_domain(client):
    response = client.post(OBLIGATION, json=OBLIGATION_EXAMPLE)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"obligation_cents", "status", "percentage_bp", "explanation"}
    assert body["obligation_cents"] == 3000000
    assert body["status"] == "due"
    assert body["percentage_bp"] == 500
    assert "€ 60.000,00" in body["explanation"]
    assert "PSO trede 1" in body["explanation"]


def test_status_example_from_domain(client):
    response = client.post(STATUS, json=STATUS_EXAMPLE)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"status", "percent", "expected_cents", "forecast_cents"}
    assert body["status"] == "at_risk"
    assert body["percent"] == 33.3
    assert b'"percent":33.3' in response.data  # a JSON number, not a string
    assert body["expected_cents"] == 1500000  # 365 of 730 days elapsed
    assert body["forecast_cents"] == 2000000


# --- each unit --------------------------------------------------------------------------------


def test_hours_are_computed_exactly_from_json_decimals(client):
    block = {"code": "PW", "unit": "fte_year", "rate_cents": 3600000}
    period = {"start": "2026-01-01", "end": "2026-12-31"}
    # 3.600.000 × 15.5/36 × 365/365 = 1.550.000 exactly; 12.25 hours -> 1.225.000 exactly.
    assert (
        valuate(client, block, {**period, "hours_per_week": 15.5}).get_json()["value_cents"]
        == 1550000
    )
    assert (
        valuate(client, block, {**period, "hours_per_week": "12.25"}).get_json()["value_cents"]
        == 1225000
    )


def test_fte_year_over_36_hours_and_beyond_max_days_is_capped(client):
    block = {"code": "DGR", "unit": "fte_year", "rate_cents": 5000000, "max_days": 730}
    realisation = {"start": "2026-01-01", "end": "2029-12-31", "hours_per_week": 40}
    assert valuate(client, block, realisation).get_json()["value_cents"] == 10000000


def test_month_unit(client):
    block = {"code": "WEP", "unit": "month", "rate_cents": 75000}
    realisation = {"start": "2026-01-01", "end": "2026-12-31"}
    body = valuate(client, block, realisation).get_json()
    assert body["value_cents"] == 900000
    assert body["breakdown"] == [{"code": "WEP", "value_cents": 900000}]


def test_hour_unit(client):
    block = {"code": "MA", "unit": "hour", "rate_cents": 10000}
    assert valuate(client, block, {"hours": 12.5}).get_json()["value_cents"] == 125000


def test_fixed_unit_counts_each_occurrence(client):
    block = {"code": "DIP", "unit": "fixed", "rate_cents": 250000}
    assert valuate(client, block, {}).get_json()["value_cents"] == 250000
    assert valuate(client, block, {"quantity": 3}).get_json()["value_cents"] == 750000


def test_cost_unit_counts_in_full(client):
    block = {"code": "OPL", "unit": "cost"}
    response = valuate(client, block, {"cost_excl_vat_cents": 123456})
    assert response.get_json()["value_cents"] == 123456


@pytest.mark.parametrize(
    ("certification", "value_cents"),
    [
        ("code_sociale_ondernemingen", 1000000),
        ("werkbedrijf", 1000000),
        ("pso_30_plus", 1000000),
        ("social_enterprise_nl", 500000),
        ("pso_trede_3", 300000),
        ("none", 0),
    ],
)
def test_invoice_uses_the_default_credit_table(client, certification, value_cents):
    block = {"code": "INK", "unit": "invoice"}
    realisation = {"invoice_excl_vat_cents": 1000000, "supplier_certification": certification}
    response = valuate(client, block, realisation)
    assert response.status_code == 200
    assert response.get_json()["value_cents"] == value_cents


def test_invoice_uses_the_blocks_own_credit_table(client):
    block = {"code": "INK", "unit": "invoice", "credit_bp_by_certification": {"werkbedrijf": 8000}}
    realisation = {"invoice_excl_vat_cents": 1000000, "supplier_certification": "werkbedrijf"}
    assert valuate(client, block, realisation).get_json()["value_cents"] == 800000


def test_obligation_below_threshold_is_not_applicable(client):
    body = {**OBLIGATION_EXAMPLE, "contract": {**OBLIGATION_EXAMPLE["contract"]}}
    body["contract"]["value_cents"] = 20000000
    result = client.post(OBLIGATION, json=body).get_json()
    assert result["obligation_cents"] == 0
    assert result["status"] == "not_applicable"
    assert "onder de drempel" in result["explanation"]


def test_obligation_exempt_through_pso_and_optional_fields_absent(client):
    body = {
        "policy": {
            "threshold_cents": 25000000,
            "min_duration_months": 6,
            "percentage_bp": 500,
            "pso_remaining_bp": {"trede_2": 0},
        },
        "contract": {
            "value_cents": 120000000,
            "award_date": "2026-02-01",
            "start": "2026-03-01",
            "end": "2028-02-29",
            "pso_level": "trede_2",
            "pso_valid_until": "2027-01-31",
        },
    }
    result = client.post(OBLIGATION, json=body).get_json()
    assert result["obligation_cents"] == 0
    assert result["status"] == "exempt"


def test_status_of_a_zero_obligation_is_not_applicable(client):
    response = client.post(STATUS, json={**STATUS_EXAMPLE, "obligation_cents": 0})
    assert response.get_json()["status"] == "not_applicable"


def test_status_fulfilled_and_forecast_null_before_the_start(client):
    fulfilled = client.post(STATUS, json={**STATUS_EXAMPLE, "approved_cents": 3000000})
    assert fulfilled.get_json()["status"] == "fulfilled"
    early = client.post(STATUS, json={**STATUS_EXAMPLE, "today": "2026-01-01"}).get_json()
    assert early["forecast_cents"] is None
    assert early["status"] == "on_track"


# --- errors -----------------------------------------------------------------------------------


def test_below_min_hours_is_422_with_the_domain_code(client):
    realisation = {**PW_EXAMPLE["realisation"], "hours_per_week": 11.5}
    response = valuate(client, PW_EXAMPLE["block"], realisation)
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "below_min_hours"
    assert set(error["fields"]) == {"hours_per_week"}
    assert error["message"]


def test_end_before_start_is_422_for_valuate_and_obligation(client):
    realisation = {**PW_EXAMPLE["realisation"], "end": "2025-12-31"}
    response = valuate(client, PW_EXAMPLE["block"], realisation)
    assert response.status_code == 422
    assert error_of(response)["code"] == "end_before_start"
    assert "end" in error_of(response)["fields"]

    body = {**OBLIGATION_EXAMPLE, "contract": {**OBLIGATION_EXAMPLE["contract"]}}
    body["contract"]["end"] = "2026-02-28"
    response = client.post(OBLIGATION, json=body)
    assert response.status_code == 422
    assert error_of(response)["code"] == "end_before_start"
    assert "end" in error_of(response)["fields"]


def test_more_than_two_decimals_of_hours_is_422(client):
    realisation = {**PW_EXAMPLE["realisation"], "hours_per_week": 24.125}
    response = valuate(client, PW_EXAMPLE["block"], realisation)
    assert response.status_code == 422
    assert "hours_per_week" in error_of(response)["fields"]["realisation"]


@pytest.mark.parametrize(
    ("url", "body", "path"),
    [
        (VALUATE, {**PW_EXAMPLE, "block": {**PW_EXAMPLE["block"], "rate_cents": -1}}, "block"),
        (
            OBLIGATION,
            {
                **OBLIGATION_EXAMPLE,
                "contract": {**OBLIGATION_EXAMPLE["contract"], "value_cents": -5},
            },
            "contract",
        ),
        (STATUS, {**STATUS_EXAMPLE, "approved_cents": -100}, "approved_cents"),
    ],
)
def test_negative_amounts_are_422(client, url, body, path):
    response = client.post(url, json=body)
    assert response.status_code == 422
    assert path in error_of(response)["fields"]


def test_invalid_json_is_400_with_the_envelope(client):
    response = client.post(VALUATE, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"json": ["Invalid JSON body."]}


def test_an_absurdly_long_number_is_400_not_500(client):
    body = '{"obligation_cents": ' + "9" * 5000 + "}"
    response = client.post(STATUS, data=body, content_type="application/json")
    assert response.status_code == 400


def test_missing_required_fields_are_422_with_fields(client):
    response = client.post(STATUS, json={"obligation_cents": 100})
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {"approved_cents", "start", "end"} <= set(fields)

    response = client.post(OBLIGATION, json={"policy": {"percentage_bp": 500}})
    fields = error_of(response)["fields"]
    assert "contract" in fields
    assert {"threshold_cents", "min_duration_months"} <= set(fields["policy"])


def test_unknown_unit_and_certification_are_refused(client):
    response = valuate(client, {"code": "X", "unit": "week"}, {})
    assert response.status_code == 422
    assert "unit" in error_of(response)["fields"]["block"]
    response = valuate(
        client,
        {"code": "INK", "unit": "invoice"},
        {"invoice_excl_vat_cents": 100, "supplier_certification": "friends"},
    )
    assert response.status_code == 422


def test_unknown_fields_are_refused(client):
    response = client.post(STATUS, json={**STATUS_EXAMPLE, "surprise": 1})
    assert response.status_code == 422
    assert "surprise" in error_of(response)["fields"]


def test_calculator_needs_no_login(client):
    assert client.post(STATUS, json=STATUS_EXAMPLE).status_code == 200


# --- OpenAPI ----------------------------------------------------------------------------------


def test_openapi_lists_the_three_paths_with_request_and_response_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, request_schema, response_schema in [
        (VALUATE, "ValuateRequest", "Valuation"),
        (OBLIGATION, "ObligationRequest", "Obligation"),
        (STATUS, "StatusRequest", "Status"),
    ]:
        post = spec["paths"][path]["post"]
        body = post["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{request_schema}"}
        ok = post["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{response_schema}"}
        assert "422" in post["responses"]
        assert "security" not in post
    block = spec["components"]["schemas"]["Block"]["properties"]
    assert block["unit"]["enum"] == ["fte_year", "month", "hour", "invoice", "fixed", "cost"]


def test_valuate_explains_in_the_requests_language(client):
    client.post("/taal/en", data={"next": "/"})
    explanation = client.post(VALUATE, json=PW_EXAMPLE).get_json()["explanation"]
    assert explanation.startswith("24 hours a week of a full-time week of 36 hours; ")
    assert explanation.endswith("; Total: €16,529.68")
