"""The marketplace's daily expiry job: listings past their last day expire, and their owners are
told once, from 7 days before (docs/domain.md "Listings"). Time is frozen; each day's run is
repeated to show the job is idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing, Notification
from marketplace.services import audit, jobs, listings, notifications
from tests.factories import add_member, make_listing, make_org, make_user
from tests.mailbox import outbox_messages

TODAY = date(2026, 12, 1)


def run_on(day: date) -> None:
    with time_machine.travel(day, tick=False):
        jobs.listing_expiry_sweep()
        jobs.listing_expiry_sweep()


def status(listing: Listing) -> str:
    db.session.expire_all()
    return db.session.get(Listing, listing.id).status


def test_the_owner_is_told_once_a_week_before_and_the_listing_expires_after_its_last_day(app):
    owner = make_user("wvs@example.com")
    org = make_org("werkbedrijf", owner=owner, name="WVS-groep", verified=True)
    add_member(org, make_user("collega@wvs.example.com"))
    last_day = TODAY + timedelta(days=10)
    with time_machine.travel(TODAY, tick=False):
        listing = make_listing(org, title="Postbezorging en drukwerk", last_day=last_day)

    run_on(last_day - timedelta(days=8))
    assert outbox_messages("wvs@example.com") == []

    run_on(last_day - timedelta(days=7))
    notices = outbox_messages("wvs@example.com")
    assert [m["Subject"] for m in notices] == ["Je vraag of aanbod verloopt binnenkort"]
    assert "Postbezorging en drukwerk" in notices[0].get_content()
    assert len(outbox_messages("collega@wvs.example.com")) == 1

    run_on(last_day)
    assert status(listing) == "open"
    assert len(outbox_messages("wvs@example.com")) == 1

    run_on(last_day + timedelta(days=1))
    assert status(listing) == "expired"
    assert len(outbox_messages("wvs@example.com")) == 1
    assert [entry.action for entry in audit.history("Listing", listing.id)][0] == "listing.expire"


def test_the_expiry_notice_is_a_notification_each_member_can_turn_off(app):
    """Told through services/notifications like every marketplace event: in the app with a link
    to the listing, and by mail unless the member turned that off."""
    org = make_org("werkbedrijf", owner=make_user("wvs@example.com"), name="WVS", verified=True)
    colleague = make_user("collega@wvs.example.com")
    add_member(org, colleague)
    on = notifications.preferences(colleague)
    notifications.set_preferences(colleague, [(k, c) for k, c in on if k != "listing_expiry"])
    last_day = TODAY + timedelta(days=10)
    with time_machine.travel(TODAY, tick=False):
        listing = make_listing(org, title="Postbezorging en drukwerk", last_day=last_day)

    run_on(last_day - timedelta(days=7))

    assert outbox_messages("collega@wvs.example.com") == []
    mail = outbox_messages("wvs@example.com")
    assert len(mail) == 1
    assert f"/markt/aanbod/{listing.id}" in mail[0].get_content()
    told = db.session.scalars(select(Notification).where(Notification.kind == "listing_expiry"))
    assert [(n.user_id, n.link_name, n.link_args) for n in told] == [
        (org.members[0].user_id, "offering", {"listing_id": listing.id})
    ]


def test_listings_without_a_date_drafts_and_closed_ones_are_left_alone(app):
    org = make_org("social_enterprise", owner=make_user("menso@example.com"), verified=True)
    past = TODAY + timedelta(days=1)
    with time_machine.travel(TODAY, tick=False):
        open_ended = make_listing(org)
        draft = make_listing(org, status="draft", last_day=past)
        closed = make_listing(org, status="closed", last_day=past)
    run_on(TODAY + timedelta(days=30))
    assert [status(x) for x in (open_ended, draft, closed)] == ["open", "draft", "closed"]
    assert outbox_messages("menso@example.com") == []


def test_a_reopened_listing_with_a_new_date_is_told_again(app):
    owner = make_user("wedeka@example.com")
    org = make_org("werkbedrijf", owner=owner, name="Wedeka", verified=True)
    with time_machine.travel(TODAY, tick=False):
        listing = make_listing(org, last_day=TODAY + timedelta(days=3))
    run_on(TODAY)
    run_on(TODAY + timedelta(days=4))
    assert status(listing) == "expired"
    later = TODAY + timedelta(days=4)
    with time_machine.travel(later, tick=False):
        fresh = db.session.get(Listing, listing.id)
        data = replace(listings.data_of(fresh), last_day=later + timedelta(days=5))
        listings.change(fresh, owner, later, data=data, status="open")
    run_on(later + timedelta(days=1))
    assert len(outbox_messages("wedeka@example.com")) == 2


def test_run_daily_runs_the_expiry_sweep(app, runner):
    assert "listing_expiry_sweep: done" in runner.invoke(args=["run-daily"]).output
