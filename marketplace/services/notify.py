"""Notifications to everyone in an organisation, by mail through the outbox, each in its
recipient's language: a lazy text (flask_babel.lazy_gettext) is translated per recipient, so a
job's mail is not always Dutch (i18n.language_of).

Only lazy texts are taken: a text translated when the sender called (`gettext`) is in the
language of whoever made the request, the officer or admin who acted, whatever its readers
chose; such mails went out in the actor's language until this refused them (`_worded_later`)."""

from __future__ import annotations

from flask_babel import LazyString, force_locale
from sqlalchemy import select

from marketplace import i18n
from marketplace.extensions import db
from marketplace.models import OrganisationMember, User
from marketplace.services import mail

# Words of a mail: plain text, or a lazy translation worded when the mail is written.
Text = str | LazyString


def organisation(org_id: int, subject: Text, body: Text) -> int:
    """Queue one mail per member of the organisation; returns how many were queued."""
    return organisations([(org_id, subject, body)])


def organisations(messages: list[tuple[int, Text, Text]]) -> int:
    """Queue (org_id, subject, body) messages to every member of each organisation, reading the
    members of all of them in one query (the nightly sweep may notify hundreds)."""
    for _org_id, subject, body in messages:
        _worded_later(subject)
        _worded_later(body)
    members = recipients({org_id for org_id, _subject, _body in messages})
    outgoing = []
    for org_id, subject, body in messages:
        worded: dict[str, tuple[str, str]] = {}
        for email, language in members.get(org_id, []):
            if language not in worded:
                with force_locale(language):
                    worded[language] = (str(subject), str(body))
            outgoing.append((email, *worded[language]))
    return mail.send_many(outgoing)


def recipients(org_ids: set[int]) -> dict[int, list[tuple[str, str]]]:
    """Each organisation's members as (e-mail, language to write in), in one query."""
    members: dict[int, list[tuple[str, str]]] = {}
    for org_id, email, locale in db.session.execute(
        select(OrganisationMember.organisation_id, User.email, User.locale)
        .join(User, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id.in_(org_ids))
        .order_by(OrganisationMember.id)
    ):
        members.setdefault(org_id, []).append((email, i18n.language_of(locale)))
    return members


def _worded_later(text: Text) -> None:
    """Refuse a text already translated: it would reach every reader in the sender's language."""
    if isinstance(text, str):
        raise TypeError(
            "notify takes lazy texts (lazy_gettext, LazyString), worded per recipient; "
            f"got an already worded one: {text[:60]!r}"
        )
