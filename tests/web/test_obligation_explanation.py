"""A contract's obligation explanation is stored as steps and shown in the reader's language
(docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

from html import unescape

from marketplace.extensions import db
from marketplace.models import Contract
from tests.factories import make_contract, make_policy

OFFICER = "officer@authority.example.com"


def _explanation(client, contract_id: int) -> str:
    page = unescape(client.get(f"/contracten/{contract_id}").get_data(as_text=True))
    return page.split('class="app-explanation">', 1)[1].split("</ol>", 1)[0]


def test_the_contract_page_explains_the_obligation_in_dutch_and_in_english(
    client, auth, authority, contractor
):
    make_policy(authority, cap_cents=5_000_000)
    contract = make_contract(authority, contractor, authority.members[0].user)
    assert db.session.get(Contract, contract.id).obligation_steps == [
        [
            "percentage",
            {"percentage_bp": 500, "value_cents": 120_000_000, "amount_cents": 6_000_000},
        ],
        ["capped", {"cap_cents": 5_000_000}],
    ]
    auth.login(OFFICER)

    dutch = _explanation(client, contract.id)
    assert "<li>5% van € 1.200.000,00 = € 60.000,00</li>" in dutch
    assert "<li>Begrensd op het maximum van € 50.000,00</li>" in dutch

    client.post("/taal/en", data={"next": "/"})
    english = _explanation(client, contract.id)
    assert "<li>5% of €1,200,000.00 = €60,000.00</li>" in english
    assert "<li>Capped at the maximum of €50,000.00</li>" in english


def test_the_calculator_api_explains_in_the_requests_language(client):
    body = {
        "policy": {"threshold_cents": 25_000_000, "min_duration_months": 6, "percentage_bp": 500},
        "contract": {
            "value_cents": 100,
            "award_date": "2026-02-01",
            "start": "2026-03-01",
            "end": "2026-04-30",
        },
    }
    dutch = client.post("/api/v1/sroi/obligation", json=body).get_json()["explanation"]
    assert dutch == (
        "Contractwaarde € 1,00 ligt onder de drempel van € 250.000,00; "
        "Looptijd korter dan 6 maanden"
    )
    client.post("/taal/en", data={"next": "/"})
    english = client.post("/api/v1/sroi/obligation", json=body).get_json()["explanation"]
    assert english == (
        "Contract value €1.00 is below the threshold of €250,000.00; Duration shorter than 6 months"
    )
