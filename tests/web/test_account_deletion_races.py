"""Owners leaving at the same moment: two owners of an organisation with members cannot both
delete their accounts, or make each other member, and leave it without an owner; one account
deleted twice at once is deleted (and audited) once. Decided by PostgreSQL's row locks, so fired
as simultaneous requests at a served app."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, OrganisationMember
from tests import backends
from tests.factories import PASSWORD, add_member, make_org, make_user
from tests.served import at_once, logged_in

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races are decided by PostgreSQL's row locks; SQLite runs one writer at a time",
)
DELETE = {"password": PASSWORD, "confirm": "y"}


def _owners(org) -> int:
    db.session.rollback()  # read what the served app committed
    return db.session.scalar(
        select(func.count())
        .select_from(OrganisationMember)
        .where(OrganisationMember.organisation_id == org.id, OrganisationMember.role == "owner")
    )


def _delete_at_once(live, sessions):
    return at_once(
        [
            (lambda s=s: s.post(live.url + "/account/verwijderen", data=DELETE, timeout=30))
            for s in sessions
        ]
    )


def test_two_owners_deleting_their_accounts_at_once_leave_an_owner(live, app):
    org = make_org("contractor", owner=make_user("eerste@bouw.example.com"))
    add_member(org, make_user("tweede@bouw.example.com"), "owner")
    add_member(org, make_user("lid@bouw.example.com"), "member")
    sessions = [logged_in(live, e) for e in ("eerste@bouw.example.com", "tweede@bouw.example.com")]

    responses = _delete_at_once(live, sessions)

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert _owners(org) == 1


def test_one_account_deleted_twice_at_once_is_deleted_once(live, app):
    make_user("dubbel@example.com")
    sessions = [logged_in(live, "dubbel@example.com") for _ in range(2)]

    responses = _delete_at_once(live, sessions)

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    db.session.rollback()
    deleted = db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "user.deleted")
    )
    assert deleted == 1


def test_two_owners_making_each_other_member_at_once_leave_an_owner(live, app):
    org = make_org("contractor", owner=make_user("eerste@bouw.example.com"))
    add_member(org, make_user("tweede@bouw.example.com"), "owner")
    rows = db.session.scalars(
        select(OrganisationMember)
        .where(OrganisationMember.organisation_id == org.id)
        .order_by(OrganisationMember.id)
    ).all()
    sessions = [logged_in(live, e) for e in ("eerste@bouw.example.com", "tweede@bouw.example.com")]
    url = f"{live.url}/organisaties/{org.slug}/leden/%d/rol"

    responses = at_once(
        [
            (lambda s=s, m=m: s.post(url % m.id, data={"role": "member"}, timeout=30))
            for s, m in zip(sessions, reversed(rows), strict=True)
        ]
    )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert _owners(org) == 1
