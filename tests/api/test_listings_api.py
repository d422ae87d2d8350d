"""/api/v1/demands and /api/v1/offerings: posting, reading, changing and withdrawing listings,
the forbidden cases and hostile input (docs/domain.md "Listings")."""

from __future__ import annotations

from datetime import date

import pytest
import requests
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Listing
from marketplace.services import accounts
from tests.factories import add_member, make_contract, make_listing, make_org, make_user
from tests.querycount import counting_statements
from tests.served import at_once

TODAY = date(2026, 12, 1)
OFFERINGS = "/api/v1/offerings"
DEMANDS = "/api/v1/demands"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def emco_api(bearer, emco):
    return bearer(emco.members[0].user)


def offering(**overrides) -> dict:
    return {
        "title": "Groenonderhoud met een vaste ploeg",
        "description": "Een ploeg van 4 medewerkers met voorman, eigen materieel.",
        "sector": "groenvoorziening",
        "type": "service",
        "region": "Drenthe",
        "price_cents": 3800000,
        "volume": "4 fte",
        "fte": "4",
        "available_from": "2027-01-01",
        **overrides,
    }


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Listing))


def test_a_verified_werkbedrijf_posts_an_offering_and_publishes_it_at_once(emco_api, client, emco):
    response = emco_api.post(OFFERINGS, json=offering(status="open"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "open"
    assert body["price_cents"] == 3800000
    assert body["available_from"] == "2027-01-01"
    assert body["organisation_id"] == emco.id
    assert body["fte"] == "4.00"
    assert "pause" in body["actions"]
    public = client.get(f"{OFFERINGS}/{body['id']}").get_json()
    assert public["title"] == "Groenonderhoud met een vaste ploeg"
    assert public["actions"] == []
    listed = client.get(OFFERINGS).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert listed["total"] == 1


def test_an_unverified_organisation_posts_drafts_and_cannot_publish(bearer):
    buurt = make_org("social_enterprise", owner=make_user("buurt@example.com"), name="Buurtsupport")
    api = bearer(buurt.members[0].user)
    refused = api.post(OFFERINGS, json=offering(status="open"))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["code"] == "unverified"
    assert count() == 0
    draft = api.post(OFFERINGS, json=offering())
    assert draft.status_code == 201 and draft.get_json()["status"] == "draft"
    assert (
        api.patch(f"{OFFERINGS}/{draft.get_json()['id']}", json={"status": "open"}).status_code
        == 422
    )


def test_a_contractor_posts_demand_for_its_contract_and_only_it_sees_the_contract(
    bearer, client, parties, contract
):
    parties.contractor.verified_at = parties.contractor.created_at
    db.session.commit()
    api = bearer(parties.owner)
    payload = {
        **{k: v for k, v in offering().items() if k not in ("price_cents", "available_from")},
        "budget_cents": 5000000,
        "wanted_by": "2027-02-01",
        "contract_id": contract.id,
        "status": "open",
    }
    response = api.post(DEMANDS, json=payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["budget_cents"], body["wanted_by"], body["contract_id"]) == (
        5000000,
        "2027-02-01",
        contract.id,
    )
    assert client.get(f"{DEMANDS}/{body['id']}").get_json()["contract_id"] is None
    assert client.get(f"{OFFERINGS}/{body['id']}").status_code == 404
    assert api.post(OFFERINGS, json=offering()).status_code == 403


def test_a_demand_for_someone_elses_contract_is_refused_by_field(bearer, parties, contract):
    other = make_org("contractor", owner=make_user("ander@example.com"))
    api = bearer(other.members[0].user)
    payload = {**offering(), "contract_id": contract.id}
    del payload["price_cents"], payload["available_from"]
    response = api.post(DEMANDS, json=payload)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"contract_id"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 161}, "title"),
        ({"title": "abc"}, "title"),
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"price_cents": -1}, "price_cents"),
        ({"price_cents": 10**16}, "price_cents"),
        ({"price_cents": "12"}, "price_cents"),
        ({"available_from": "2026-11-30"}, "available_from"),
        ({"available_until": "2040-01-01"}, "available_until"),
        ({"sector": "kolenmijn"}, "sector"),
        ({"region": "Atlantis"}, "region"),
        ({"type": "dienst"}, "type"),
        ({"fte": "-1"}, "fte"),
        ({"fte": "1.234"}, "fte"),
        ({"volume": "x" * 81}, "volume"),
        ({"status": "matched"}, "status"),
        ({"budget_cents": 100}, "budget_cents"),
    ],
)
def test_hostile_fields_are_refused_by_name_and_nothing_is_saved(emco_api, change, field):
    response = emco_api.post(OFFERINGS, json=offering(**change))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert count() == 0


def test_html_in_a_listing_is_stored_as_text_and_served_as_json(emco_api, client):
    body = emco_api.post(
        OFFERINGS, json=offering(title="<script>alert(1)</script> catering", status="open")
    ).get_json()
    assert body["title"] == "<script>alert(1)</script> catering"
    page = client.get(f"/markt/aanbod/{body['id']}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_writing_needs_a_token_reading_does_not(client, emco):
    listing = make_listing(emco)
    assert client.post(OFFERINGS, json=offering()).status_code == 401
    assert (
        client.patch(f"{OFFERINGS}/{listing.id}", json={"title": "Anders dan eerst"}).status_code
        == 401
    )
    assert client.delete(f"{OFFERINGS}/{listing.id}").status_code == 401
    assert client.get(f"{OFFERINGS}/{listing.id}").status_code == 200


def test_others_get_404_for_drafts_and_paused_and_403_for_changes(bearer, client, emco):
    draft = make_listing(emco, status="draft")
    paused = make_listing(emco, status="paused")
    public = make_listing(emco)
    stranger = bearer(make_org("contractor", owner=make_user("x@example.com")).members[0].user)
    for hidden in (draft, paused):
        assert client.get(f"{OFFERINGS}/{hidden.id}").status_code == 404
        assert stranger.get(f"{OFFERINGS}/{hidden.id}").status_code == 404
        assert (
            stranger.patch(f"{OFFERINGS}/{hidden.id}", json={"status": "open"}).status_code == 404
        )
        assert stranger.delete(f"{OFFERINGS}/{hidden.id}").status_code == 404
    assert (
        stranger.patch(f"{OFFERINGS}/{public.id}", json={"title": "Overgenomen!"}).status_code
        == 403
    )
    assert stranger.delete(f"{OFFERINGS}/{public.id}").status_code == 403
    assert db.session.get(Listing, public.id).status == "open"
    assert [i["id"] for i in stranger.get(OFFERINGS).get_json()["items"]] == [public.id]
    assert client.get(f"{OFFERINGS}/99999999").status_code == 404


def test_the_owner_sees_its_drafts_in_the_list(emco_api, emco):
    draft = make_listing(emco, status="draft")
    listed = emco_api.get(f"{OFFERINGS}?status=draft").get_json()
    assert [item["id"] for item in listed["items"]] == [draft.id]


def test_the_list_and_a_listing_ask_for_the_callers_organisations_once(emco_api, emco):
    """The organisations loaded before the view (blueprints/layout.py) serve every ownership
    check: the statements of a page of the list do not grow with its items."""

    def statements(path: str) -> int:
        with counting_statements(db.engine) as seen:
            assert emco_api.get(path).status_code == 200
        return seen.count

    make_listing(emco)
    few = statements(OFFERINGS)
    listing = make_listing(emco)
    for _ in range(6):
        make_listing(emco)
    assert statements(OFFERINGS) == few
    assert statements(f"{OFFERINGS}/{listing.id}") <= few - 1


def test_patch_changes_fields_and_moves_the_status_in_one_go(emco_api, emco):
    colleague = make_user("collega@example.com")
    add_member(emco, colleague)
    listing = make_listing(emco)
    url = f"{OFFERINGS}/{listing.id}"
    body = emco_api.patch(url, json={"price_cents": 4100000, "status": "paused"}).get_json()
    assert (body["price_cents"], body["status"]) == (4100000, "paused")
    assert emco_api.patch(url, json={"status": "closed"}).get_json()["status"] == "closed"
    refused = emco_api.patch(url, json={"title": "Nieuwe titel hier", "status": "paused"})
    assert refused.status_code == 422
    assert db.session.get(Listing, listing.id).title != "Nieuwe titel hier"
    assert emco_api.patch(url, json={"status": "open"}).get_json()["status"] == "open"


def test_delete_removes_a_draft_and_closes_a_published_listing(emco_api, emco):
    draft = make_listing(emco, status="draft")
    public = make_listing(emco)
    matched = make_listing(emco, status="matched")
    assert emco_api.delete(f"{OFFERINGS}/{draft.id}").status_code == 204
    assert db.session.get(Listing, draft.id) is None
    assert emco_api.delete(f"{OFFERINGS}/{public.id}").status_code == 204
    assert db.session.get(Listing, public.id).status == "closed"
    assert emco_api.delete(f"{OFFERINGS}/{public.id}").status_code == 204
    assert emco_api.delete(f"{OFFERINGS}/{matched.id}").status_code == 422


def test_a_member_of_several_organisations_names_the_one_it_posts_for(bearer, emco):
    user = emco.members[0].user
    other = make_org("social_enterprise", owner=user, name="Menso", verified=True)
    api = bearer(user)
    asked = api.post(OFFERINGS, json=offering())
    assert asked.status_code == 422
    assert asked.get_json()["error"]["code"] == "organisation_required"
    posted = api.post(OFFERINGS, json=offering(organisation_id=other.id))
    assert posted.get_json()["organisation_id"] == other.id
    foreign = make_org("werkbedrijf", name="Wedeka")
    assert api.post(OFFERINGS, json=offering(organisation_id=foreign.id)).status_code == 403


def test_the_openapi_document_has_both_sides_with_their_own_field_names(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (DEMANDS, f"{DEMANDS}/{{listing_id}}", OFFERINGS, f"{OFFERINGS}/{{listing_id}}"):
        assert path.removeprefix("/api/v1") in spec["paths"] or path in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert "budget_cents" in schemas["DemandCreate"]["properties"]
    assert "price_cents" in schemas["OfferingCreate"]["properties"]


def test_a_contract_of_the_contractor_makes_a_demand_it_can_close(bearer, parties, contract):
    api = bearer(parties.owner)
    payload = {k: v for k, v in offering().items() if k not in ("price_cents", "available_from")}
    created = api.post(DEMANDS, json={**payload, "contract_id": contract.id}).get_json()
    assert api.delete(f"{DEMANDS}/{created['id']}").status_code == 204
    assert count() == 0
    other_contract = make_contract(parties.authority, make_org("contractor"), parties.officer)
    assert other_contract.id != contract.id


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"price_cents": -1},
        {"available_until": "2026-11-30"},
        {"region": "Atlantis"},
        {"contract_id": 1},
        {"status": "expired"},
        {"status": "matched"},
        {"kind": "demand"},
        {"organisation_id": 1},
    ],
)
def test_a_hostile_patch_is_refused_and_changes_nothing(emco_api, emco, change):
    listing = make_listing(emco)
    before = (listing.title, listing.amount_cents, listing.region, listing.status)
    response = emco_api.patch(f"{OFFERINGS}/{listing.id}", json=change)
    assert response.status_code == 422, response.get_json()
    db.session.expire_all()
    stored = db.session.get(Listing, listing.id)
    assert (stored.title, stored.amount_cents, stored.region, stored.status) == before


def test_two_publishes_at_once_publish_once(emco, live):
    draft = make_listing(emco, status="draft")
    tokens = [accounts.create_token(emco.members[0].user, "t") for _ in range(2)]
    url = f"{live.url}{OFFERINGS}/{draft.id}"

    def publish(token: str):
        return lambda: requests.patch(
            url, json={"status": "open"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    responses = at_once([publish(t) for t in tokens])

    # The second asks for a status the listing already has (200, nothing to do) or, had it read
    # the draft before the first committed, is refused; either way the listing is published once.
    assert sorted(r.status_code for r in responses) in ([200, 200], [200, 409], [200, 422])
    db.session.rollback()
    publishes = db.session.scalars(
        select(AuditLog.action).where(
            AuditLog.object_type == "Listing",
            AuditLog.object_id == draft.id,
            AuditLog.action == "listing.publish",
        )
    ).all()
    assert publishes == ["listing.publish"]
    assert db.session.get(Listing, draft.id).status == "open"
