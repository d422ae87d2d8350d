"""Posting and moving marketplace listings (services/listings.py; docs/domain.md "Listings")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Listing
from marketplace.services import listings
from marketplace.services.errors import Forbidden, NotFound, ServiceError
from tests.factories import (
    listing_data,
    make_contract,
    make_listing,
    make_org,
    make_policy,
    make_user,
)

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 12, 1), tick=False):
        yield


def test_a_new_listing_is_a_draft_with_its_audit_row(emco):
    listing = listings.create(emco, emco.members[0].user, "offering", listing_data(), TODAY)
    assert listing.status == "draft"
    assert listing.published_at is None
    assert (
        db.session.scalar(
            select(AuditLog.action).where(
                AuditLog.object_type == "Listing", AuditLog.object_id == listing.id
            )
        )
        == "listing.created"
    )


def test_a_verified_organisation_publishes_and_the_date_is_kept(emco):
    listing = make_listing(emco, last_day=TODAY + timedelta(days=30), date_from=TODAY)
    assert listing.status == "open"
    assert listing.published_at is not None
    assert listing.expires_on == TODAY + timedelta(days=30)
    assert listing.available_from == TODAY
    assert listing.wanted_by is None


def test_an_unverified_organisation_drafts_but_cannot_publish(app):
    org = make_org("social_enterprise", name="Buurtsupport")
    listing = make_listing(org, status="draft")
    with pytest.raises(ServiceError) as refused:
        listings.move(listing, org.members[0].user, "publish", TODAY)
    assert refused.value.code == "unverified"
    assert "niet geverifieerd" in refused.value.message
    assert db.session.get(Listing, listing.id).status == "draft"


def test_a_contractor_cannot_post_an_offering(contractor):
    with pytest.raises(Forbidden):
        listings.create(contractor, contractor.members[0].user, "offering", listing_data(), TODAY)


def test_every_wrong_field_is_named_at_once_and_nothing_is_saved(emco):
    bad = listing_data(
        title="ab",
        description="  ",
        sector="kolenmijn",
        type="dienst",
        region="Atlantis",
        amount_cents=-1,
        volume="x" * 81,
        fte=Decimal("0.001"),
        date_from=TODAY - timedelta(days=1),
        last_day=TODAY + timedelta(days=365 * 11),
    )
    with pytest.raises(ServiceError) as refused:
        listings.create(emco, emco.members[0].user, "offering", bad, TODAY)
    assert set(refused.value.fields) == {
        "title",
        "description",
        "sector",
        "type",
        "region",
        "amount_cents",
        "volume",
        "fte",
        "date_from",
        "last_day",
    }
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


def test_a_demand_serves_only_a_contract_of_its_own_organisation(contractor, authority):
    officer = authority.members[0].user
    make_policy(authority)
    own = make_contract(authority, contractor, officer)
    other = make_contract(authority, make_org("contractor"), officer)
    user = contractor.members[0].user
    listing = listings.create(contractor, user, "demand", listing_data(contract_id=own.id), TODAY)
    assert listing.contract_id == own.id
    with pytest.raises(ServiceError) as refused:
        listings.create(contractor, user, "demand", listing_data(contract_id=other.id), TODAY)
    assert set(refused.value.fields) == {"contract_id"}


def test_a_date_that_has_passed_since_may_stay_but_a_new_one_must_not_be_past(emco):
    listing = make_listing(emco, date_from=TODAY)
    user = emco.members[0].user
    later = TODAY + timedelta(days=40)
    with time_machine.travel(later, tick=False):
        listings.change(
            listing, user, later, data=listing_data(title="Nog steeds beschikbaar", date_from=TODAY)
        )
        assert listing.title == "Nog steeds beschikbaar"
        with pytest.raises(ServiceError) as refused:
            listings.change(
                listing, user, later, data=listing_data(date_from=TODAY + timedelta(days=1))
            )
        assert set(refused.value.fields) == {"date_from"}


def test_pause_resume_close_and_reopen(emco):
    listing = make_listing(emco)
    user = emco.members[0].user
    for action, status in (
        ("pause", "paused"),
        ("resume", "open"),
        ("close", "closed"),
        ("reopen", "open"),
    ):
        listings.move(listing, user, action, TODAY)
        assert listing.status == status
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.object_id == listing.id).order_by(AuditLog.id)
    ).all()
    assert actions[-4:] == ["listing.pause", "listing.resume", "listing.close", "listing.reopen"]


def test_a_listing_past_its_last_day_reopens_only_with_a_new_date(emco):
    listing = make_listing(emco, last_day=TODAY + timedelta(days=2))
    user = emco.members[0].user
    listings.move(listing, user, "close", TODAY)
    later = TODAY + timedelta(days=5)
    with pytest.raises(ServiceError) as refused:
        listings.move(listing, user, "reopen", later)
    assert refused.value.code == "date_passed"
    listings.change(listing, user, later, data=listing_data(last_day=later + timedelta(days=10)))
    assert listings.move(listing, user, "reopen", later).status == "open"


def test_only_drafts_are_deleted(emco):
    user = emco.members[0].user
    draft = make_listing(emco, status="draft")
    listings.delete_draft(draft, user)
    assert db.session.get(Listing, draft.id) is None
    published = make_listing(emco)
    with pytest.raises(ServiceError):
        listings.delete_draft(published, user)


def test_others_see_no_drafts_or_paused_listings_and_change_nothing(emco):
    stranger = make_user("stranger@example.com")
    draft = make_listing(emco, status="draft")
    paused = make_listing(emco, status="paused")
    public = make_listing(emco)
    for hidden in (draft, paused):
        with pytest.raises(NotFound):
            listings.visible_listing(hidden.id, stranger)
        with pytest.raises(NotFound):
            listings.visible_listing(hidden.id, None)
        assert listings.visible_listing(hidden.id, emco.members[0].user) is hidden
    assert listings.visible_listing(public.id, None) is public
    with pytest.raises(NotFound):
        listings.visible_listing(public.id, None, kind="demand")
    with pytest.raises(Forbidden):
        listings.owned_listing(public.id, stranger)
    visible = db.session.scalars(listings.public_listings(user=stranger)).all()
    assert visible == [public]
