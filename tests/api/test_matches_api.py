"""/api/v1/demands/{id}/matches and /api/v1/offerings/{id}/matches (docs/domain.md "Matches and
their SROI value")."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models._types import utcnow
from tests.factories import make_listing, make_user

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def buyer(parties):
    parties.contractor.verified_at = utcnow()
    db.session.commit()
    return parties.contractor


def test_a_demands_matches_have_dutch_reasons_and_the_sroi_preview(client, buyer, emco, contract):
    demand = make_listing(buyer, "demand", contract_id=contract.id, fte=2)
    offering = make_listing(emco, amount_cents=1_234_567, fte=3)

    response = client.get(f"/api/v1/demands/{demand.id}/matches")

    assert response.status_code == 200
    [item] = response.json["items"]
    assert item["id"] == offering.id and item["kind"] == "offering"
    assert item["score"] == 95  # everything but a PSO level
    assert item["reasons"][:4] == [
        "zelfde sector",
        "zelfde soort (dienst)",
        "in jouw arbeidsmarktregio",
        "capaciteit 3 fte past",
    ]
    assert {"code": "same_region", "params": {"region": "Drenthe"}} in item["reason_codes"]
    assert item["sroi_preview"] == {
        "contract_id": contract.id,
        "amount_cents": 1_234_567,
        "value_cents": 1_234_567,
        "certification": "werkbedrijf",
    }


def test_an_offerings_matches_list_the_demand_it_answers(client, buyer, emco, contract):
    demand = make_listing(buyer, "demand", contract_id=contract.id, amount_cents=800_000)
    offering = make_listing(emco, amount_cents=None)

    items = client.get(f"/api/v1/offerings/{offering.id}/matches").json["items"]

    assert [i["id"] for i in items] == [demand.id]
    assert items[0]["sroi_preview"]["value_cents"] == 800_000


def test_the_contractor_sees_what_closes_its_gap(client, bearer, buyer, emco, contract, parties):
    demand = make_listing(buyer, "demand", contract_id=contract.id, amount_cents=None)
    make_listing(emco, amount_cents=None)

    anonymous = client.get(f"/api/v1/demands/{demand.id}/matches").json["items"][0]
    assert anonymous["sroi_preview"] is None
    own = bearer(parties.owner).get(f"/api/v1/demands/{demand.id}/matches").json["items"][0]
    assert own["sroi_preview"]["value_cents"] == contract.remaining_cents == 6_000_000


def test_others_drafts_and_unknown_ids_are_404(client, bearer, buyer, emco, parties):
    draft = make_listing(buyer, "demand", status="draft")
    offering = make_listing(emco)

    assert client.get(f"/api/v1/demands/{draft.id}/matches").status_code == 404
    stranger = bearer(make_user())
    assert stranger.get(f"/api/v1/demands/{draft.id}/matches").status_code == 404
    assert bearer(parties.owner).get(f"/api/v1/demands/{draft.id}/matches").status_code == 200
    assert client.get(f"/api/v1/demands/{offering.id}/matches").status_code == 404  # other side
    assert client.get("/api/v1/offerings/999999/matches").status_code == 404
    response = client.get("/api/v1/offerings/99999999999999999999/matches")
    assert response.status_code == 404


def test_a_limit_out_of_range_is_422(client, emco):
    offering = make_listing(emco)
    response = client.get(f"/api/v1/offerings/{offering.id}/matches?limit=1000")
    assert response.status_code == 422
    assert "limit" in response.json["error"]["fields"]
