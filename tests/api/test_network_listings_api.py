"""/api/v1/demands with network-only demand: members see it, others get a 404, a suspended
member a 403 `membership_blocked`; the list and search count it for members only; posting it
needs member features in the network. One member follows its membership:
sees it on every path while active, nowhere once paused, everywhere again once resumed.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.models import Listing
from marketplace.services import member_actions, search
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


# --- one member through suspension and back -------------------------------------------------

TITLE = "Schoonmaak voor de leden"


@pytest.fixture
def world(network, demand):
    """An active member with an offering that matches the network demand, and public demand."""
    make_listing(make_org("contractor", verified=True), "demand", title="Schoonmaak voor iedereen")
    org = make_org(
        "werkbedrijf", owner=make_user("lid@werk.example.com"), verified=True, name="Werk B.V."
    )
    membership = make_member(network, org, "active")
    offering = make_listing(org, "offering", title="Ons team in gebouwen")
    return network, membership, demand, offering


def seen_everywhere(client, bearer, world) -> dict[str, object]:
    """What the member finds of the network demand on each path."""
    _network, membership, demand, offering = world
    api = bearer(membership.organisation.members[0].user)
    search._forget_counts()
    search_page = client.get("/zoeken?q=schoonmaak&kind=demand").get_data(as_text=True)
    matches = api.get(f"/api/v1/offerings/{offering.id}/matches").get_json()
    return {
        "page": client.get(f"/markt/vraag/{demand.id}").status_code,
        "api": api.get(f"/api/v1/demands/{demand.id}").status_code,
        "api list": api.get("/api/v1/demands").get_json()["total"],
        "search page": (TITLE in search_page, "Resultaten gevonden: 2" in search_page),
        "api search": api.get("/api/v1/search?q=schoonmaak&kind=demand").get_json()["total"],
        "offering page": TITLE in client.get(f"/markt/aanbod/{offering.id}").get_data(as_text=True),
        "api matches": demand.id in [m["id"] for m in matches["items"]],
    }


VISIBLE = {
    "page": 200,
    "api": 200,
    "api list": 2,
    "search page": (True, True),
    "api search": 2,
    "offering page": True,
    "api matches": True,
}
HIDDEN = {
    "page": 403,  # membership blocked: why, and how to get back
    "api": 403,
    "api list": 1,
    "search page": (False, False),
    "api search": 1,
    "offering page": False,
    "api matches": False,
}


def test_network_demand_follows_the_membership_from_active_to_suspended_and_back(
    client, auth, bearer, world
):
    network, membership, _demand, _offering = world
    admin = network.members[0].user
    auth.login("lid@werk.example.com")
    assert seen_everywhere(client, bearer, world) == VISIBLE

    member_actions.pause(network.slug, membership.id, "Even niet", admin)
    assert seen_everywhere(client, bearer, world) == HIDDEN

    member_actions.resume(network.slug, membership.id, admin)
    assert seen_everywhere(client, bearer, world) == VISIBLE
