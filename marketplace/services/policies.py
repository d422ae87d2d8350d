"""SROI policies and their value tables (bouwblokken), versioned by effective date.

A new version never changes contracts awarded before it: contracts keep the policy id they were
registered under (docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from marketplace.domain import inputs
from marketplace.domain import obligation as obligation_rules
from marketplace.domain.money import FULL_BP, MAX_CENTS
from marketplace.domain.numbers import bounded_decimal, bounded_int
from marketplace.domain.valuation import MAX_BLOCK_DAYS, MAX_HOURS_PER_WEEK, UNITS, Block
from marketplace.extensions import db
from marketplace.models import BuildingBlock, Organisation, SroiPolicy, User
from marketplace.services import audit, organisations
from marketplace.services.errors import NotFound, ServiceError

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


def validate_blocks(blocks: list[BlockData]) -> None:
    """Refuse a table the valuation rules cannot use; messages name the row."""
    if not blocks:
        raise ServiceError(
            _("A policy needs a value table with at least one building block."),
            {"blocks": _("Add at least one building block.")},
            code="empty_table",
        )
    seen: set[str] = set()
    for n, row in enumerate(blocks, start=1):
        b = row.rules
        where = _("Row %(n)d (%(code)s)", n=n, code=b.code or "?")
        if not b.code or not row.label:
            raise ServiceError(
                where + ": " + _("code and label are required."), code="invalid_block"
            )
        if len(b.code) > MAX_CODE or len(row.label) > MAX_LABEL:
            raise ServiceError(
                where + ": " + _("the code has at most 20 and the label at most 200 characters."),
                code="invalid_block",
            )
        if b.code in seen:
            raise ServiceError(where + ": " + _("this code appears twice."), code="duplicate_code")
        seen.add(b.code)
        if b.unit not in UNITS:
            raise ServiceError(where + ": " + _("unknown unit."), code="unknown_unit")
        needs_rate = b.unit in ("fte_year", "month", "hour", "fixed")
        if needs_rate and (b.rate_cents is None or b.rate_cents < 0):
            raise ServiceError(where + ": " + _("a rate of 0 or more is required."), code="rate")
        if b.max_days is not None and not 1 <= b.max_days <= MAX_BLOCK_DAYS:
            raise ServiceError(
                where + ": " + _("maximum days must be at least 1."), code="max_days"
            )
        if b.min_hours_per_week is not None and not 0 <= b.min_hours_per_week <= MAX_HOURS_PER_WEEK:
            raise ServiceError(
                where + ": " + _("minimum hours must be 0 to 168."), code="min_hours"
            )
        bad = [k for k, v in b.bonuses.items() if not _BONUS_CODE.match(k) or v < 0]
        if bad:
            raise ServiceError(where + ": " + _("unknown or negative bonus."), code="bonus")
        credits = (b.credit_bp_by_certification or {}).items()
        if any(not _BONUS_CODE.match(k) or not 0 <= v <= FULL_BP for k, v in credits):
            raise ServiceError(
                where + ": " + _("Enter a percentage between 0 and 100."), code="credit"
            )


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
