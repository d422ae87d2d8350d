"""The daily digest of saved searches: each tells its user of the hits published since the
previous digest, never of older ones, and once a day however often the job runs
(services/saved_searches.py). Time is frozen at each step."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, NotificationOptOut, SavedSearch
from marketplace.services import jobs, saved_searches, search
from tests import backends
from tests.factories import make_listing, make_org, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once

DAY_1 = datetime(2026, 12, 1, 9, 0)
DAY_2 = datetime(2026, 12, 2, 9, 0)


@pytest.fixture
def supplier(app):
    return make_org("werkbedrijf", owner=make_user("emco@example.com"), verified=True)


def publish(org, title: str, at: datetime, sector: str = "schoonmaak"):
    with time_machine.travel(at, tick=False):
        return make_listing(
            org, "offering", title=title, description=f"{title}, elke week.", sector=sector
        )


def digest_at(at: datetime) -> None:
    with time_machine.travel(at, tick=False):
        jobs.saved_search_digest()


def told(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == "saved_search")
            .order_by(Notification.id)
        )
    )


def save(user, text: str, at: datetime, **filters) -> SavedSearch:
    with time_machine.travel(at, tick=False):
        return saved_searches.save(user, text, search.Filters.from_args(filters))


def test_the_digest_names_only_hits_published_since_the_last_one(app, supplier):
    reader = make_user("inkoper@example.com")
    publish(supplier, "Schoonmaak van kantoren", datetime(2026, 11, 30, 9, 0))
    save(reader, "schoonmaak", datetime(2026, 11, 30, 12, 0))
    publish(supplier, "Schoonmaak van scholen", datetime(2026, 11, 30, 15, 0))
    publish(
        supplier, "Groenonderhoud van parken", datetime(2026, 11, 30, 16, 0), "groenvoorziening"
    )

    digest_at(DAY_1)
    [first] = told(reader)
    assert first.params["items"] == ["Schoonmaak van scholen"]
    assert first.link_name == "search" and first.link_args == {"q": "schoonmaak"}
    [mail] = outbox_messages("inkoper@example.com")
    assert mail["Subject"].strip() == (
        "1 nieuw resultaat voor je bewaarde zoekopdracht “schoonmaak”"
    )
    assert "- Schoonmaak van scholen" in mail.get_content()

    publish(supplier, "Schoonmaak van sporthallen", datetime(2026, 12, 1, 14, 0))
    digest_at(DAY_2)
    assert [n.params["items"] for n in told(reader)] == [
        ["Schoonmaak van scholen"],
        ["Schoonmaak van sporthallen"],
    ]


def test_running_the_digest_twice_a_day_tells_once_and_a_day_without_news_tells_nothing(
    app, supplier
):
    reader = make_user("inkoper@example.com")
    save(reader, "", datetime(2026, 11, 30, 12, 0), sector=["schoonmaak"])
    publish(supplier, "Schoonmaak van scholen", datetime(2026, 11, 30, 15, 0))

    digest_at(DAY_1)
    digest_at(datetime(2026, 12, 1, 18, 0))
    assert len(told(reader)) == 1
    digest_at(DAY_2)
    assert len(told(reader)) == 1
    assert len(outbox_messages("inkoper@example.com")) == 1


def test_a_user_who_turned_the_digest_off_gets_nothing(app, supplier):
    reader = make_user("inkoper@example.com")
    for channel in ("in_app", "email"):
        db.session.add(NotificationOptOut(user_id=reader.id, kind="saved_search", channel=channel))
    db.session.commit()
    save(reader, "schoonmaak", datetime(2026, 11, 30, 12, 0))
    publish(supplier, "Schoonmaak van scholen", datetime(2026, 11, 30, 15, 0))

    digest_at(DAY_1)
    assert told(reader) == []
    assert outbox_messages("inkoper@example.com") == []


@pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="the race is decided by PostgreSQL's row locks; SQLite runs one writer at a time",
)
def test_two_digests_at_the_same_moment_tell_once(app, supplier):
    reader = make_user("inkoper@example.com")
    save(reader, "schoonmaak", datetime(2026, 11, 30, 12, 0))
    publish(supplier, "Schoonmaak van scholen", datetime(2026, 11, 30, 15, 0))

    def run():
        with app.app_context(), time_machine.travel(DAY_1, tick=False):
            return saved_searches.daily_digest(DAY_1.date(), DAY_1)

    assert sorted(at_once([run, run])) == [0, 1]
    assert len(told(reader)) == 1
