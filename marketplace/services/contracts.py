"""Contracts: registration by a procurement officer, with the obligation computed under the
policy version in force on the award date and the contractor's PSO certificate then."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.engine import Row
from sqlalchemy.orm import joinedload

from marketplace.domain import obligation as obligation_rules
from marketplace.domain.fulfilment import STATUSES, worst_first_key
from marketplace.domain.money import FULL_BP
from marketplace.extensions import db
from marketplace.models import (
    Contract,
    Organisation,
    PsoCertificate,
    Realisation,
    SroiPolicy,
    User,
)
from marketplace.services import audit, invitations, organisations, pages, policies
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError
from marketplace.services.outbox import enqueue
from marketplace.services.pages import CountedPagination

CONTRACTOR_KINDS = invitations.CONTRACTOR_KINDS


@dataclass
class ContractData:
    """A contract's terms. Without `contractor_id` the contract is for a company not on the
    platform yet, invited by `invited_kvk` and/or `invited_email` (services/invitations.py)."""

    title: str
    reference: str
    contractor_id: int | None
    value_cents: int
    award_date: date
    start_date: date
    end_date: date
    labour_share_bp: int | None = None
    department: str = ""
    invited_kvk: str | None = None
    invited_email: str | None = None


def _certificate_on(
    contractor_id: int, award_date: date, recorded_by: datetime | None = None
) -> PsoCertificate | None:
    """The verified certificate that counts on the award date, if any; with `recorded_by`, one
    recorded by then. A self-declared certificate that nobody has verified never counts (issue
    11: it made obligations € 0).

    SQL only picks the candidate, the verified one valid longest; whether it counts on the award
    date is the domain's `pso_counts`, the rule the obligation itself applies."""
    query = select(PsoCertificate).where(
        PsoCertificate.organisation_id == contractor_id,
        PsoCertificate.verified_at.is_not(None),
    )
    if recorded_by is not None:
        query = query.where(PsoCertificate.created_at <= recorded_by)
    candidate = db.session.scalar(query.order_by(PsoCertificate.valid_until.desc()).limit(1))
    if candidate is None or not obligation_rules.pso_counts(candidate.valid_until, award_date):
        return None
    return candidate


def field_errors(
    authority: Organisation, data: ContractData, contract: Contract | None = None
) -> dict[str, str]:
    """A message per wrong field of a contract, all at once (issue 15: three mistakes took three
    submits), nothing saved. A value the form could not read is None here and keeps the form's
    own message; `contract` is the one being edited (its own reference is no duplicate)."""
    return {
        name: message for name, (message, _code) in _refusals(authority, data, contract).items()
    }


def _refusals(
    authority: Organisation, data: ContractData, contract: Contract | None
) -> dict[str, tuple[str, str]]:
    """`field_errors` with each refusal's code."""
    found: dict[str, tuple[str, str]] = {}

    def refuse(name: str, message: str, code: str = "invalid") -> None:
        found.setdefault(name, (message, code))

    if data.title is not None and not data.title.strip():
        refuse("title", _("Enter a title."))
    reference = (data.reference or "").strip()
    if data.reference is not None and not reference:
        refuse("reference", _("Enter a reference."))
    if data.value_cents is not None and data.value_cents < 0:
        refuse("value_cents", _("Enter an amount of 0 or more."))
    if data.value_cents is not None and data.value_cents > 10**14:
        refuse("value_cents", _("This amount is not realistic for a contract."))
    if data.start_date and data.end_date and data.end_date < data.start_date:
        refuse("end_date", _("The end date is before the start date."))
    if data.labour_share_bp is not None and not 0 <= data.labour_share_bp <= FULL_BP:
        refuse("labour_share_bp", _("Enter a percentage between 0 and 100."))
    for name, message in invitations.contractor_refusals(data, contract).items():
        refuse(name, message)
    if (
        data.award_date is not None
        and policies.policy_in_force(authority.id, data.award_date) is None
    ):
        refuse(
            "award_date",
            _("Your authority has no SROI policy in force on this award date."),
            "no_policy",
        )
    if reference and db.session.scalar(
        select(Contract.id).where(
            Contract.authority_id == authority.id,
            Contract.reference == reference,
            Contract.id != ((contract.id if contract else None) or 0),
        )
    ):
        refuse("reference", _("Another contract already has this reference."))
    return found


def _apply(contract: Contract, data: ContractData, authority: Organisation) -> None:
    refusals = _refusals(authority, data, contract)
    if refusals:
        fields = {name: message for name, (message, _code) in refusals.items()}
        (message, code), *others = refusals.values()
        raise ServiceError(message if not others else _("Some fields are not valid."), fields, code)
    policy = policies.policy_in_force(authority.id, data.award_date)
    assert policy is not None  # checked by _refusals
    for key, value in asdict(data).items():
        if key not in ("contractor_id", "invited_kvk", "invited_email"):
            setattr(contract, key, value.strip() if isinstance(value, str) else value)
    invitations.assign_contractor(contract, data)
    contract.authority_id = authority.id
    contract.policy_id = policy.id
    certificate = (
        _certificate_on(contract.contractor_id, data.award_date) if contract.contractor_id else None
    )
    _fix_obligation(contract, policy, certificate)


def _fix_obligation(
    contract: Contract, policy: SroiPolicy, certificate: PsoCertificate | None
) -> None:
    """Compute the obligation from the contract's terms, its policy and the PSO certificate."""
    contract.pso_level = certificate.level if certificate else None
    contract.pso_valid_until = certificate.valid_until if certificate else None
    terms = obligation_rules.ContractTerms(
        value_cents=contract.value_cents,
        award_date=contract.award_date,
        start=contract.start_date,
        end=contract.end_date,
        labour_share_bp=contract.labour_share_bp,
        pso_level=contract.pso_level,
        pso_valid_until=contract.pso_valid_until,
    )
    result = obligation_rules.obligation_for(terms, policies.rules_of(policy))
    contract.obligation_cents = result.obligation_cents
    contract.obligation_status = result.status
    contract.obligation_steps = [list(step) for step in result.steps]


def _snapshot(contract: Contract) -> dict:
    return {
        "title": contract.title,
        "reference": contract.reference,
        "contractor_id": contract.contractor_id,
        "invited_kvk": contract.invited_kvk,
        "invited_email": contract.invited_email,
        "value_cents": contract.value_cents,
        "award_date": contract.award_date.isoformat() if contract.award_date else None,
        "start_date": contract.start_date.isoformat() if contract.start_date else None,
        "end_date": contract.end_date.isoformat() if contract.end_date else None,
        "labour_share_bp": contract.labour_share_bp,
        "obligation_cents": contract.obligation_cents,
        "obligation_status": contract.obligation_status,
        "policy_id": contract.policy_id,
        "pso_level": contract.pso_level,
    }


def register(authority: Organisation, data: ContractData, by: User) -> Contract:
    """Register a contract; its fulfilment is computed by the recompute job after commit. Only a
    verified authority registers contracts (its contractor would see them)."""
    policies.require_officer(by, authority)
    organisations.require_verified(authority)
    contract = Contract()
    _apply(contract, data, authority)
    db.session.add(contract)
    db.session.flush()
    audit.record("contract.registered", contract, after=_snapshot(contract), actor=by)
    invitations.invite_if_waiting(contract, None, by)
    enqueue("recompute_contract", contract.id)
    db.session.commit()
    return contract


def update(contract: Contract, data: ContractData, by: User) -> Contract:
    """Edit a contract; the obligation is recomputed under the policy in force on the award date.
    A refusal rolls back: the contract keeps its stored fields and its row lock is released."""
    policies.require_officer(by, contract.authority)
    organisations.require_verified(contract.authority)
    before = _snapshot(contract)
    try:
        _keep_contractor_with_its_evidence(contract, data.contractor_id)
        _apply(contract, data, contract.authority)
    except ServiceError:
        db.session.rollback()
        raise
    audit.record("contract.updated", contract, before=before, after=_snapshot(contract), actor=by)
    invitations.invite_if_waiting(contract, before["invited_email"], by)
    enqueue("recompute_contract", contract.id)
    db.session.commit()
    return contract


def _keep_contractor_with_its_evidence(contract: Contract, contractor_id: int | None) -> None:
    """Refuse another contractor once realisations exist (any state, drafts too): they and their
    evidence files belong to the organisation that reported them, and access follows the
    contract's contractor, so a change would hand the files to the new one and lock the old one
    out. Choice where the issue offers two: refusing is the smaller, safer rule; an officer who
    really re-awards the work registers a new contract."""
    if contractor_id == contract.contractor_id or contract.contractor_id is None:
        return
    _lock_contract(contract)
    reported = db.session.scalar(
        select(Realisation.id).where(Realisation.contract_id == contract.id).limit(1)
    )
    if reported is not None:
        msg = _(
            "The contractor cannot change: it has already reported realisations on this "
            "contract, with evidence that stays with it. Register a new contract instead."
        )
        raise Conflict(msg, {"contractor_id": msg}, code="contractor_has_realisations")


def _lock_contract(contract: Contract) -> None:
    """Lock the contract's row until commit before checking for realisations, so a realisation
    being saved at this moment (which holds the row locked, realisations._hold_contractor) is
    either committed and found, or waits and then sees the new contractor. On SQLite a no-op
    write takes the database's only write lock instead."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            sql_update(Contract).where(Contract.id == contract.id).values(id=Contract.id)
        )
    else:
        db.session.execute(select(Contract.id).where(Contract.id == contract.id).with_for_update())


def covered_by(certificate: PsoCertificate) -> list[Contract]:
    """The contracts a certificate counts for once verified (apply_verified_certificate): SQL
    picks the company's contracts registered since it was recorded, the domain's `pso_counts`
    decides on which award dates it counts."""
    candidates = db.session.scalars(
        select(Contract)
        .where(
            Contract.contractor_id == certificate.organisation_id,
            or_(
                Contract.created_at >= certificate.created_at,
                Contract.contractor_linked_at.is_not(None),
            ),
        )
        .order_by(Contract.id)
    )
    return [
        contract
        for contract in candidates
        if obligation_rules.pso_counts(certificate.valid_until, contract.award_date)
    ]


def apply_verified_certificate(certificate: PsoCertificate, by: User) -> list[Contract]:
    """Fix again the obligation of the contracts a just-verified certificate counts for; returns
    those whose obligation changed (audited, fulfilment recomputed by the job). The caller commits.

    The obligation is fixed at registration (docs/domain.md), with the certificates on record then;
    verification only settles whether such a certificate counts. So it changes the contracts
    registered after the certificate was recorded whose award date it covers, of every
    authority (the certificate is one fact about the company), and never a contract registered
    before the certificate was recorded: that obligation was fixed without it. A contract linked
    to its contractor by invitation takes a certificate recorded at any time: its PSO level was
    unknown when it was registered (Contract.obligation_fixed_at)."""
    changed = []
    for contract in covered_by(certificate):
        before = _snapshot(contract)
        counting = _certificate_on(
            contract.contractor_id, contract.award_date, contract.obligation_fixed_at
        )
        _fix_obligation(contract, contract.policy, counting)
        after = _snapshot(contract)
        if after != before:
            audit.record("contract.pso_applied", contract, before=before, after=after, actor=by)
            enqueue("recompute_contract", contract.id)
            changed.append(contract)
    return changed


def contract_for_party(contract_id: int, user: User) -> tuple[Contract, str]:
    """The contract and the side of it the user is on ("officer" or "contractor"); 404 for anyone
    else, so ids cannot be probed. A contract waiting for its invited contractor has no
    contractor side; one linked to an organisation not verified yet has none until it is."""
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        raise NotFound()
    if organisations.role_of(user, contract.authority):
        return contract, "officer"
    if invitations.shown_to_contractor(contract) and organisations.role_of(
        user, contract.contractor
    ):
        return contract, "contractor"
    raise NotFound()


@dataclass
class ContractFilter:
    status: str | None = None
    contractor_id: int | None = None
    department: str | None = None
    ends_before: date | None = None
    query: str | None = None


def authority_contracts(authority_id: int, f: ContractFilter | None = None) -> Select:
    """Select of an authority's contracts, worst status first, then by end date."""
    f = f or ContractFilter()
    q = select(Contract).where(Contract.authority_id == authority_id)
    if f.status:
        q = q.where(Contract.status == f.status)
    if f.contractor_id:
        q = q.where(Contract.contractor_id == f.contractor_id)
    if f.department:
        q = q.where(Contract.department == f.department)
    if f.ends_before:
        q = q.where(Contract.end_date <= f.ends_before)
    if f.query:
        like = f"%{f.query.strip()}%"
        q = q.where(or_(Contract.title.ilike(like), Contract.reference.ilike(like)))
    rank = case({s: worst_first_key(s) for s in STATUSES}, value=Contract.status, else_=99)
    return q.order_by(rank, Contract.end_date, Contract.id)


def authority_contracts_page(
    authority_id: int, f: ContractFilter, number: int, per_page: int
) -> CountedPagination:
    """Page `number` of the authority's contracts (`authority_contracts`) with their contractor,
    for the dashboard. NotFound for a page past the last one."""
    selection = authority_contracts(authority_id, f).options(joinedload(Contract.contractor))
    return pages.existing_page(selection, number, per_page)


def visible_to(user: User, status: str | None, number: int, per_page: int) -> CountedPagination:
    """Page `number` of the contracts on the officer side or the contractor side of the user's
    organisations, by end date, then id (stable pages); with `status`, only those whose cached
    status it is. Empty past the last page (the API's list)."""
    orgs = organisations.organisations_of(user)
    authority_ids = [o.id for o in orgs if o.kind == "authority"]
    contractor_ids = [o.id for o in orgs if o.kind in CONTRACTOR_KINDS]
    query = select(Contract).where(
        or_(
            Contract.authority_id.in_(authority_ids),
            Contract.contractor_id.in_(contractor_ids) & invitations.shown_to_contractors(),
        )
    )
    if status:
        query = query.where(Contract.status == status)
    return pages.page_of(query.order_by(Contract.end_date, Contract.id), number, per_page)


def registering_authority(user: User, authority_id: int | None) -> Organisation:
    """The authority the user registers a contract for: the one asked for, which the user must be
    a member of (403), or without one the user's only authority (with several, a field message
    asks to choose; with none, 403)."""
    authorities = [o for o in organisations.organisations_of(user) if o.kind == "authority"]
    if authority_id is None:
        if len(authorities) == 1:
            return authorities[0]
        if not authorities:
            raise Forbidden(_("Only procurement officers of an authority register contracts."))
        msg = _("You are an officer of several authorities: choose one.")
        raise ServiceError(msg, {"authority_id": msg}, code="authority_required")
    for authority in authorities:
        if authority.id == authority_id:
            return authority
    raise Forbidden(_("You are not a procurement officer of this authority."))


def status_counts(authority_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Contract.status, func.count())
        .where(Contract.authority_id == authority_id)
        .group_by(Contract.status)
    ).all()
    return {status: n for status, n in rows}


def contractor_contracts(contractor_id: int) -> list[Contract]:
    """The contractor's contracts (those it sees: invitations.shown_to_contractors)."""
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.contractor_id == contractor_id, invitations.shown_to_contractors())
            .order_by(Contract.end_date, Contract.id)
        )
    )


def departments(authority_id: int) -> list[str]:
    return [
        d
        for d in db.session.scalars(
            select(Contract.department)
            .where(Contract.authority_id == authority_id, Contract.department != "")
            .distinct()
            .order_by(Contract.department)
        )
    ]


def contractors_of(authority_id: int) -> list[Row[tuple[int, str]]]:
    """The id and name of each organisation holding at least one of the authority's contracts
    (the filter list): only the two columns, since a big authority has a thousand of them."""
    holders = select(Contract.contractor_id).where(Contract.authority_id == authority_id)
    return list(
        db.session.execute(
            select(Organisation.id, Organisation.name)
            .where(Organisation.id.in_(holders))
            .order_by(Organisation.name)
        )
    )


def contractors(kinds: tuple[str, ...] = CONTRACTOR_KINDS) -> list[Organisation]:
    """The verified organisations a contract can be awarded to (the contract form's list); a
    company not on it is invited by KvK number or e-mail address instead."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind.in_(kinds), Organisation.verified_at.is_not(None))
            .order_by(Organisation.name)
        )
    )
