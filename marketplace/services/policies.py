"""SROI policies and their value tables (bouwblokken), versioned by effective date.

A new version never changes contracts awarded before it: contracts keep the policy id they were
registered under (docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from marketplace.domain import inputs
from marketplace.domain import obligation as obligation_rules
from marketplace.domain.money import FULL_BP, MAX_CENTS
from marketplace.domain.numbers import NumberError, bounded_decimal, bounded_int
from marketplace.domain.valuation import (
    BONUS_ATTRIBUTES,
    MAX_BLOCK_DAYS,
    MAX_HOURS_PER_WEEK,
    UNITS,
    Block,
    RealisationInput,
    Valuation,
    ValuationError,
    valuate,
)
from marketplace.extensions import db
from marketplace.labels import block_field_labels, error_message
from marketplace.models import BuildingBlock, Contract, Organisation, SroiPolicy, User
from marketplace.services import audit, organisations
from marketplace.services.errors import Conflict, NotFound, ServiceError

# Bonuses and credits are "key=value" pairs separated by spaces, e.g. "age_50_plus=1000000".
CSV_COLUMNS = [
    "code",
    "label",
    "unit",
    "rate_cents",
    "min_hours_per_week",
    "max_days",
    "bonuses",
    "credit_bp_by_certification",
]
_BONUS_CODE = re.compile(r"^[a-z0-9_]{2,40}$")
# Column sizes of building_blocks.
MAX_CODE, MAX_LABEL = 20, 200
MAX_HOURS_DECIMALS = 2  # building_blocks.min_hours_per_week is NUMERIC(5, 2)
# The units whose value is a rate times something (docs/domain.md "Building blocks").
RATED_UNITS = ("fte_year", "month", "hour", "fixed")
# A rate or bonus beyond any real table (the highest real one is € 50.000 a year), low enough
# that a typing slip of three zeros too many is refused rather than stored.
MAX_RATE_CENTS = 10_000_000_00


@dataclass(frozen=True)
class BlockData:
    """A row of a value table as entered: its label and the block the valuation rules read
    (`domain/valuation.py: Block`, the one definition of a block's fields). Stored, a block's
    credit table None means the policy's table (`block_rules`)."""

    label: str
    rules: Block


@dataclass(frozen=True)
class PolicyData:
    """A policy version as entered: name and date, the obligation rules' Policy (the one
    definition of its fields, docs/domain.md "Policy fields"), the purchase credits of the whole
    policy, the source and the value table."""

    name: str
    effective_from: date
    rules: obligation_rules.Policy
    blocks: list[BlockData] = field(default_factory=list)
    credit_bp_by_certification: dict[str, int] | None = None
    source: str | None = None


def policy_data(values: Mapping[str, Any], blocks: list[BlockData]) -> PolicyData:
    """A version from values named like PolicyData's and the Policy's fields (the officer's form,
    the API's schema, the demo data); names neither has are ignored (domain/inputs.py)."""
    return PolicyData(
        name=values["name"],
        effective_from=values["effective_from"],
        rules=inputs.policy_from(values),
        blocks=blocks,
        credit_bp_by_certification=values.get("credit_bp_by_certification"),
        source=values.get("source"),
    )


def block_data(values: Mapping[str, Any]) -> BlockData:
    """A value-table row from its `label` and values named like the Block's fields."""
    return BlockData(label=values["label"], rules=inputs.block_from(values))


def require_officer(user: User, authority: Organisation) -> None:
    """Procurement officers are members of the authority itself (docs/domain.md "Who uses it").
    Anyone else gets NotFound, not Forbidden: another authority's policies, contracts and reports
    do not exist for them, so a 403 would confirm what a guessed id points at."""
    if authority.kind != "authority" or organisations.role_of(user, authority) is None:
        raise NotFound()


@dataclass(frozen=True)
class Problem:
    """Why one field of a value-table row cannot be used: the field (a Block field, `label`, or
    `bonuses.<attribute>` / `credit_bp_by_certification.<certification>` for one entry of
    those), a stable code and the message shown next to the field."""

    field: str
    code: str
    message: str


def block_problems(row: BlockData, taken: Collection[str] = ()) -> list[Problem]:
    """Every field of one row the valuation rules cannot use (docs/domain.md "Building blocks"),
    all at once; `taken` are the codes of the table's other rows. The one check of a row, for the
    browser's editor, the CSV import and the API alike."""
    b, problems = row.rules, []

    def refuse(name: str, code: str, message: str) -> None:
        problems.append(Problem(name, code, message))

    if not b.code:
        refuse("code", "invalid_block", _("Enter a code, e.g. PW."))
    elif len(b.code) > MAX_CODE:
        refuse("code", "invalid_block", _("A code has at most 20 characters."))
    elif b.code in taken:
        refuse("code", "duplicate_code", _("Another row of this table has this code."))
    if not row.label:
        refuse("label", "invalid_block", _("Enter a description."))
    elif len(row.label) > MAX_LABEL:
        refuse("label", "invalid_block", _("A description has at most 200 characters."))
    if b.unit not in UNITS:
        refuse("unit", "unknown_unit", _("Choose a unit."))
    elif b.unit in RATED_UNITS and b.rate_cents is None:
        refuse("rate_cents", "rate", _("Enter a rate in euros, e.g. 40.000."))
    if b.rate_cents is not None and not 0 <= b.rate_cents <= MAX_RATE_CENTS:
        refuse("rate_cents", "rate", _("Enter an amount from € 0 to € 10.000.000."))
    if b.max_days is not None and not 1 <= b.max_days <= MAX_BLOCK_DAYS:
        refuse("max_days", "max_days", _("Enter a number of days from 1 to 100.000."))
    if b.min_hours_per_week is not None and not _hours_fit(b.min_hours_per_week):
        refuse("min_hours_per_week", "min_hours", _("Enter 0 to 168 hours, at most 2 decimals."))
    for attribute, cents in b.bonuses.items():
        if attribute not in BONUS_ATTRIBUTES:
            refuse(f"bonuses.{attribute}", "bonus", _("This bonus is unknown."))
        elif not 0 <= cents <= MAX_RATE_CENTS:
            refuse(f"bonuses.{attribute}", "bonus", _("Enter an amount from € 0 to € 10.000.000."))
    for certification, bp in (b.credit_bp_by_certification or {}).items():
        if not _BONUS_CODE.match(certification) or not 0 <= bp <= FULL_BP:
            refuse(
                f"credit_bp_by_certification.{certification}",
                "credit",
                _("Enter a percentage between 0 and 100."),
            )
    return problems


def validate_blocks(blocks: list[BlockData]) -> None:
    """Refuse a table the valuation rules cannot use; the message names the first bad row and
    each of its problems (block_problems)."""
    if not blocks:
        raise ServiceError(
            _("A policy needs a value table with at least one building block."),
            {"blocks": _("Add at least one building block.")},
            code="empty_table",
        )
    seen: set[str] = set()
    for n, row in enumerate(blocks, start=1):
        problems = block_problems(row, seen)
        seen.add(row.rules.code)
        if problems:
            where = _("Row %(n)d (%(code)s)", n=n, code=row.rules.code or "?")
            names = block_field_labels()
            said = [f"{names[p.field.partition('.')[0]]}: {p.message}" for p in problems]
            raise ServiceError(where + ": " + " ".join(said), code=problems[0].code)


def _hours_fit(hours: Decimal) -> bool:
    """0 to 168 hours with at most two decimals (the column's precision)."""
    try:
        bounded_decimal(
            hours, max_decimals=MAX_HOURS_DECIMALS, minimum=0, maximum=MAX_HOURS_PER_WEEK
        )
    except NumberError:
        return False
    return True


def _validate_policy(rules: obligation_rules.Policy) -> None:
    fields: dict[str, str] = {}
    for name in ("percentage_bp", "low_labour_share_bp", "low_labour_percentage_bp"):
        value = getattr(rules, name)
        if value is not None and not 0 <= value <= FULL_BP:
            fields[name] = _("Enter a percentage between 0 and 100.")
    for name in ("threshold_cents", "cap_cents"):
        value = getattr(rules, name)
        if value is not None and value < 0:
            fields[name] = _("Enter an amount of 0 or more.")
    if rules.min_duration_months < 0:
        fields["min_duration_months"] = _("Enter 0 or more months.")
    for level, bp in rules.pso_remaining_bp.items():
        if level not in obligation_rules.PSO_LEVELS or not 0 <= bp <= FULL_BP:
            fields["pso_remaining_bp"] = _("Each PSO level needs a percentage between 0 and 100.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)


def create_policy(authority: Organisation, data: PolicyData, by: User | None) -> SroiPolicy:
    """Add a policy version; a version with the same effective date is refused. Only a verified
    authority publishes policies, also when seeding (`by` None)."""
    if by is not None:
        require_officer(by, authority)
    organisations.require_verified(authority)
    _validate_policy(data.rules)
    validate_blocks(data.blocks)
    exists = db.session.scalar(
        select(SroiPolicy.id).where(
            SroiPolicy.authority_id == authority.id,
            SroiPolicy.effective_from == data.effective_from,
        )
    )
    if exists:
        msg = _("There is already a policy version from this date.")
        raise ServiceError(msg, {"effective_from": msg}, code="duplicate_version")
    # The rules' fields are the columns of the same names.
    policy = SroiPolicy(
        authority_id=authority.id,
        name=data.name,
        effective_from=data.effective_from,
        credit_bp_by_certification=data.credit_bp_by_certification,
        source=data.source,
        **asdict(data.rules),
    )
    policy.blocks = [BuildingBlock(label=b.label, **asdict(b.rules)) for b in data.blocks]
    db.session.add(policy)
    db.session.flush()
    audit.record(
        "policy.created",
        policy,
        after={"effective_from": data.effective_from.isoformat(), "blocks": len(data.blocks)},
        actor=by,
    )
    db.session.commit()
    return policy


def policies_of(authority: Organisation) -> list[SroiPolicy]:
    return list(
        db.session.scalars(
            select(SroiPolicy)
            .where(SroiPolicy.authority_id == authority.id)
            .order_by(SroiPolicy.effective_from.desc())
        )
    )


def get_policy(policy_id: int, user: User) -> SroiPolicy:
    policy = db.session.get(SroiPolicy, policy_id)
    if policy is None:
        raise NotFound()
    require_officer(user, policy.authority)
    return policy


# --- the value-table editor ---------------------------------------------------------------------
# An officer changes a version's table row by row in the browser. A version that contracts use
# is never changed: an awarded contract keeps its policy version, and its realisations were
# valued with these rows (docs/domain.md "The SROI obligation of a contract"). Changing such a
# table goes as a CSV import always has: into a new version, for contracts awarded from its date.


def contracts_using(policy: SroiPolicy) -> int:
    """How many contracts were registered under this version."""
    return db.session.scalar(
        select(func.count()).select_from(Contract).where(Contract.policy_id == policy.id)
    )


def value_table(policy_id: int, user: User) -> tuple[SroiPolicy, int]:
    """A version for its table page, with the number of contracts that use it (when any, the
    table can no longer change)."""
    policy = get_policy(policy_id, user)
    return policy, contracts_using(policy)


def editable_policy(policy_id: int, user: User) -> SroiPolicy:
    """The version, when the user is its authority's officer (else NotFound) and no contract uses
    it (else Conflict, saying why and what to do instead)."""
    policy = get_policy(policy_id, user)
    if contracts_using(policy):
        raise Conflict(
            _(
                "Contracts use this policy version, and an awarded contract keeps its version: "
                "its value table no longer changes. Make a new version with the changed table."
            ),
            code="policy_in_use",
        )
    return policy


def get_block(policy_id: int, block_id: int, user: User) -> BuildingBlock:
    """A row of a version the user may edit; a row of another version is NotFound."""
    policy = editable_policy(policy_id, user)
    block = db.session.get(BuildingBlock, block_id)
    if block is None or block.policy_id != policy.id:
        raise NotFound()
    return block


def _locked_editable(policy_id: int, user: User) -> SroiPolicy:
    """editable_policy for a change of its table, with the version's row locked (FOR UPDATE) for
    the rest of the transaction: two officers changing one table, or a contract registered under
    it (its foreign key waits for the lock), go one at a time, and what is read after the lock
    (the contracts, the rows) is what the one before committed. Without it two officers deleting
    the last two rows at once left a version without a table."""
    policy = get_policy(policy_id, user)
    db.session.execute(select(SroiPolicy.id).where(SroiPolicy.id == policy.id).with_for_update())
    db.session.expire(policy, ["blocks"])
    return editable_policy(policy_id, user)


def _locked_block(policy_id: int, block_id: int, user: User) -> BuildingBlock:
    """get_block for a change, read again after the version's lock: a row another officer deleted
    meanwhile is NotFound (it was a server error when the change updated no row)."""
    policy = _locked_editable(policy_id, user)
    block = db.session.scalar(
        select(BuildingBlock)
        .where(BuildingBlock.id == block_id, BuildingBlock.policy_id == policy.id)
        .execution_options(populate_existing=True)
    )
    if block is None:
        raise NotFound()
    return block


def row_problems(
    policy: SroiPolicy, row: BlockData, block: BuildingBlock | None = None
) -> dict[str, str]:
    """Every problem of `row` as a row of `policy`'s table (replacing `block`), by field."""
    taken = {b.code for b in policy.blocks if b is not block}
    return {p.field: p.message for p in block_problems(row, taken)}


def add_block(policy_id: int, row: BlockData, by: User) -> BuildingBlock:
    """Add a row to a version's table; every problem of it is refused at once, by field."""
    policy = _locked_editable(policy_id, by)
    _refuse_problems(policy, row, None)
    block = BuildingBlock(policy=policy, label=row.label, **asdict(row.rules))
    db.session.add(block)
    _commit_row(policy, block, "policy.block_added", None, by)
    return block


def update_block(policy_id: int, block_id: int, row: BlockData, by: User) -> BuildingBlock:
    """Change a row of a version's table; refused like add_block."""
    block = _locked_block(policy_id, block_id, by)
    _refuse_problems(block.policy, row, block)
    before = _row_snapshot(block)
    block.label = row.label
    for name, value in asdict(row.rules).items():
        setattr(block, name, value)
    _commit_row(block.policy, block, "policy.block_changed", before, by)
    return block


def delete_block(policy_id: int, block_id: int, by: User) -> BuildingBlock:
    """Remove a row from a version's table; its last row stays (a policy needs a table)."""
    block = _locked_block(policy_id, block_id, by)
    policy = block.policy
    if len(policy.blocks) <= 1:
        raise ServiceError(
            _("A policy needs a value table with at least one building block."),
            code="empty_table",
        )
    before = _row_snapshot(block)
    policy.blocks.remove(block)
    audit.record("policy.block_deleted", policy, before=before, actor=by)
    db.session.commit()
    return block


def sample_value(rules: Block, sample: RealisationInput) -> Valuation:
    """What one realisation is worth under a row as entered (the editor's preview): the valuation
    rules themselves; a refusal names the field of the realisation or the row it concerns."""
    try:
        return valuate(rules, sample)
    except ValuationError as exc:
        message = error_message(exc.code, exc.params)
        raise ServiceError(message, {exc.field or "sample": message}, code=exc.code) from exc


def _refuse_problems(policy: SroiPolicy, row: BlockData, block: BuildingBlock | None) -> None:
    problems = row_problems(policy, row, block)
    if problems:
        raise ServiceError(_("Some fields are not valid."), problems, code="invalid_block")


def _commit_row(
    policy: SroiPolicy,
    block: BuildingBlock,
    action: str,
    before: dict[str, Any] | None,
    by: User,
) -> None:
    """Audit and commit a row's change; two officers saving one code at once: the second is
    refused by the unique key, with the same message as the check."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        msg = _("Another row of this table has this code.")
        raise ServiceError(msg, {"code": msg}, code="duplicate_code") from exc
    audit.record(action, policy, before=before, after=_row_snapshot(block), actor=by)
    db.session.commit()


def _row_snapshot(block: BuildingBlock) -> dict[str, Any]:
    hours = block.min_hours_per_week
    return {
        "code": block.code,
        "label": block.label,
        "unit": block.unit,
        "rate_cents": block.rate_cents,
        "min_hours_per_week": None if hours is None else str(hours),
        "max_days": block.max_days,
        "bonuses": dict(block.bonuses or {}),
        "credit_bp_by_certification": block.credit_bp_by_certification,
    }


def policy_in_force(authority_id: int, on: date) -> SroiPolicy | None:
    """The version with the latest effective_from on or before `on`."""
    return db.session.scalar(
        select(SroiPolicy)
        .where(SroiPolicy.authority_id == authority_id, SroiPolicy.effective_from <= on)
        .order_by(SroiPolicy.effective_from.desc())
        .limit(1)
    )


def published_policies(today: date) -> list[SroiPolicy]:
    """The policies the public calculator offers, by authority name: of each verified authority,
    the version in force today.

    Published means exactly that: a verified authority's policy is public from its effective date
    (only a verified authority publishes one, `create_policy`) until a newer version replaces it,
    as the authorities publish their social-return rules themselves. A version that is not in
    force yet, one a newer version replaced, and any policy of an unverified authority are not
    published: the calculator neither lists nor computes with them."""
    in_force = (
        select(SroiPolicy.authority_id, func.max(SroiPolicy.effective_from).label("since"))
        .where(SroiPolicy.effective_from <= today)
        .group_by(SroiPolicy.authority_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(SroiPolicy)
            .join(
                in_force,
                (in_force.c.authority_id == SroiPolicy.authority_id)
                & (in_force.c.since == SroiPolicy.effective_from),
            )
            .join(Organisation, Organisation.id == SroiPolicy.authority_id)
            .where(Organisation.kind == "authority", Organisation.verified_at.is_not(None))
            .options(contains_eager(SroiPolicy.authority))
            .order_by(Organisation.name, SroiPolicy.id)
        )
    )


def published_policy(policy_id: int, today: date) -> SroiPolicy:
    """A published policy (`published_policies`) with its value table; NotFound for any other,
    so the public calculator confirms nothing about a policy that is not public."""
    policy = db.session.get(SroiPolicy, policy_id)
    if (
        policy is None
        or policy.authority.kind != "authority"
        or not policy.authority.is_verified
        or policy_in_force(policy.authority_id, today) is not policy
    ):
        raise NotFound()
    return policy


def rules_of(policy: SroiPolicy) -> obligation_rules.Policy:
    """The obligation rules' Policy of a stored version (its columns of the same names)."""
    return inputs.policy_from(_columns(policy, obligation_rules.Policy))


def block_rules(block: BuildingBlock) -> Block:
    """The valuation rules' Block of a stored row; without a credit table of its own, the
    policy's (and without that, the default table of docs/domain.md)."""
    credits = block.credit_bp_by_certification or block.policy.credit_bp_by_certification
    return inputs.block_from({**_columns(block, Block), "credit_bp_by_certification": credits})


def _columns(model: SroiPolicy | BuildingBlock, rules: type) -> dict[str, Any]:
    return {name: getattr(model, name) for name in inputs.field_names(rules)}


def export_csv(policy: SroiPolicy) -> str:
    """The value table as CSV (comma separated, amounts in cents, UTF-8)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for b in policy.blocks:
        row = {
            "code": b.code,
            "label": b.label,
            "unit": b.unit,
            "rate_cents": "" if b.rate_cents is None else b.rate_cents,
            "min_hours_per_week": "" if b.min_hours_per_week is None else b.min_hours_per_week,
            "max_days": "" if b.max_days is None else b.max_days,
        }
        row["bonuses"] = _pairs_text(b.bonuses)
        row["credit_bp_by_certification"] = _pairs_text(b.credit_bp_by_certification)
        writer.writerow(row)
    return out.getvalue()


def parse_csv(text: str) -> list[BlockData]:
    """Read a value table exported by export_csv (also with ';' as separator, as Dutch Excel
    writes it). Raises ServiceError naming the first bad row."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    missing = {"code", "label", "unit"} - set(reader.fieldnames or [])
    if missing:
        raise ServiceError(
            _("The CSV file misses the columns: %(cols)s.", cols=", ".join(sorted(missing))),
            code="csv_columns",
        )
    blocks = []
    for n, row in enumerate(reader, start=2):
        try:
            bonuses = _parse_pairs(row.get("bonuses"))
            credits = _parse_pairs(row.get("credit_bp_by_certification")) or None
            blocks.append(
                block_data(
                    {
                        "code": (row.get("code") or "").strip(),
                        "label": (row.get("label") or "").strip(),
                        "unit": (row.get("unit") or "").strip(),
                        "rate_cents": _int_or_none(row.get("rate_cents"), MAX_CENTS),
                        "min_hours_per_week": _decimal_or_none(row.get("min_hours_per_week")),
                        "max_days": _int_or_none(row.get("max_days"), MAX_BLOCK_DAYS),
                        "bonuses": bonuses,
                        "credit_bp_by_certification": credits,
                    }
                )
            )
        except ValueError as exc:  # NumberError included: not a number, or out of bounds
            raise ServiceError(
                _("Line %(n)d of the CSV file has a value that is not a number.", n=n),
                code="csv_number",
            ) from exc
    validate_blocks(blocks)
    return blocks


def _pairs_text(pairs: dict[str, int] | None) -> str:
    return " ".join(f"{k}={v}" for k, v in (pairs or {}).items())


def _parse_pairs(text: str | None) -> dict[str, int]:
    pairs = {}
    for item in (text or "").split():
        key, _sep, value = item.partition("=")
        pairs[key.strip()] = bounded_int(value, minimum=-MAX_CENTS, maximum=MAX_CENTS)
    return pairs


def _int_or_none(value: str | None, maximum: int) -> int | None:
    """A whole number of at most `maximum` (cents, days), or None for an empty cell; a negative
    one is read, for validate_blocks to refuse with its own message."""
    value = (value or "").strip()
    return bounded_int(value, minimum=-maximum, maximum=maximum) if value else None


def _decimal_or_none(value: str | None) -> Decimal | None:
    """Hours with a decimal point or comma, bounded before anything compares them."""
    value = (value or "").strip().replace(",", ".")
    return bounded_decimal(value) if value else None
