"""Numbers that are short to send but huge to compute with are refused before any arithmetic:
"1E-999999999" hours once made the exact valuation build a billion-digit integer (30 s a request).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.domain import valuation
from tests.factories import make_contract, make_policy

HUGE_EXPONENTS = ["1E-999999999", "1E+999999999", "0E-999999999", "9" * 400, "NaN"]


@pytest.mark.parametrize("hours", HUGE_EXPONENTS)
def test_calculator_refuses_huge_exponent_hours_with_422(client, hours):
    body = {
        "block": {"code": "PW", "unit": "fte_year", "rate_cents": 4000000},
        "realisation": {"start": "2026-01-01", "end": "2026-12-31", "hours_per_week": hours},
    }
    response = client.post("/api/v1/sroi/valuate", json=body)
    assert response.status_code == 422
    assert "hours_per_week" in response.get_json()["error"]["fields"]["realisation"]


@pytest.mark.parametrize("hours", HUGE_EXPONENTS)
def test_contractor_realisation_refuses_huge_exponent_hours_with_422(
    bearer, authority, contractor, hours
):
    officer, owner = authority.members[0].user, contractor.members[0].user
    make_policy(authority)
    contract = make_contract(authority, contractor, officer)
    body = {
        "block_code": "PW",
        "candidate_ref": "KAND-1",
        "start_date": "2026-03-01",
        "end_date": "2026-08-31",
        "hours_per_week": hours,
    }
    response = bearer(owner).post(f"/api/v1/contracts/{contract.id}/realisations", json=body)
    assert response.status_code == 422
    assert "hours_per_week" in response.get_json()["error"]["fields"]


def test_valuation_refuses_a_huge_exponent_before_computing_with_it():
    """The domain's own guard, for callers that skip the schemas (jobs, CLI, the web form)."""
    block = valuation.Block(code="PW", unit="fte_year", rate_cents=4000000)
    claim = valuation.RealisationInput(start=None, end=None, hours_per_week=Decimal("1E-999999999"))
    with pytest.raises(valuation.ValuationError) as refused:
        valuation.valuate(block, claim)
    assert refused.value.code == "too_many_decimals"
