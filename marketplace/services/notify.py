"""Notifications to everyone in an organisation, by mail through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import OrganisationMember, User
from marketplace.services import mail


def organisation(org_id: int, subject: str, body: str) -> int:
    """Queue one mail per member of the organisation; returns how many were queued."""
    return organisations([(org_id, subject, body)])


def organisations(messages: list[tuple[int, str, str]]) -> int:
    """Queue (org_id, subject, body) messages to every member of each organisation, reading the
    members of all of them in one query (the nightly sweep may notify hundreds)."""
    org_ids = {org_id for org_id, _subject, _body in messages}
    members: dict[int, list[str]] = {}
    for org_id, email in db.session.execute(
        select(OrganisationMember.organisation_id, User.email)
        .join(User, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id.in_(org_ids))
        .order_by(OrganisationMember.id)
    ):
        members.setdefault(org_id, []).append(email)
    return mail.send_many(
        [
            (email, subject, body)
            for org_id, subject, body in messages
            for email in members.get(org_id, [])
        ]
    )
