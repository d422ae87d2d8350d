"""The same listing changed by several requests at the same moment: each change waits for the
one before it and then acts on what that one left, so a listing is published or closed once, a
paused listing never stays findable because an edit raced the pause, and a draft deleted while
being published is gone from the search index too (docs/architecture.md "Rules that must hold
under concurrency").

Fired as simultaneous HTTP requests at a served app on PostgreSQL, each in its own transaction;
SQLite runs one writer at a time and cannot race.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Listing
from marketplace.models.search import SearchDocument
from marketplace.services import accounts, jobs
from tests import backends
from tests.factories import make_listing
from tests.served import LiveServer, at_once

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races need separate connections to PostgreSQL; SQLite runs one writer at a time",
)
RACERS = 4


def _call(live: LiveServer, token: str, method: str, path: str, json=None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, live.url + path, json=json, headers=headers, timeout=30)


def _race(calls) -> list[requests.Response]:
    responses = at_once(calls)
    assert all(r.status_code < 500 for r in responses), [(r.status_code, r.text) for r in responses]
    db.session.rollback()  # read what the served app committed
    return responses


def _audited(listing_id: int, action: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.object_id == listing_id, AuditLog.action == action)
    )


def _findable(listing_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(SearchDocument)
            .where(SearchDocument.kind == "offering", SearchDocument.ref_id == listing_id)
        )
    )


@pytest.fixture
def token(emco) -> str:
    return accounts.create_token(emco.members[0].user, "race")


@pytest.mark.parametrize(
    ("start", "status", "action"), [("draft", "open", "publish"), ("open", "closed", "close")]
)
def test_the_same_listing_moved_at_once_moves_once(live, emco, token, start, status, action):
    listing_id = make_listing(emco, "offering", status=start).id
    path = f"/api/v1/offerings/{listing_id}"

    _race([lambda: _call(live, token, "PATCH", path, {"status": status})] * RACERS)

    assert db.session.get(Listing, listing_id).status == status
    assert _audited(listing_id, f"listing.{action}") == 1


def test_a_listing_paused_while_edited_is_not_findable(live, emco, token):
    for _ in range(3):
        listing_id = make_listing(emco, "offering").id
        path = f"/api/v1/offerings/{listing_id}"

        _race(
            [
                lambda p=path: _call(live, token, "PATCH", p, {"status": "paused"}),
                lambda p=path: _call(live, token, "PATCH", p, {"title": "Schoonmaak van kantoren"}),
            ]
        )

        listing = db.session.get(Listing, listing_id)
        assert (listing.status, listing.title) == ("paused", "Schoonmaak van kantoren")
        assert not _findable(listing_id)


def test_a_draft_deleted_while_published_leaves_nothing_findable(live, emco, token):
    for _ in range(3):
        listing_id = make_listing(emco, "offering", status="draft").id
        path = f"/api/v1/offerings/{listing_id}"

        _race(
            [
                lambda p=path: _call(live, token, "DELETE", p),
                lambda p=path: _call(live, token, "PATCH", p, {"status": "open"}),
            ]
        )

        listing = db.session.get(Listing, listing_id)
        assert _findable(listing_id) == (listing is not None and listing.status == "open")


def test_a_listing_reopened_while_the_expiry_sweep_runs_stays_open(app, live, emco, token):
    """The daily sweep and an owner giving an expired-to-be listing a new date and opening it,
    at once: whichever goes first, the listing ends open with its new date. The sweep has other
    listings to expire first, so the owner's change lands while it is under way."""
    today = date(2026, 12, 1)
    with time_machine.travel(today - timedelta(days=10), tick=False):
        ids = [make_listing(emco, last_day=today - timedelta(days=2)).id for _ in range(12)]
    new_day = (today + timedelta(days=30)).isoformat()
    reopened = ids[-3:]

    def sweep() -> None:
        with app.app_context():
            jobs.listing_expiry_sweep()

    def reopen(listing_id: int):
        path = f"/api/v1/offerings/{listing_id}"
        return _call(live, token, "PATCH", path, {"available_until": new_day, "status": "open"})

    with time_machine.travel(today, tick=False):
        responses = at_once([sweep] + [lambda i=i: reopen(i) for i in reopened])[1:]
    db.session.rollback()  # read what the sweep and the served app committed

    assert [r.status_code for r in responses] == [200] * len(reopened), [r.text for r in responses]
    for listing_id in reopened:
        listing = db.session.get(Listing, listing_id)
        assert (listing.status, listing.expires_on.isoformat()) == ("open", new_day)
        assert _findable(listing_id)
    assert {db.session.get(Listing, i).status for i in ids[:-3]} == {"expired"}
