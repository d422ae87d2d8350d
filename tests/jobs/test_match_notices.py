"""A newly published listing tells its best matches, in the app and by e-mail, at most once per
(listing, organisation): a second run of the job, and two runs at the same moment, tell nobody
again (services/match_notices.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import MatchNotice, Notification, NotificationOptOut, User
from marketplace.services import jobs, match_notices
from tests import backends
from tests.factories import add_member, make_listing, make_org, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once


def supplier_with_offering(email: str, name: str):
    org = make_org("werkbedrijf", owner=make_user(email), name=name, verified=True)
    make_listing(org, "offering", title=f"Schoonmaak door {name}")
    return org


def new_demand(status: str = "open"):
    buyer = make_org("contractor", owner=make_user("inkoop@bouw.example.com"), verified=True)
    return make_listing(buyer, "demand", status=status, title="Schoonmaak bouwketen Emmen")


def notifications_of(email: str) -> list[Notification]:
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_publishing_a_demand_tells_the_matching_suppliers_members_in_the_app_and_by_mail(app):
    emco = supplier_with_offering("emco@example.com", "EMCO-groep")
    add_member(emco, make_user("collega@emco.example.com"))
    demand = new_demand()

    for email in ("emco@example.com", "collega@emco.example.com"):
        [note] = notifications_of(email)
        assert note.kind == "listing_match"
        assert note.params["title"] == "Schoonmaak bouwketen Emmen"
        assert (note.link_name, note.link_args) == ("demand", {"listing_id": demand.id})
        [mail] = [m for m in outbox_messages(email) if "Schoonmaak bouwketen" in m["Subject"]]
        assert mail["Subject"].strip() == (
            f"Nieuwe vraag die bij je past: Schoonmaak bouwketen Emmen ({demand.organisation.name})"
        )
        assert f"/markt/vraag/{demand.id}" in mail.get_content()
    assert notifications_of("inkoop@bouw.example.com") == []


def test_running_the_job_again_tells_nobody_twice(app):
    supplier_with_offering("wvs@example.com", "WVS-groep")
    demand = new_demand()
    mails = len(outbox_messages("wvs@example.com"))

    jobs.notify_listing_matches(demand.id)
    jobs.notify_listing_matches(demand.id)

    assert len(notifications_of("wvs@example.com")) == 1
    assert len(outbox_messages("wvs@example.com")) == mails
    assert db.session.scalar(select(func.count()).select_from(MatchNotice)) == 1


def test_a_user_who_turned_off_matches_by_mail_still_sees_them_in_the_app(app):
    org = make_org("werkbedrijf", owner=make_user("menso@example.com"), verified=True)
    user = org.members[0].user
    db.session.add(NotificationOptOut(user_id=user.id, kind="listing_match", channel="email"))
    db.session.commit()
    make_listing(org, "offering")
    new_demand()

    assert len(notifications_of("menso@example.com")) == 1
    assert outbox_messages("menso@example.com") == []


def test_a_draft_or_closed_listing_tells_nobody(app):
    supplier_with_offering("wedeka@example.com", "Wedeka")
    draft = new_demand(status="draft")
    assert match_notices.notify_matches(draft.id) == 0
    assert notifications_of("wedeka@example.com") == []


@pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="the race is decided by PostgreSQL's unique index; SQLite runs one writer at a time",
)
def test_two_runs_at_the_same_moment_tell_each_organisation_once(app):
    for n in range(3):
        supplier_with_offering(f"leverancier{n}@example.com", f"Leverancier {n}")
    demand = new_demand(status="draft")
    demand.status = "open"  # open without the publish job, so only the racing runs tell
    db.session.commit()
    demand_id = demand.id

    def run():
        with app.app_context():
            return match_notices.notify_matches(demand_id)

    results = at_once([run, run])

    assert sorted(results) == [0, 3]
    for n in range(3):
        assert len(notifications_of(f"leverancier{n}@example.com")) == 1
    assert db.session.scalar(select(func.count()).select_from(MatchNotice)) == 3


def test_a_title_with_line_breaks_still_reaches_the_matches_by_mail_on_one_subject_line(app):
    """A title typed with a line break (the API takes any text) is one subject line in the
    mail, never a header of its own, and the mail still goes out."""
    supplier_with_offering("emco@example.com", "EMCO-groep")
    buyer = make_org("contractor", owner=make_user("inkoop@bouw.example.com"), verified=True)
    make_listing(buyer, "demand", title="Schoonmaak bouwketen\r\nBcc: iedereen@example.com")

    [mail] = [m for m in outbox_messages("emco@example.com") if "bouwketen" in m["Subject"]]
    assert "Schoonmaak bouwketen Bcc: iedereen@example.com" in mail["Subject"]
    assert mail["Bcc"] is None
