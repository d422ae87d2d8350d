"""Contracts for companies not on the platform yet: the officer invites the contractor by KvK
number and/or e-mail address, the contract waits without a contractor, and it is linked when
that company registers (services/organisations.register calls `link_registered`).

Choices where the issue is silent:
- A KvK number decides: a contract invited by KvK is linked only to the organisation with that
  number, also when an e-mail address was given too (the address only receives the mail). A
  contract invited by e-mail alone is linked to the first contractor organisation the person
  with that address registers.
- A KvK number that is on the platform already is linked at once (the officer did not find the
  company in the list, but it is there).
- A contract linked through an invitation shows on the contractor's side only once the admin has
  verified the organisation: whoever registers a KvK number first is not yet known to be that
  company. A contractor the officer chose from the list (verified ones only) sees it at once.
- Linking is one conditional UPDATE (`contractor_id IS NULL`): two registrations at the same
  moment link each contract once, and running it again links nothing.
"""

from __future__ import annotations

from typing import Protocol

from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, func, or_, select, update

from marketplace import links
from marketplace.domain.identifiers import normalise_kvk
from marketplace.extensions import db
from marketplace.labels import plain_eur
from marketplace.models import Contract, Organisation, User
from marketplace.models._types import utcnow
from marketplace.services import audit, mail, notify
from marketplace.services.outbox import enqueue


class Invitee(Protocol):
    """The contractor fields of a contract's terms (contracts.ContractData)."""

    contractor_id: int | None
    invited_kvk: str | None
    invited_email: str | None


CONTRACTOR_KINDS = ("contractor", "social_enterprise", "werkbedrijf")


def _kvk(value: str | None) -> str | None:
    """The KvK number typed, normalised; None when empty; ValueError when not 8 digits."""
    return normalise_kvk(value) if value and value.strip() else None


def _email(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def _plausible_email(email: str) -> bool:
    local, at, domain = email.partition("@")
    return bool(at and local and "." in domain and len(email) <= 254 and " " not in email)


def contractor_refusals(data: Invitee, contract: Contract | None) -> dict[str, str]:
    """A message per wrong contractor field of a contract: a contractor from the list (verified,
    or the contract's own), or an invitation by a valid KvK number and/or e-mail address."""
    if data.contractor_id is not None:
        contractor = db.session.get(Organisation, data.contractor_id)
        own = contract is not None and contract.contractor_id == data.contractor_id
        if contractor is None or contractor.kind not in CONTRACTOR_KINDS:
            return {"contractor_id": _("Choose a registered contractor.")}
        if not own and not contractor.is_verified:
            # The form offers verified ones only; the API can name any organisation.
            return {"contractor_id": _("Choose a verified contractor, or invite one.")}
        return {}
    found: dict[str, str] = {}
    try:
        kvk = _kvk(data.invited_kvk)
    except ValueError:
        found["invited_kvk"] = _("A KvK number has exactly 8 digits.")
        kvk = None
    email = _email(data.invited_email)
    if email is not None and not _plausible_email(email):
        found["invited_email"] = _("Enter a valid e-mail address.")
    if kvk is None and email is None and not found:
        found["contractor_id"] = _(
            "Choose a contractor, or invite one by KvK number or e-mail address."
        )
    if kvk is not None:
        holder = _holder_of(kvk)
        if holder is not None and holder.kind not in CONTRACTOR_KINDS:
            found["invited_kvk"] = _(
                "This KvK number belongs to an organisation that cannot be a contractor."
            )
    return found


def _holder_of(kvk: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.kvk_number == kvk))


def assign_contractor(contract: Contract, data: Invitee) -> None:
    """Set the contract's contractor from checked `data` (contractor_refusals found nothing): the
    one chosen, else the organisation of the invited KvK number when it is registered (linked
    now), else none: the contract waits. The invitation stays on record after a link."""
    if data.contractor_id is not None:
        contract.contractor_id = data.contractor_id
        return
    contract.invited_kvk = _kvk(data.invited_kvk)
    contract.invited_email = _email(data.invited_email)
    holder = _holder_of(contract.invited_kvk) if contract.invited_kvk else None
    if holder is None:
        contract.contractor_id = None
        contract.contractor_linked_at = None
    elif contract.contractor_id != holder.id:
        contract.contractor_id = holder.id
        contract.contractor_linked_at = utcnow()


def invite_if_waiting(contract: Contract, before: dict | None, by: User) -> None:
    """Audit a new or changed invitation of a waiting contract and mail it to its address, if
    any; `before` is the contract's snapshot before the change (None for a new contract)."""
    if not contract.is_waiting:
        return
    invited = {"invited_kvk": contract.invited_kvk, "invited_email": contract.invited_email}
    if before is not None and all(before.get(k) == v for k, v in invited.items()):
        return
    mailed = bool(contract.invited_email) and (
        before is None or before.get("invited_email") != contract.invited_email
    )
    if mailed:
        _mail_invitation(contract, by)
    audit.record("contract.contractor_invited", contract, after={**invited, "mailed": mailed})


def _mail_invitation(contract: Contract, by: User) -> None:
    """The invitation, in the platform's default language (the company has no account whose
    language we know): what was awarded, what to do, and the link to start."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        authority = contract.authority.name
        subject = _(
            "%(authority)s invites you to report social return on contract %(ref)s",
            authority=authority,
            ref=contract.reference,
        )
        kvk_step = (
            _("Register your organisation with KvK number %(kvk)s.", kvk=contract.invited_kvk)
            if contract.invited_kvk
            else _("Register your organisation, with this e-mail address as its first user.")
        )
        body = "\n\n".join(
            [
                _(
                    "%(authority)s has registered the contract %(title)s (%(ref)s) with your "
                    "company on Sociaal Rendement, with a social-return (SROI) obligation of "
                    "%(amount)s. On the platform you report how you fulfil it and the "
                    "authority approves it.",
                    authority=authority,
                    title=contract.title,
                    ref=contract.reference,
                    amount=plain_eur(contract.obligation_cents),
                ),
                _("What to do:"),
                "1. " + _("Create an account with this e-mail address:") + "\n" + _register(),
                "2. " + kvk_step,
                "3. "
                + _(
                    "A platform admin verifies your organisation; then the contract is in your "
                    "overview and you can report on it."
                ),
                _("Questions about the contract? Mail %(email)s.", email=by.email),
            ]
        )
    mail.send(contract.invited_email, subject, body + "\n")


def _register() -> str:
    return links.url("register")


def link_registered(org: Organisation, owner: User) -> list[int]:
    """Link the contracts waiting for the just-registered `org`: those invited by its KvK
    number, and those invited by e-mail alone to its owner's address. Idempotent and safe at
    the same moment (see the module). Audited per contract; their fulfilment is recomputed,
    and a PSO certificate the company records later counts (Contract.obligation_fixed_at).
    The caller commits."""
    if org.kind not in CONTRACTOR_KINDS:
        return []
    by_kvk = Contract.invited_kvk == org.kvk_number
    by_email = Contract.invited_kvk.is_(None) & (Contract.invited_email == owner.email.lower())
    linked = list(
        db.session.scalars(
            update(Contract)
            .where(Contract.contractor_id.is_(None), or_(by_kvk, by_email))
            .values(contractor_id=org.id, contractor_linked_at=utcnow())
            .returning(Contract.id)
            .execution_options(synchronize_session=False)
        )
    )
    audit.record_many(
        "contract.contractor_linked",
        "Contract",
        [(cid, None, {"contractor_id": org.id}) for cid in linked],
        actor=owner,
    )
    for contract_id in linked:
        enqueue("recompute_contract", contract_id)
    return linked


def notify_verified(org: Organisation) -> None:
    """Tell the members of a just-verified organisation; when contracts were linked to it by
    invitation, that they are now in its overview. The caller commits."""
    waiting = db.session.scalar(
        select(func.count()).where(
            Contract.contractor_id == org.id, Contract.contractor_linked_at.is_not(None)
        )
    )
    body = _l("A platform admin has verified %(name)s on Sociaal Rendement.", name=org.name)
    if waiting:
        body = _l(
            "A platform admin has verified %(name)s on Sociaal Rendement. The contracts you "
            "were invited to (%(n)d) are in your overview now: report your social return there.",
            name=org.name,
            n=waiting,
        )
    link = links.url("contractor_overview") if org.kind in CONTRACTOR_KINDS else ""
    notify.organisation(
        org.id,
        _l("%(name)s is verified", name=org.name),
        LazyString(lambda: f"{body}\n\n{link}\n" if link else f"{body}\n"),
    )


def shown_to_contractor(contract: Contract) -> bool:
    """Whether the contractor side sees the contract (see the module's choices)."""
    if contract.contractor is None:
        return False
    return contract.contractor_linked_at is None or contract.contractor.is_verified


def shown_to_contractors() -> ColumnElement[bool]:
    """`shown_to_contractor` as a condition on contracts, for lists."""
    verified = exists().where(
        Organisation.id == Contract.contractor_id, Organisation.verified_at.is_not(None)
    )
    return or_(Contract.contractor_linked_at.is_(None), verified)


def waiting_label(contract: Contract) -> str:
    """What a contract without a visible contractor waits for, for the officer's pages."""
    if contract.contractor is not None:
        return _("%(name)s (awaiting verification)", name=contract.contractor.name)
    if contract.invited_kvk and contract.invited_email:
        return _(
            "awaiting registration of KvK %(kvk)s / %(email)s",
            kvk=contract.invited_kvk,
            email=contract.invited_email,
        )
    if contract.invited_kvk:
        return _("awaiting registration of KvK %(kvk)s", kvk=contract.invited_kvk)
    return _("awaiting registration of %(email)s", email=contract.invited_email)


def contractor_label(contract: Contract) -> str:
    """The contractor as the officer's pages name it: its name, or what the contract waits for."""
    if contract.contractor is not None and shown_to_contractor(contract):
        return contract.contractor.name
    return waiting_label(contract)
