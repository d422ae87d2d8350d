"""What the two sides of a contract are told about its realisations (docs/architecture.md
"Notifications"), in the app and by mail, each mail in its reader's language:

- the members of the contract's authority, when a realisation is sent to them for a decision (a new
  one, a draft sent, a rejected one corrected, a question answered): at once, or in a daily digest
  for a member who chose that (`notifications.set_mail_mode`; the in-app notification comes at
  once either way);
- the members of the contractor, on every decision: approved, rejected with the reason, or a
  question ("vraag om aanvulling").

A mail says what happened, on which contract (title, reference, authority), what to do next, and
ends with the link. Every text is lazy (`_l`, `LazyString`) and worded under the recipient's
locale by `notifications.notify`: wording it here, in the request of the officer or contractor
who acted, would write it in the actor's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from flask_babel import LazyString, force_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from marketplace import i18n, links
from marketplace.extensions import db
from marketplace.labels import plain_eur
from marketplace.models import (
    Contract,
    NotificationDigest,
    OrganisationMember,
    Realisation,
    User,
)
from marketplace.services import mail, notifications, pages
from marketplace.services.notifications import Link

SUBMITTED = "realisation_submitted"
DECIDED = "realisation_decided"
BATCH = 200


def _facts(contract: Contract) -> dict[str, str]:
    return {
        "title": contract.title,
        "reference": contract.reference,
        "authority": contract.authority.name,
        "contractor": contract.contractor.name,
    }


def _line(r: Realisation) -> LazyString:
    """One realisation in a mail: its block, whom or what it is about, and its value."""

    def worded() -> str:
        about = r.candidate_ref or r.invoice_number or r.supplier_name or ""
        value = plain_eur(r.value_cents)
        return f"- {r.block.label}{f' ({about})' if about else ''}: {value}"

    return LazyString(worded)


def submitted(r: Realisation, was: str | None) -> None:
    """Tell the authority's members that `r` awaits their decision; `was` is the state it was
    sent from (None for a new one, "draft", "rejected" or "questioned"). In the caller's
    transaction."""
    contract = r.contract
    facts = _facts(contract)
    if was == "rejected":
        happened = _l(
            "%(contractor)s corrected a rejected realisation on the contract %(title)s "
            "(%(reference)s) of %(authority)s and sent it again.",
            **facts,
        )
    elif was == "questioned":
        happened = _l(
            "%(contractor)s answered your question about a realisation on the contract "
            "%(title)s (%(reference)s) of %(authority)s and sent it again.",
            **facts,
        )
    else:
        happened = _l(
            "%(contractor)s sent a realisation for your decision on the contract %(title)s "
            "(%(reference)s) of %(authority)s.",
            **facts,
        )
    body: list = [happened, _line(r)]
    if was == "questioned":
        body += [
            _l("Your question: %(question)s", question=r.question or ""),
            _l("The answer: %(answer)s", answer=r.answer or ""),
        ]
    body.append(
        _l(
            "What to do: open the contract, look at the realisation and its evidence, and "
            "approve it, reject it with a reason, or ask for more information."
        )
    )
    notifications.notify(
        contract.authority_id,
        SUBMITTED,
        {**facts, "organisation": facts["contractor"], "again": was or ""},
        Link("contract", {"contract_id": contract.id}),
        subject=_submitted_subject(was, facts),
        body=body,
    )


def _submitted_subject(was: str | None, facts: dict[str, str]) -> LazyString:
    if was == "rejected":
        return _l("Realisation sent again: %(title)s (%(reference)s)", **facts)
    if was == "questioned":
        return _l("Question answered: %(title)s (%(reference)s)", **facts)
    return _l("Realisation to decide on: %(title)s (%(reference)s)", **facts)


def decided(rows: Sequence[Realisation], state: str, text: str | None) -> None:
    """Tell each contract's contractor what its authority decided on `rows` (approved,
    rejected or questioned), with the reason or the question and what to do next. In the
    caller's transaction."""
    by_contract: dict[int, list[Realisation]] = {}
    for r in rows:
        by_contract.setdefault(r.contract_id, []).append(r)
    for group in by_contract.values():
        contract = group[0].contract
        facts = _facts(contract)
        n = len(group)
        subject, happened, text_line, next_step = _decision_words(state, n, facts, text)
        body = [happened, *(_line(r) for r in group)]
        if text_line is not None:
            body.append(text_line)
        body.append(next_step)
        one = state != "approved" and n == 1
        link = (
            Link("realisation", {"realisation_id": group[0].id})
            if one
            else Link("contract", {"contract_id": contract.id})
        )
        notifications.notify(
            contract.contractor_id,
            DECIDED,
            {**facts, "organisation": facts["authority"], "state": state, "count": n},
            link,
            subject=subject,
            body=body,
        )


def _decision_words(state: str, n: int, facts: dict[str, str], text: str | None) -> tuple:
    """(subject, what happened, the reason or question or None, what to do next)."""
    if state == "approved":
        return (
            _l("Realisations approved: %(title)s (%(reference)s)", **facts),
            lazy_ngettext(
                "%(authority)s approved %(num)d realisation on the contract %(title)s "
                "(%(reference)s).",
                "%(authority)s approved %(num)d realisations on the contract %(title)s "
                "(%(reference)s).",
                n,
                **facts,
            ),
            None,
            _l(
                "Nothing to do: their value now counts towards the contract's social return "
                "obligation. The link opens the contract."
            ),
        )
    if state == "rejected":
        return (
            _l("Realisations rejected: %(title)s (%(reference)s)", **facts),
            lazy_ngettext(
                "%(authority)s rejected %(num)d realisation on the contract %(title)s "
                "(%(reference)s).",
                "%(authority)s rejected %(num)d realisations on the contract %(title)s "
                "(%(reference)s).",
                n,
                **facts,
            ),
            _l("Reason: %(reason)s", reason=text or ""),
            _l(
                "What to do: open the realisation with the link, correct it and choose "
                "“Send again”; it keeps its history."
            ),
        )
    return (
        _l("Question about realisations: %(title)s (%(reference)s)", **facts),
        lazy_ngettext(
            "%(authority)s asks for more information about %(num)d realisation on the "
            "contract %(title)s (%(reference)s).",
            "%(authority)s asks for more information about %(num)d realisations on the "
            "contract %(title)s (%(reference)s).",
            n,
            **facts,
        ),
        _l("The question: %(question)s", question=text or ""),
        _l(
            "What to do: open the realisation with the link, answer the question, correct it "
            "where needed and choose “Send again”."
        ),
    )


# the daily digest ---------------------------------------------------------------------------------


def daily_digest(today: date, now: datetime) -> int:
    """Mail each member who chose the daily digest what was sent to their authorities since
    their previous digest (or since they chose it): one mail per member per day, none when
    nothing came in. Each member's day is claimed with one conditional update on `sent_on`
    before the mail is queued, in the same transaction, so a second run that day, or two runs
    at once, mail nobody twice. Returns how many mails were queued."""
    ids = pages.ids_in_batches(
        lambda after: (
            select(NotificationDigest.id)
            .where(
                NotificationDigest.id > after,
                NotificationDigest.kind == SUBMITTED,
                _not_sent_on(today),
            )
            .order_by(NotificationDigest.id)
        ),
        BATCH,
    )
    return sum(_digest(digest_id, today, now) for digest_id in ids)


def _not_sent_on(today: date):
    return or_(NotificationDigest.sent_on.is_(None), NotificationDigest.sent_on < today)


def _digest(digest_id: int, today: date, now: datetime) -> int:
    digest = db.session.get(NotificationDigest, digest_id)
    if digest is None:
        return 0
    since = digest.sent_until or digest.chosen_at
    claimed = db.session.execute(
        update(NotificationDigest)
        .where(NotificationDigest.id == digest_id, _not_sent_on(today))
        .values(sent_on=today, sent_until=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return 0
    user = db.session.get(User, digest.user_id)
    came_in = _came_in(user.id, since, now)
    if not came_in or notifications.mail_off(user.id, SUBMITTED):
        db.session.commit()
        return 0
    with force_locale(i18n.language_of(user.locale)):
        mail.send(user.email, *_digest_mail(came_in))
    db.session.commit()
    return 1


def _came_in(user_id: int, since: datetime, until: datetime) -> list[Realisation]:
    """The realisations sent to the user's authorities for a decision in (since, until], per
    contract, oldest first; drafts never count, a decided one still came in."""
    authorities = select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user_id
    )
    return list(
        db.session.scalars(
            select(Realisation)
            .join(Contract, Contract.id == Realisation.contract_id)
            .where(
                Contract.authority_id.in_(authorities),
                Realisation.state != "draft",
                Realisation.submitted_at > since,
                Realisation.submitted_at <= until,
            )
            .options(
                joinedload(Realisation.block),
                joinedload(Realisation.contract).joinedload(Contract.contractor),
            )
            .order_by(Contract.id, Realisation.submitted_at, Realisation.id)
        )
    )


def _digest_mail(came_in: list[Realisation]) -> tuple[str, str]:
    """The digest's subject and text in the current locale: per contract what came in, its
    link, and what to do."""
    per_contract: dict[int, list[Realisation]] = {}
    for r in came_in:
        per_contract.setdefault(r.contract_id, []).append(r)
    subject = str(
        lazy_ngettext(
            "%(num)d realisation came in for your decision",
            "%(num)d realisations came in for your decision",
            len(came_in),
        )
    )
    paragraphs = [
        str(_l("Since your previous overview, these realisations were sent for a decision:"))
    ]
    for group in per_contract.values():
        contract = group[0].contract
        heading = str(
            lazy_ngettext(
                "%(title)s (%(reference)s) of %(authority)s, from %(contractor)s: "
                "%(num)d realisation",
                "%(title)s (%(reference)s) of %(authority)s, from %(contractor)s: "
                "%(num)d realisations",
                len(group),
                **_facts(contract),
            )
        )
        lines = [str(_line(r)) for r in group]
        link = links.url("contract", contract_id=contract.id)
        paragraphs.append("\n".join([heading, *lines, link]))
    paragraphs.append(
        str(
            _l(
                "What to do: approve them, reject them with a reason, or ask for more "
                "information, in the approval queue:"
            )
        )
        + "\n"
        + links.url("approval_queue")
    )
    paragraphs.append(
        str(
            _l(
                "You get this overview once a day because you chose so in your notification "
                "settings:"
            )
        )
        + "\n"
        + links.url("notification_settings")
    )
    return subject, "\n\n".join(paragraphs)
