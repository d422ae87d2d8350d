"""/api/v1/demands with network-only demand: members see it, others get a 404, a suspended
member a 403 `membership_blocked`; the list and search count it for members only; posting it
needs member features in the network."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.models import Listing
from marketplace.services import search
from tests.factories import make_listing, make_member, make_network, make_org, make_user

TODAY = date(2026, 12, 1)
DEMANDS = "/api/v1/demands"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user("coordinator@metwerk.example.com"))


@pytest.fixture
def poster(network):
    org = make_org("contractor", verified=True, name="Bouw B.V.")
    make_member(network, org, "active")
    return org


@pytest.fixture
def demand(network, poster) -> Listing:
    return make_listing(poster, "demand", title="Schoonmaak voor de leden", network_id=network.id)


def member(network, status: str | None):
    org = make_org("social_enterprise", verified=True)
    if status is not None:
        make_member(network, org, status)
    return org


def test_the_api_shows_network_demand_to_members_only(client, bearer, network, demand):
    active = member(network, "active")
    suspended = member(network, "suspended")
    stranger = member(network, None)

    body = bearer(active.members[0].user).get(f"{DEMANDS}/{demand.id}").get_json()
    assert body["network_id"] == network.id
    assert client.get(f"{DEMANDS}/{demand.id}").status_code == 404
    assert bearer(stranger.members[0].user).get(f"{DEMANDS}/{demand.id}").status_code == 404
    refused = bearer(suspended.members[0].user).get(f"{DEMANDS}/{demand.id}")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "membership_blocked"
    assert client.get(DEMANDS).get_json()["total"] == 0
    assert bearer(active.members[0].user).get(DEMANDS).get_json()["total"] == 1
    search._forget_counts()
    assert client.get("/api/v1/search?q=schoonmaak").get_json()["total"] == 0
    member_search = bearer(active.members[0].user).get("/api/v1/search?q=schoonmaak")
    assert member_search.get_json()["total"] == 1


def test_a_member_posts_network_demand_through_the_api(bearer, network, poster):
    api = bearer(poster.members[0].user)
    response = api.post(
        DEMANDS,
        json={
            "title": "Catering voor de ledenavond",
            "description": "Een buffet voor 80 personen.",
            "sector": "horeca_catering",
            "type": "service",
            "region": "Drenthe",
            "network_id": network.id,
            "status": "open",
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["network_id"] == network.id
    refused = api.post(
        DEMANDS,
        json={
            "title": "Catering voor de ledenavond",
            "description": "Een buffet voor 80 personen.",
            "sector": "horeca_catering",
            "type": "service",
            "region": "Drenthe",
            "network_id": make_network(name="Ander Netwerk").id,
        },
    )
    assert refused.status_code == 422
    assert "network_id" in refused.get_json()["error"]["fields"]
