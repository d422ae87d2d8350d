"""Realisations: the contractor's claims, valued by the policy's value table; officers approve
or reject them (docs/domain.md "Realisations, approval and no double counting").

Choices where docs/domain.md is silent:
- A draft is unsent work: it may lack what only a submission needs (the candidate reference, the
  hours, an invoice number; a placement deal opens one with only block and period), and is then
  worth € 0 until complete. What it does hold must be valid (no BSN, a period within the term).
  Everything is checked again, completely, when it is sent.
- The contractor changes and deletes its drafts; deleting is for drafts only (nothing was sent).
- A rejected realisation is corrected and sent again: the same row, so the earlier decision stays
  in its history (the audit log), and the officer decides again.
- Instead of rejecting, the officer can ask for more information ("vraag om aanvulling"): state
  `questioned` with the question; the contractor answers (required), may correct, and sends it
  again. While questioned it counts as neither pending nor realised, like a rejected one, and holds
  no candidate period or invoice: the checks run again when it is sent.
- Every move from one state to another is one conditional UPDATE on the state it was read in, so
  of two requests at once (two officers, or a double click on "send again") one wins and the
  other gets a Conflict.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, func, select, update
from sqlalchemy import text as sa_text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from marketplace.domain import valuation
from marketplace.domain.identifiers import identifier_key, looks_like_bsn
from marketplace.domain.people import PEOPLE_UNITS
from marketplace.extensions import db
from marketplace.labels import error_message
from marketplace.models import (
    BuildingBlock,
    Contract,
    Evidence,
    PendingUpload,
    Realisation,
    SroiPolicy,
    User,
)
from marketplace.models._types import utcnow
from marketplace.models.sroi import (
    CANDIDATE_PERIOD_CONSTRAINT,
    COUNTED_STATES,
    EDITABLE_STATES,
)
from marketplace.services import (
    audit,
    contracts,
    evidence,
    organisations,
    pages,
    policies,
    realisation_notices,
)
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError
from marketplace.services.outbox import enqueue
from marketplace.services.pages import CountedPagination

# The longest question, answer or reason an officer or contractor writes on a realisation.
MAX_TEXT = 2000
_CANDIDATE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{2,39}$")


@dataclass
class RealisationData:
    block_code: str
    candidate_ref: str | None = None
    attributes: list[str] = field(default_factory=list)
    start_date: date | None = None
    end_date: date | None = None
    hours_per_week: Decimal | None = None
    hours: Decimal | None = None
    quantity: int | None = None
    cost_excl_vat_cents: int | None = None
    invoice_excl_vat_cents: int | None = None
    invoice_number: str | None = None
    supplier_name: str | None = None
    supplier_kvk: str | None = None
    supplier_certification: str | None = None
    description: str = ""


def block_of(contract: Contract, code: str) -> BuildingBlock:
    block = db.session.scalar(
        select(BuildingBlock).where(
            BuildingBlock.policy_id == contract.policy_id, BuildingBlock.code == code
        )
    )
    if block is None:
        msg = _("Unknown building block %(code)s for this contract's policy.", code=code)
        raise ServiceError(msg, {"block_code": msg}, code="unknown_block")
    return block


def preview(
    contract: Contract, data: RealisationData, uploads: list[evidence.Upload] | None = None
) -> valuation.Valuation:
    """The value and breakdown the contractor sees before submitting (no checks on others);
    every wrong field is refused at once, the chosen files included."""
    result = _check_all(contract, data, uploads, PREVIEW).result
    assert result is not None  # PREVIEW requires the value
    return result


def invoice_blocks(policy_ids: set[int]) -> dict[int, BuildingBlock]:
    """Each policy's `invoice` block (the first of its table when it has several), by policy id,
    with its policy and authority: the block a purchase from a social supplier is valued with."""
    blocks: dict[int, BuildingBlock] = {}
    if policy_ids:
        for block in db.session.scalars(
            select(BuildingBlock)
            .options(joinedload(BuildingBlock.policy).joinedload(SroiPolicy.authority))
            .where(BuildingBlock.policy_id.in_(policy_ids), BuildingBlock.unit == "invoice")
            .order_by(BuildingBlock.id)
        ):
            blocks.setdefault(block.policy_id, block)
    return blocks


def invoice_value(
    block: BuildingBlock, amount_cents: int, certification: str
) -> valuation.Valuation:
    """What an invoice realisation of `amount_cents` excluding VAT from a supplier with
    `certification` is worth on `block`: the very path `submit` values it by, so the
    marketplace's SROI preview shows what the realisation will count."""
    return _valuate(
        block,
        RealisationData(
            block_code=block.code,
            invoice_excl_vat_cents=amount_cents,
            supplier_certification=certification,
        ),
    )


def _valuate(
    block: BuildingBlock, data: RealisationData, *, partial: bool = False
) -> valuation.Valuation | None:
    """The value of `data` on `block`; with `partial` (a draft) None while a value it needs is
    missing, instead of the refusal a submission gets."""
    people = block.unit in PEOPLE_UNITS
    dated = block.unit in ("fte_year", "month")
    if dated and (data.start_date is None or data.end_date is None):
        if partial:
            return None
        msg = _("Enter the period (start and end date).")
        raise ServiceError(msg, {"start_date" if data.start_date is None else "end_date": msg})
    inputs = valuation.RealisationInput(
        start=data.start_date if dated else None,
        end=data.end_date if dated else None,
        hours_per_week=data.hours_per_week if block.unit == "fte_year" else None,
        hours=data.hours if block.unit == "hour" else None,
        quantity=data.quantity if block.unit == "fixed" else None,
        cost_excl_vat_cents=data.cost_excl_vat_cents if block.unit == "cost" else None,
        invoice_excl_vat_cents=data.invoice_excl_vat_cents if block.unit == "invoice" else None,
        supplier_certification=data.supplier_certification if block.unit == "invoice" else None,
        attributes=frozenset(data.attributes) if people else frozenset(),
    )
    try:
        return valuation.valuate(policies.block_rules(block), inputs)
    except valuation.ValuationError as exc:
        if partial and exc.code == "missing_field":
            return None
        message = error_message(exc.code, exc.params)
        raise ServiceError(message, {_field(exc.field): message}, code=exc.code) from exc


def _check_term(contract: Contract, block: BuildingBlock, data: RealisationData) -> None:
    """A period counts only within the contract's term: work before the award or after the end
    is not social return of this contract (docs/domain.md "Realisations, approval and no double
    counting"; the rules were silent, and a placement from 1900 to 2199 was accepted)."""
    if block.unit not in ("fte_year", "month") or data.start_date is None or data.end_date is None:
        return
    if data.start_date < contract.start_date or data.end_date > contract.end_date:
        msg = _(
            "The period must lie within the contract's term (%(start)s to %(end)s): only work "
            "done for this contract counts.",
            start=format_date(contract.start_date),
            end=format_date(contract.end_date),
        )
        field = "start_date" if data.start_date < contract.start_date else "end_date"
        raise ServiceError(msg, {field: msg}, code="outside_term")


def _field(name: str) -> str:
    return {"start": "start_date", "end": "end_date"}.get(name, name)


def _check_candidate(
    block: BuildingBlock, data: RealisationData, *, required: bool = True
) -> str | None:
    """The pseudonymous reference of a people block, refused when it is a BSN or not a plain
    reference; missing is refused only when `required` (a draft may lack it)."""
    if block.unit not in PEOPLE_UNITS:
        return None
    ref = (data.candidate_ref or "").strip()
    if not ref and not required:
        return None
    if not ref:
        msg = _("Enter a pseudonymous candidate reference (no name, no BSN).")
        raise ServiceError(msg, {"candidate_ref": msg}, code="candidate_required")
    if looks_like_bsn(ref):
        msg = _("This looks like a BSN. Use a pseudonymous reference instead, never a BSN.")
        raise ServiceError(msg, {"candidate_ref": msg}, code="bsn_refused")
    if not _CANDIDATE.match(ref):
        msg = _("Use 3 to 40 letters, digits, '-' or '_' (no spaces, no names).")
        raise ServiceError(msg, {"candidate_ref": msg}, code="candidate_format")
    return ref


def _check_overlap(contract: Contract, ref: str | None, data: RealisationData, own_id: int):
    """One candidate's period counts on at most one contract of the same contractor: this one
    too (a double click must not count a person twice), and whatever the spelling of the
    reference (docs/domain.md "Realisations, approval and no double counting")."""
    if ref is None or data.start_date is None or data.end_date is None:
        return
    clash = db.session.execute(
        select(Contract.reference)
        .join(Realisation, Realisation.contract_id == Contract.id)
        .where(
            Realisation.contractor_id == contract.contractor_id,
            Realisation.candidate_key == identifier_key(ref),
            Realisation.state.in_(COUNTED_STATES),
            Realisation.start_date <= data.end_date,
            Realisation.end_date >= data.start_date,
            Realisation.id != own_id,
        )
        .limit(1)
    ).scalar()
    if clash:
        msg = _(
            "Candidate %(ref)s is already counted for an overlapping period on contract "
            "%(contract)s. One period counts on one contract only.",
            ref=ref,
            contract=clash,
        )
        raise ServiceError(msg, {"candidate_ref": msg}, code="candidate_overlap")


def _check_invoice(block: BuildingBlock, data: RealisationData, own_id: int) -> None:
    """One invoice counts once, however its number is spelled; drafts and rejected claims do
    not hold it (see models.sroi.COUNTED_STATES)."""
    if block.unit != "invoice":
        return
    _check_invoice_fields(block, data)
    used = db.session.scalar(
        select(Realisation.id).where(
            Realisation.supplier_kvk == data.supplier_kvk,
            Realisation.invoice_key == identifier_key(data.invoice_number),
            Realisation.state.in_(COUNTED_STATES),
            Realisation.id != own_id,
        )
    )
    if used:
        msg = _("This invoice has already been used for social return. An invoice counts once.")
        raise ServiceError(msg, {"invoice_number": msg}, code="invoice_used")


def _check_invoice_fields(block: BuildingBlock, data: RealisationData) -> None:
    """What an invoice realisation must name before it is sent."""
    if block.unit != "invoice":
        return
    fields = {}
    if not identifier_key(data.invoice_number or ""):
        fields["invoice_number"] = _("Enter the invoice number.")
    if not re.fullmatch(r"\d{8}", data.supplier_kvk or ""):
        fields["supplier_kvk"] = _("A KvK number has exactly 8 digits.")
    if not (data.supplier_name or "").strip():
        fields["supplier_name"] = _("Enter the supplier's name.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)


def _check_period(block: BuildingBlock, data: RealisationData) -> None:
    """An end before the start, refused on its own so a draft without hours hears it too."""
    if block.unit in ("fte_year", "month") and data.start_date and data.end_date:
        try:
            valuation.period_days(data.start_date, data.end_date)
        except valuation.ValuationError as exc:
            message = error_message(exc.code, exc.params)
            raise ServiceError(message, {"end_date": message}, code=exc.code) from exc


@dataclass
class Checked:
    """A realisation's input that passed the checks: its block, reference, value (None for an
    incomplete draft) and the evidence files with their content types."""

    block: BuildingBlock
    ref: str | None
    result: valuation.Valuation | None
    uploads: list[tuple[evidence.Upload, str]]


# What each use of the checks requires to be there (`_check_all`); what is given is always checked.
SUBMISSION = frozenset({"candidate", "value", "invoice"})
PREVIEW = frozenset({"value"})
DRAFT: frozenset[str] = frozenset()


def _check_all(
    contract: Contract,
    data: RealisationData,
    uploads: list[evidence.Upload] | None,
    required: frozenset[str],
) -> Checked:
    """Every check of a realisation's own input at once, so a page marks each wrong field in one
    go (issue 15: three mistakes took three submits). `required` names what must be there:
    SUBMISSION, PREVIEW (the value only) or DRAFT (nothing, module docstring). A ServiceError
    with every refused field; its code and message are the first refusal's when one field is
    refused, else "Some fields are not valid." with the first code."""
    block = block_of(contract, data.block_code)
    refusals: list[ServiceError] = []

    def collect(step: Callable[[], object]) -> object:
        try:
            return step()
        except ServiceError as exc:
            refusals.append(exc)
            return None

    ref = collect(lambda: _check_candidate(block, data, required="candidate" in required))
    collect(lambda: _check_term(contract, block, data))
    collect(lambda: _check_period(block, data))
    if "invoice" in required:
        collect(lambda: _check_invoice_fields(block, data))
    result = collect(lambda: _valuate(block, data, partial="value" not in required))
    checked = [(u, collect(lambda u=u: evidence.check(u))) for u in uploads or []]
    if refusals:
        raise _all_of(refusals)
    return Checked(block, ref, result, checked)  # type: ignore[arg-type]


def field_errors(
    contract: Contract, data: RealisationData, required: frozenset[str] = SUBMISSION
) -> dict[str, str]:
    """A message per wrong field of `data`, all at once, nothing saved: what a page adds to the
    fields its form could not even read, so every mistake shows in one go."""
    try:
        _check_all(contract, data, None, required)
    except ServiceError as exc:
        return exc.fields or {"block_code": exc.message}
    return {}


def check_input(
    contract: Contract, data: RealisationData, required: frozenset[str] = SUBMISSION
) -> None:
    """`_check_all` for another service that saves a realisation later in its transaction and
    must refuse before it changes anything of its own (a deal opening a draft)."""
    _check_all(contract, data, None, required)


def _all_of(refusals: list[ServiceError]) -> ServiceError:
    fields: dict[str, str] = {}
    for exc in refusals:
        for name, message in exc.fields.items():
            fields.setdefault(name, message)
    first = refusals[0]
    if len(fields) <= 1:
        return ServiceError(first.message, fields, code=first.code)
    return ServiceError(_("Some fields are not valid."), fields, code=first.code)


def _check_counted_once(
    contract: Contract, block: BuildingBlock, ref: str | None, data: RealisationData, own_id: int
) -> None:
    """Both double-counting checks, under the contractor's lock on SQLite (see _lock_writes)."""
    _lock_writes(contract.contractor_id)
    try:
        _hold_contractor(contract)
        _check_overlap(contract, ref, data, own_id)
        _check_invoice(block, data, own_id)
    except ServiceError:
        db.session.rollback()  # release the lock now, not when the request ends
        raise


def _hold_contractor(contract: Contract) -> None:
    """Keep the contract with the contractor that is saving on it, until this transaction ends.

    The contractor was read at the start of the request; an officer may hand the contract to
    another company meanwhile (contracts.update allows it while nothing is reported). The row is
    read again under a lock (PostgreSQL's FOR NO KEY UPDATE: the saving updates the row anyway,
    a share lock would deadlock two savings; on SQLite _lock_writes already holds the only write
    lock), so the change either committed before (then this is no longer the company's
    contract: NotFound) or waits for this commit and then finds the realisation and refuses."""
    current = db.session.scalar(
        select(Contract.contractor_id)
        .where(Contract.id == contract.id)
        .with_for_update(key_share=True)
    )
    if current != contract.contractor_id:
        raise NotFound()


def _lock_writes(contractor_id: int) -> None:
    """On SQLite, take the database's write lock before checking, so that of two requests
    claiming the same candidate or invoice the second checks after the first has committed.
    SQLite has no exclusion constraint; it has one writer at a time, and a no-op write makes
    this transaction that writer now (a deferred transaction that only read would instead fail
    with "database is locked" when it tries to insert). PostgreSQL needs no lock: its exclusion
    constraint and unique index refuse the second insert, see _refusal_for."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            sa_text("UPDATE organisations SET id = id WHERE id = :id"), {"id": contractor_id}
        )


def _refusal_for(
    exc: IntegrityError,
    contract: Contract,
    block: BuildingBlock,
    ref: str | None,
    data: RealisationData,
    own_id: int,
) -> None:
    """After a rolled-back insert or update that broke a double-counting constraint (another
    request was first), raise the same field message the checks give, by checking again: the
    other request's row is committed now. Other integrity errors are left to the caller."""
    broken = str(exc.orig)
    if CANDIDATE_PERIOD_CONSTRAINT in broken or "invoice_key" in broken:
        _check_overlap(contract, ref, data, own_id)
        _check_invoice(block, data, own_id)


def submit(
    contract: Contract,
    data: RealisationData,
    by: User,
    uploads: list[evidence.Upload] | None = None,
    *,
    draft: bool = False,
    on_saved: Callable[[Realisation], None] | None = None,
    held: list[PendingUpload] | None = None,
) -> Realisation:
    """Create a realisation (submitted, or a draft) with its evidence, all or nothing: the
    `uploads` of this post and the files `held` from an earlier post of the form
    (`evidence.held`).

    `on_saved(realisation)` runs after the row has its id and before the commit, so a caller's
    own changes (a deal linking the realisation it created) commit with it or not at all."""
    organisations.require_role(by, contract.contractor)
    if contract.obligation_status != "due":
        raise ServiceError(_("This contract has no social-return obligation to report on."))
    checked = _check_all(contract, data, uploads, DRAFT if draft else SUBMISSION)
    block, ref = checked.block, checked.ref
    if not draft:
        _check_counted_once(contract, block, ref, data, 0)
    realisation = Realisation(
        contract_id=contract.id,
        contractor_id=contract.contractor_id,
        block_id=block.id,
        created_by_id=by.id,
    )
    _fill(realisation, block, data, ref, checked.result)
    stored = [evidence.store(u, mime, by.id) for u, mime in checked.uploads]
    realisation.evidence = evidence.take_over(held or []) + stored
    realisation.state = "draft" if draft else "submitted"
    realisation.submitted_at = None if draft else utcnow()
    try:
        db.session.add(realisation)
        db.session.flush()
        audit.record(
            "realisation." + realisation.state, realisation, after=_snapshot(realisation), actor=by
        )
        if not draft:
            contract.last_submission_at = utcnow()
            enqueue("recompute_contract", contract.id)
            realisation_notices.submitted(realisation, None)
        if on_saved is not None:
            on_saved(realisation)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        evidence.discard(stored)
        _refusal_for(exc, contract, block, ref, data, 0)
        raise
    except Exception:
        db.session.rollback()
        evidence.discard(stored)
        raise
    return realisation


def amend(
    realisation: Realisation,
    changes: dict,
    by: User,
    *,
    draft: bool | None = None,
    answer: str = "",
) -> Realisation:
    """`correct` with only the fields in `changes` (names of `RealisationData`) changed and the
    rest as saved (the API's PATCH). A draft stays a draft unless `draft` is False; a rejected or
    questioned realisation is sent again (with the `answer` to a question)."""
    data = replace(_data_of(realisation), **changes)
    send = (realisation.state != "draft") if draft is None else not draft
    return correct(realisation, data, by, send=send, answer=answer)


def submit_draft(realisation: Realisation, by: User, answer: str = "") -> Realisation:
    """draft (or rejected, or questioned with the `answer`) → submitted as it was saved:
    checked completely and for double counting now."""
    return correct(realisation, _data_of(realisation), by, send=True, answer=answer)


def correct(
    realisation: Realisation,
    data: RealisationData,
    by: User,
    uploads: list[evidence.Upload] | None = None,
    *,
    send: bool,
    answer: str = "",
    held: list[PendingUpload] | None = None,
) -> Realisation:
    """The contractor changes its draft, or a rejected or questioned realisation, and keeps it
    as a draft (drafts only) or sends it (`send`): submitted for a decision again, checked
    completely and for double counting at this moment. A questioned one is sent with the
    contractor's `answer` (required). New evidence files (`uploads`, and `held` from an earlier
    post of the form) are added to the ones it has.

    The state moves by one conditional UPDATE on the state it was read in: of two sends at once
    one wins and the other gets a Conflict, with nothing written (module docstring)."""
    contract = realisation.contract
    organisations.require_role(by, contract.contractor)
    state = realisation.state
    if state not in EDITABLE_STATES:
        raise ServiceError(_("This realisation can no longer be changed."), code="wrong_state")
    if not send and state != "draft":
        raise ServiceError(_("Send the corrected realisation again."), code="wrong_state")
    answer = (answer or "").strip()
    refusals = []
    if send and state == "questioned" and not answer:
        msg = _("Answer the officer's question.")
        refusals.append(ServiceError(msg, {"answer": msg}, code="answer_required"))
    elif len(answer) > MAX_TEXT:
        msg = _("At most %(n)d characters.", n=MAX_TEXT)
        refusals.append(ServiceError(msg, {"answer": msg}))
    try:
        checked = _check_all(contract, data, uploads, SUBMISSION if send else DRAFT)
    except ServiceError as exc:
        refusals.insert(0, exc)
    if refusals:
        raise _all_of(refusals)
    block, ref, own_id = checked.block, checked.ref, realisation.id
    if send:
        _check_counted_once(contract, block, ref, data, own_id)
    before = _snapshot(realisation)
    now = utcnow()
    moved = {"state": "submitted", "submitted_at": now} if send else {"state": state}
    if not _move(realisation, state, moved):
        db.session.rollback()
        raise _changed_meanwhile()
    realisation.block_id = block.id
    realisation.block = block
    _fill(realisation, block, data, ref, checked.result)
    if answer:
        realisation.answer = answer
    stored = [evidence.store(u, mime, by.id) for u, mime in checked.uploads]
    realisation.evidence.extend(evidence.take_over(held or []) + stored)
    action = "realisation.submitted" if send else "realisation.updated"
    try:
        db.session.flush()
        audit.record(action, realisation, before=before, after=_snapshot(realisation), actor=by)
        if send:
            contract.last_submission_at = now
            enqueue("recompute_contract", contract.id)
            realisation_notices.submitted(realisation, state)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        evidence.discard(stored)
        _refusal_for(exc, contract, block, ref, data, own_id)
        raise
    except Exception:
        db.session.rollback()
        evidence.discard(stored)
        raise
    return realisation


def delete_draft(realisation: Realisation, by: User) -> None:
    """Delete a draft for good, with its evidence files; only a draft (nothing was sent). The
    row is claimed first with a conditional UPDATE on its state, so a draft sent at the same
    moment is either sent or deleted, never both (Conflict for the other request)."""
    organisations.require_role(by, realisation.contract.contractor)
    if realisation.state != "draft":
        raise ServiceError(_("Only a draft can be deleted."), code="wrong_state")
    before = _snapshot(realisation)
    if not _move(realisation, "draft", {"state": "draft"}):
        db.session.rollback()
        raise _changed_meanwhile()
    files = list(realisation.evidence)
    audit.record("realisation.deleted", realisation, before=before, actor=by)
    db.session.delete(realisation)
    db.session.commit()
    evidence.discard(files)


def _move(realisation: Realisation, state: str, values: dict) -> bool:
    """Move the row from `state` with `values` in one conditional UPDATE; False when another
    transaction moved it first (PostgreSQL re-reads the row after the other's commit, SQLite
    lets one writer at a time in)."""
    result = db.session.execute(
        update(Realisation)
        .where(Realisation.id == realisation.id, Realisation.state == state)
        .values(**values)
        .execution_options(synchronize_session="evaluate")
    )
    return result.rowcount == 1


def _changed_meanwhile() -> Conflict:
    return Conflict(
        _(
            "This realisation was changed meanwhile, in another window or by a colleague. "
            "Look at it again."
        ),
        code="state_changed",
    )


def _fill(r: Realisation, block, data: RealisationData, ref, result) -> None:
    r.candidate_ref = ref
    r.candidate_key = identifier_key(ref) if ref else None
    r.attributes = sorted(set(data.attributes)) if block.unit in PEOPLE_UNITS else []
    for name in (
        "start_date",
        "end_date",
        "hours_per_week",
        "hours",
        "quantity",
        "cost_excl_vat_cents",
        "invoice_excl_vat_cents",
        "supplier_certification",
        "supplier_name",
        "supplier_kvk",
    ):
        setattr(r, name, getattr(data, name))
    r.invoice_number = (data.invoice_number or "").strip() or None
    r.invoice_key = identifier_key(r.invoice_number) if r.invoice_number else None
    r.description = data.description or ""
    # An incomplete draft is worth nothing yet (module docstring).
    r.value_cents = result.value_cents if result else 0
    r.breakdown = (
        [{"code": line.code, "value_cents": line.value_cents} for line in result.lines]
        if result
        else []
    )


def _data_of(r: Realisation) -> RealisationData:
    return RealisationData(
        block_code=r.block.code,
        candidate_ref=r.candidate_ref,
        attributes=list(r.attributes),
        start_date=r.start_date,
        end_date=r.end_date,
        hours_per_week=r.hours_per_week,
        hours=r.hours,
        quantity=r.quantity,
        cost_excl_vat_cents=r.cost_excl_vat_cents,
        invoice_excl_vat_cents=r.invoice_excl_vat_cents,
        invoice_number=r.invoice_number,
        supplier_name=r.supplier_name,
        supplier_kvk=r.supplier_kvk,
        supplier_certification=r.supplier_certification,
        description=r.description,
    )


def _snapshot(r: Realisation) -> dict:
    return {
        "state": r.state,
        "block": r.block.code if r.block else None,
        "value_cents": r.value_cents,
        "candidate_ref": r.candidate_ref,
        "rejection_reason": r.rejection_reason,
        "question": r.question,
        "answer": r.answer,
        "start_date": r.start_date.isoformat() if r.start_date else None,
        "end_date": r.end_date.isoformat() if r.end_date else None,
        "hours_per_week": str(r.hours_per_week) if r.hours_per_week is not None else None,
    }


def realisation_for_party(realisation_id: int, user: User) -> tuple[Realisation, str]:
    """The realisation and the user's side of its contract ("officer" or "contractor"); 404 for
    anyone else, as `contracts.contract_for_party`."""
    realisation = db.session.get(Realisation, realisation_id)
    if realisation is None:
        raise NotFound()
    _contract, side = contracts.contract_for_party(realisation.contract_id, user)
    return realisation, side


def realisation_seen_by(realisation_id: int, user: User) -> tuple[Realisation, str]:
    """As `realisation_for_party`, but a draft is NotFound for the officer: it is the
    contractor's unsent work (`visible_to`)."""
    realisation, side = realisation_for_party(realisation_id, user)
    if side == "officer" and realisation.state == "draft":
        raise NotFound()
    return realisation, side


def evidence_file_for(evidence_id: int, user: User) -> Evidence:
    """An evidence file the user may download: one of the contract's two sides (docs/domain.md "Who
    uses it"), except that officers do not see the evidence of a contractor's draft. NotFound
    otherwise, so ids cannot be probed."""
    row = db.session.get(Evidence, evidence_id)
    if row is None:
        raise NotFound()
    _realisation, side = realisation_for_party(row.realisation_id, user)
    shown = visible_to(side, select(Realisation.id).where(Realisation.id == row.realisation_id))
    if db.session.scalar(shown) is None:
        raise NotFound()
    return row


def reported() -> ColumnElement[bool]:
    """The condition for a reported realisation: submitted, approved or rejected, no longer the
    contractor's draft. Reports and the officer's views list only these."""
    return Realisation.state != "draft"


def visible_to(side: str, q: Select) -> Select:
    """Narrow a select over realisations to what one side of their contract sees: the contractor
    all of them, the officer only the reported ones, since a draft stays the contractor's own until
    it is submitted (its evidence and history rows too)."""
    return q if side == "contractor" else q.where(reported())


def approve(realisation_ids: list[int], by: User) -> int:
    """Approve submitted realisations of the officer's own authority, all or none; their value
    then counts as realised. Returns how many were approved."""
    return _decide(realisation_ids, "approved", by, None)


def reject(realisation_ids: list[int], by: User, reason: str) -> int:
    """Reject submitted realisations of the officer's own authority, all or none, with the reason
    the contractor sees (required). Returns how many were rejected."""
    if not reason.strip():
        msg = _("Give a reason for the rejection; the contractor sees it.")
        raise ServiceError(msg, {"reason": msg}, code="reason_required")
    return _decide(realisation_ids, "rejected", by, reason.strip())


def ask(realisation_ids: list[int], by: User, question: str) -> int:
    """Ask the contractor for more information instead of deciding ("vraag om aanvulling"): the
    realisations go back to the contractor with the question (required), who answers and sends
    them again (`correct`). A decision like the others: once, all or none."""
    question = (question or "").strip()
    if not question:
        msg = _("Write your question; the contractor sees it.")
        raise ServiceError(msg, {"question": msg}, code="question_required")
    if len(question) > MAX_TEXT:
        msg = _("At most %(n)d characters.", n=MAX_TEXT)
        raise ServiceError(msg, {"question": msg})
    return _decide(realisation_ids, "questioned", by, question)


def _decide(realisation_ids: list[int], state: str, by: User, reason: str | None) -> int:
    """Move submitted realisations to `state`, all or none: the part approval and rejection share.

    A decision applies only to a submitted realisation, once (docs/domain.md "Realisations, approval
    and no double counting"): each row changes with one conditional UPDATE (`... WHERE state =
    'submitted'`), so of two officers deciding at once the database lets exactly one through; the
    other gets a `Conflict` naming who decided first, and writes no audit row and sends no mail.
    A refusal rolls the transaction back, so the page that shows it starts clean.
    """
    try:
        return _decide_all(realisation_ids, state, by, reason)
    except ServiceError:
        db.session.rollback()
        raise


def _decide_all(realisation_ids: list[int], state: str, by: User, reason: str | None) -> int:
    rows = list(
        db.session.scalars(
            select(Realisation).where(Realisation.id.in_(realisation_ids)).order_by(Realisation.id)
        )
    )
    if len(rows) != len(set(realisation_ids)):
        raise NotFound()
    # Check every row before changing any, so a refused batch leaves nothing half-decided.
    for r in rows:
        if organisations.role_of(by, r.contract.authority) is None:
            raise Forbidden(_("Only the contract's own authority can decide on realisations."))
        if r.state != "submitted":
            raise _not_awaiting(r)
    decided_at = utcnow()
    touched: set[int] = set()
    for r in rows:
        before = _snapshot(r)
        if not _claim(r, state, reason, decided_at, by):
            db.session.rollback()
            raise _not_awaiting(db.session.get(Realisation, r.id))
        audit.record("realisation." + r.state, r, before=before, after=_snapshot(r), actor=by)
        touched.add(r.contract_id)
    for contract_id in sorted(touched):
        enqueue("recompute_contract", contract_id)
    realisation_notices.decided(rows, state, reason)
    db.session.commit()
    return len(rows)


def _claim(r: Realisation, state: str, text: str | None, decided_at, by: User) -> bool:
    """Move one submitted row to `state` in a single conditional UPDATE (`_move`); False when
    another transaction decided it first. `text` is the rejection's reason or the question; a
    question starts a new round, so the previous answer is cleared (the history keeps it)."""
    values = {"state": state, "decided_at": decided_at, "decided_by_id": by.id}
    if state == "questioned":
        values.update(question=text, answer=None)
    else:
        values["rejection_reason"] = text
    return _move(r, "submitted", values)


def _not_awaiting(r: Realisation) -> ServiceError:
    """The refusal for a realisation that is not submitted: a decided one names who decided it
    and when (409, someone was first), a draft is simply not awaiting a decision."""
    if r.state in ("approved", "rejected", "questioned") and r.decided_at is not None:
        decider = db.session.get(User, r.decided_by_id) if r.decided_by_id else None
        name = (decider.name or decider.email) if decider else _("another officer")
        return Conflict(
            _(
                "This realisation was already decided by %(name)s on %(moment)s.",
                name=name,
                moment=format_datetime(r.decided_at, "d MMM yyyy, HH:mm"),
            ),
            code="already_decided",
        )
    return ServiceError(
        _("Realisation %(id)d is not awaiting a decision.", id=r.id), code="wrong_state"
    )


def of_contract(contract_id: int, side: str, state: str | None = None) -> list[Realisation]:
    """The contract's realisations the given side sees (`visible_to`), newest first, with their
    building block. The contract page lists the contractor's drafts with it (`state="draft"`):
    all of them, whatever page of the realisations is shown, since each waits to be submitted."""
    q = visible_to(side, select(Realisation).where(Realisation.contract_id == contract_id))
    if state:
        q = q.where(Realisation.state == state)
    q = q.options(selectinload(Realisation.block))
    return list(db.session.scalars(q.order_by(Realisation.id.desc())))


def to_do_of(contractor_id: int) -> list[Realisation]:
    """What the contractor still has to do on its realisations: questions to answer, rejections
    to correct and drafts to complete and submit (the editable states), in that order and oldest
    first, with their blocks, in one query: the obligations overview lists them (issue 15)."""
    order = case({"questioned": 0, "rejected": 1}, value=Realisation.state, else_=2)
    return list(
        db.session.scalars(
            select(Realisation)
            .where(
                Realisation.contractor_id == contractor_id,
                Realisation.state.in_(EDITABLE_STATES),
            )
            .options(joinedload(Realisation.block))
            .order_by(order, Realisation.id)
        )
    )


def page_of_contract(
    contract: Contract, side: str, number: int, per_page: int
) -> CountedPagination:
    """Page `number` of the contract's realisations the given side sees, newest first, with block
    and evidence loaded for the page's rows only (a contract can have a thousand). NotFound for
    a page past the last one."""
    q = visible_to(
        side,
        select(Realisation)
        .where(Realisation.contract_id == contract.id)
        .options(selectinload(Realisation.block), selectinload(Realisation.evidence))
        .order_by(Realisation.id.desc()),
    )
    return pages.existing_page(q, number, per_page)


def awaiting_decision(authority_id: int) -> Select:
    """Select of submitted realisations on the authority's contracts, oldest first."""
    return (
        select(Realisation)
        .join(Contract, Contract.id == Realisation.contract_id)
        .where(Contract.authority_id == authority_id, Realisation.state == "submitted")
        .order_by(Realisation.submitted_at, Realisation.id)
    )


def awaiting_decision_page(
    authority_id: int, number: int, per_page: int, *, with_evidence: bool = False
) -> CountedPagination:
    """Page `number` of the realisations awaiting the authority's decision, oldest first, with
    contract, contractor and block in one query (and their evidence in a second one when asked:
    the approval queue shows it). NotFound for a page past the last one."""
    q = awaiting_decision(authority_id).options(
        contains_eager(Realisation.contract).joinedload(Contract.contractor),
        joinedload(Realisation.block),
    )
    if with_evidence:
        q = q.options(selectinload(Realisation.evidence))
    return pages.existing_page(q, number, per_page)


def awaiting_count(authority_id: int) -> int:
    """How many realisations await the authority's decision (the nav shows it)."""
    q = awaiting_decision(authority_id).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(q)) or 0
