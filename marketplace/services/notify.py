"""Notifications to everyone in an organisation, by mail through the outbox."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import OrganisationMember, User
from marketplace.services import mail


def organisation(org_id: int, subject: str, body: str) -> int:
    """Queue one mail per member of the organisation; returns how many were queued."""
    emails = db.session.scalars(
        select(User.email)
        .join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == org_id)
    ).all()
    for email in emails:
        mail.send(email, subject, body)
    return len(emails)
