"""Network-only demand follows the membership as it moves: an active member sees it on every
path (listing page, API detail and list, search pages and API, its offering's matches), the
same member sees it nowhere once the network's admin suspends the membership (the page and the
API say why), and everywhere again once it is let back in. Each path reads the one rule of
`memberships.access_of`, the same as the member-only features."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.services import member_actions, search
from tests.factories import make_listing, make_member, make_network, make_org, make_user

TODAY = date(2026, 12, 1)
TITLE = "Schoonmaak voor de leden"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(app):
    network = make_network(make_user("coordinator@metwerk.example.com"))
    poster = make_org("contractor", verified=True, name="Bouw B.V.")
    make_member(network, poster, "active")
    demand = make_listing(poster, "demand", title=TITLE, network_id=network.id)
    make_listing(make_org("contractor", verified=True), "demand", title="Schoonmaak voor iedereen")
    member = make_org(
        "werkbedrijf", owner=make_user("lid@werk.example.com"), verified=True, name="Werk B.V."
    )
    membership = make_member(network, member, "active")
    offering = make_listing(member, "offering", title="Ons team in gebouwen")
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
