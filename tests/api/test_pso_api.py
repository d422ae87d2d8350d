"""Through the API too, a self-declared PSO certificate does not lower an obligation until it is
verified, and the contract says which certificate awaits verification."""

from __future__ import annotations

from datetime import date

import time_machine

from marketplace.services import accounts, pso
from tests.api.test_contracts_api import contract_payload
from tests.factories import make_policy

CONTRACTS = "/api/v1/contracts"


@time_machine.travel(date(2026, 1, 15), tick=False)
def test_api_registration_ignores_an_unverified_certificate_until_it_is_verified(
    bearer, authority, contractor
):
    make_policy(authority, pso_remaining_bp={"trede_3": 0})
    owner = contractor.members[0].user
    cert = pso.record_certificate(
        contractor, "trede_3", "PSO-3", date(2027, 6, 30), owner, date(2026, 1, 15)
    )
    officer = bearer(accounts.find_by_email("officer@authority.example.com"))

    registered = officer.post(CONTRACTS, contract_payload(contractor)).get_json()

    assert (registered["obligation_cents"], registered["pso_level"]) == (1500000, None)
    detail = officer.get(f"{CONTRACTS}/{registered['id']}").get_json()
    assert detail["pso_unverified_certificate"] == {
        "level": "trede_3",
        "number": "PSO-3",
        "valid_until": "2027-06-30",
    }

    pso.verify(cert.id, accounts.find_by_email("officer@authority.example.com"))

    detail = officer.get(f"{CONTRACTS}/{registered['id']}").get_json()
    assert (detail["obligation_cents"], detail["obligation_status"]) == (0, "exempt")
    assert detail["pso_unverified_certificate"] is None
