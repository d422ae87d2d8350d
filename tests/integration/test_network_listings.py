"""Network-only demand: seen by the network's members alone, everywhere listings are read (the
listing, the API's list, search with its total and counts, the front page's newest, matches,
match notices, saved-search digests), and refused with the way to pay to a member whose
membership lost its member features (docs/domain.md "The marketplace", "Memberships")."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import Listing, MatchNotice, Membership, Notification, SavedSearch
from marketplace.services import (
    invoices,
    listings,
    match_notices,
    matches,
    memberships,
    saved_searches,
    search,
)
from marketplace.services.errors import MembershipBlocked, NotFound, ServiceError
from marketplace.services.search import Filters
from tests.factories import (
    add_member,
    listing_data,
    make_listing,
    make_member,
    make_network,
    make_org,
    make_user,
)

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 12, 1, 10, 0), tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user("coordinator@metwerk.example.com"))


@pytest.fixture
def poster(network):
    """A verified contractor with member features in the network."""
    org = make_org("contractor", verified=True, name="Bouw B.V.", sectors=["schoonmaak"])
    make_member(network, org, "active")
    return org


def org_with(network, status: str | None, kind="social_enterprise", name=None):
    """A verified organisation whose membership of `network` is in `status` (None: none)."""
    org = make_org(kind, verified=True, name=name, sectors=["schoonmaak"])
    if status is not None:
        make_member(network, org, status)
    return org


def network_demand(poster, network, **fields) -> Listing:
    return make_listing(poster, "demand", network_id=network.id, **fields)


def user_of(org):
    return org.members[0].user


def test_a_network_demand_is_seen_by_members_and_the_network_and_404_for_others(network, poster):
    demand = network_demand(poster, network)
    assert demand.visibility == "network"
    for status in ("active", "past_due"):
        member = org_with(network, status)
        assert listings.visible_listing(demand.id, user_of(member)) == demand
    assert listings.visible_listing(demand.id, user_of(poster)) == demand
    assert listings.visible_listing(demand.id, network.members[0].user) == demand
    for stranger in (
        None,
        user_of(org_with(network, None)),
        user_of(org_with(network, "pending")),
        user_of(org_with(network, "rejected")),
        user_of(org_with(make_network(name="Ander Netwerk"), "active")),
    ):
        with pytest.raises(NotFound):
            listings.visible_listing(demand.id, stranger)


def test_a_suspended_member_is_told_to_pay_its_open_invoice(network, poster):
    demand = network_demand(poster, network)
    suspended = org_with(network, "suspended", name="Achterstallig B.V.")

    with pytest.raises(MembershipBlocked) as refused:
        listings.visible_listing(demand.id, user_of(suspended))

    assert refused.value.status == 403
    assert refused.value.membership_status == "suspended"
    assert refused.value.invoice_id == invoices.of_membership(poster_membership(suspended))[0].id
    assert "Achterstallig B.V." in refused.value.message
    assert "MetWerk" in refused.value.message


def test_a_cancelled_member_is_told_to_apply_again(network, poster):
    demand = network_demand(poster, network)
    cancelled = org_with(network, "cancelled")

    with pytest.raises(MembershipBlocked) as refused:
        listings.visible_listing(demand.id, user_of(cancelled))

    assert refused.value.invoice_id is None  # a cancelled membership is not paid back to life
    assert refused.value.network_slug == network.slug


def test_a_member_again_after_cancelling_sees_it(network, poster):
    demand = network_demand(poster, network)
    org = org_with(network, "cancelled")
    make_member(network, org, "active")
    assert listings.visible_listing(demand.id, user_of(org)) == demand


def test_only_a_member_with_member_features_posts_network_demand(network, poster):
    outsider = org_with(network, None, kind="contractor")
    with pytest.raises(ServiceError) as refused:
        make_listing(outsider, "demand", network_id=network.id)
    assert "network_id" in refused.value.fields

    with pytest.raises(ServiceError) as refused:
        make_listing(org_with(network, "active"), "offering", network_id=network.id)
    assert "network_id" in refused.value.fields

    suspended = org_with(network, "suspended", kind="contractor")
    with pytest.raises(MembershipBlocked):
        make_listing(suspended, "demand", network_id=network.id)
    assert db.session.query(Listing).filter_by(organisation_id=suspended.id).count() == 0


def test_the_network_posts_demand_for_its_own_members(network):
    demand = make_listing(network, "demand", network_id=network.id)
    assert demand.status == "open"


def test_a_blocked_member_cannot_put_its_network_draft_in_the_open(network, poster):
    draft = network_demand(poster, network, status="draft")
    membership = poster_membership(poster)
    membership.status = "suspended"
    db.session.commit()

    with pytest.raises(MembershipBlocked):
        listings.move(draft, user_of(poster), "publish", TODAY)
    assert db.session.get(Listing, draft.id).status == "draft"


def poster_membership(org) -> Membership:
    return db.session.query(Membership).filter_by(organisation_id=org.id).one()


def test_the_api_list_shows_network_demand_to_members_only(network, poster):
    demand = network_demand(poster, network)
    public = make_listing(poster, "demand", title="Een vraag voor iedereen")

    def ids(user):
        query = listings.public_listings(kind="demand", user=user)
        return {x.id for x in listings.a_page(query, 1, 50)[0]}

    assert ids(user_of(org_with(network, "active"))) == {demand.id, public.id}
    assert ids(user_of(org_with(network, "suspended"))) == {public.id}
    assert ids(None) == {public.id}


def test_search_totals_and_counts_leave_network_demand_to_its_members(network, poster):
    network_demand(poster, network, title="Schoonmaak voor leden")
    make_listing(poster, "demand", title="Schoonmaak voor iedereen")
    make_listing(org_with(network, None, kind="werkbedrijf"), title="Schoonmaak aanbod")
    member = org_with(network, "active")
    their = memberships.access_of([member.id]).networks

    public = search.search("schoonmaak")
    members = search.search("schoonmaak", networks=their)

    assert public.total == 2
    assert {h.title for h in public.items} == {"Schoonmaak voor iedereen", "Schoonmaak aanbod"}
    assert public.facets["kind"] == {"demand": 1, "offering": 1}
    assert members.total == 3
    assert members.facets["kind"] == {"demand": 2, "offering": 1}
    # A chosen facet still counts the others' documents as this viewer finds them.
    chosen = search.search("schoonmaak", Filters(kind=("offering",)), networks=their)
    assert chosen.total == 1 and chosen.facets["kind"]["demand"] == 2
    assert search.search("schoonmaak", Filters(kind=("offering",))).facets["kind"]["demand"] == 1
    # The public page's newest and counts never show it, whoever looks.
    assert [h.title for h in search.newest("demand")] == ["Schoonmaak voor iedereen"]
    assert search.counts_by_kind()["demand"] == 1


def test_a_members_offering_is_matched_with_its_network_demand(network, poster):
    demand = network_demand(poster, network, title="Schoonmaak voor leden")
    supplier = org_with(network, "active", kind="werkbedrijf")
    offering = make_listing(supplier, title="Schoonmaak door ons team")

    seen = matches.matches_of(offering, {supplier.id}, networks={network.id})
    unseen = matches.matches_of(offering, set())

    assert demand.id in [m.listing.id for m in seen.listings]
    assert demand.id not in [m.listing.id for m in unseen.listings]


def test_a_network_demand_is_announced_to_members_only(network, poster):
    member = org_with(network, "active", kind="werkbedrijf", name="Lid Werkbedrijf")
    stranger = org_with(network, None, kind="werkbedrijf", name="Vreemd Werkbedrijf")
    for org in (member, stranger):
        make_listing(org, title=f"Schoonmaak van {org.name}")
    demand = network_demand(poster, network, title="Schoonmaak voor leden")
    db.session.query(MatchNotice).delete()
    db.session.commit()

    match_notices.notify_matches(demand.id)

    told = {
        n.organisation_id for n in db.session.query(MatchNotice).filter_by(listing_id=demand.id)
    }
    assert member.id in told
    assert stranger.id not in told


def test_a_saved_search_digest_names_network_demand_to_members_only(network, poster):
    member = org_with(network, "active")
    stranger = org_with(network, None)
    searches = {}
    for org in (member, stranger):
        searches[org.id] = saved_searches.save(user_of(org), "schoonmaak", Filters()).id
    later = datetime(2026, 12, 1, 11, 0)
    with time_machine.travel(later, tick=False):
        network_demand(poster, network, title="Schoonmaak voor leden")

    with time_machine.travel(later + timedelta(hours=1), tick=False):
        saved_searches.daily_digest(TODAY, later + timedelta(hours=1))

    def items(org):
        note = (
            db.session.query(Notification)
            .filter_by(user_id=user_of(org).id, kind="saved_search")
            .one_or_none()
        )
        return note.params["items"] if note else []

    assert items(member) == ["Schoonmaak voor leden"]
    assert items(stranger) == []
    assert db.session.get(SavedSearch, searches[member.id]).digested_on == TODAY


def test_a_second_user_of_a_member_sees_it_and_the_poster_keeps_it_when_blocked(network, poster):
    demand = network_demand(poster, network)
    colleague = make_user()
    add_member(poster, colleague)
    assert listings.visible_listing(demand.id, colleague) == demand
    poster_membership(poster).status = "suspended"
    db.session.commit()
    assert listings.visible_listing(demand.id, user_of(poster)) == demand
    # Its own edits keep the network (it is not shown meanwhile to no one who may not see it).
    data = listing_data(title="Schoonmaak voor leden, aangepast", network_id=network.id)
    listings.change(demand, user_of(poster), TODAY, data=data)
    assert db.session.get(Listing, demand.id).network_id == network.id
