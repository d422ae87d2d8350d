"""SROI policies and their value tables (bouwblokken), versioned by effective date.

A new version never changes contracts awarded before it: contracts keep the policy id they were
registered under (docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.domain import obligation as obligation_rules
from marketplace.domain.money import MAX_CENTS
from marketplace.domain.numbers import bounded_decimal, bounded_int
from marketplace.domain.valuation import UNITS, Block
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
# Column sizes of building_blocks, and a block's day limit far beyond any contract.
MAX_CODE, MAX_LABEL, MAX_DAYS = 20, 200, 100_000


@dataclass
class BlockData:
    code: str
    label: str
    unit: str
    rate_cents: int | None = None
    min_hours_per_week: Decimal | None = None
    max_days: int | None = None
    bonuses: dict[str, int] = field(default_factory=dict)
    credit_bp_by_certification: dict[str, int] | None = None


@dataclass
class PolicyData:
    name: str
    effective_from: date
    threshold_cents: int
    min_duration_months: int
    percentage_bp: int
    low_labour_share_bp: int | None = None
    low_labour_percentage_bp: int | None = None
    cap_cents: int | None = None
    pso_remaining_bp: dict[str, int] = field(default_factory=dict)
    credit_bp_by_certification: dict[str, int] | None = None
    source: str | None = None
    blocks: list[BlockData] = field(default_factory=list)


def require_officer(user: User, authority: Organisation) -> None:
    """Procurement officers are members of the authority itself (docs/domain.md "Who uses it")."""
    if authority.kind != "authority":
        raise NotFound()
    organisations.require_role(user, authority)


def validate_blocks(blocks: list[BlockData]) -> None:
    """Refuse a table the valuation rules cannot use; messages name the row."""
    if not blocks:
        raise ServiceError(
            _("A policy needs a value table with at least one building block."),
            {"blocks": _("Add at least one building block.")},
            code="empty_table",
        )
    seen: set[str] = set()
    for n, b in enumerate(blocks, start=1):
        where = _("Row %(n)d (%(code)s)", n=n, code=b.code or "?")
        if not b.code or not b.label:
            raise ServiceError(
                where + ": " + _("code and label are required."), code="invalid_block"
            )
        if len(b.code) > MAX_CODE or len(b.label) > MAX_LABEL:
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
        if b.max_days is not None and not 1 <= b.max_days <= MAX_DAYS:
            raise ServiceError(
                where + ": " + _("maximum days must be at least 1."), code="max_days"
            )
        if b.min_hours_per_week is not None and not (0 <= b.min_hours_per_week <= 168):
            raise ServiceError(
                where + ": " + _("minimum hours must be 0 to 168."), code="min_hours"
            )
        bad = [k for k, v in b.bonuses.items() if not _BONUS_CODE.match(k) or v < 0]
        if bad:
            raise ServiceError(where + ": " + _("unknown or negative bonus."), code="bonus")
        credits = (b.credit_bp_by_certification or {}).items()
        if any(not _BONUS_CODE.match(k) or not 0 <= v <= 10000 for k, v in credits):
            raise ServiceError(
                where + ": " + _("Enter a percentage between 0 and 100."), code="credit"
            )


def _validate_policy(data: PolicyData) -> None:
    fields: dict[str, str] = {}
    for name in ("percentage_bp", "low_labour_share_bp", "low_labour_percentage_bp"):
        value = getattr(data, name)
        if value is not None and not 0 <= value <= 10000:
            fields[name] = _("Enter a percentage between 0 and 100.")
    for name in ("threshold_cents", "cap_cents"):
        value = getattr(data, name)
        if value is not None and value < 0:
            fields[name] = _("Enter an amount of 0 or more.")
    if data.min_duration_months < 0:
        fields["min_duration_months"] = _("Enter 0 or more months.")
    for level, bp in data.pso_remaining_bp.items():
        if level not in obligation_rules.PSO_LEVELS or not 0 <= bp <= 10000:
            fields["pso_remaining_bp"] = _("Each PSO level needs a percentage between 0 and 100.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)


def create_policy(authority: Organisation, data: PolicyData, by: User | None) -> SroiPolicy:
    """Add a policy version; a version with the same effective date is refused. Only a verified
    authority publishes policies, also when seeding (`by` None)."""
    if by is not None:
        require_officer(by, authority)
    organisations.require_verified(authority)
    _validate_policy(data)
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
    policy = SroiPolicy(
        authority_id=authority.id,
        **{k: v for k, v in data.__dict__.items() if k != "blocks"},
    )
    policy.blocks = [BuildingBlock(**b.__dict__) for b in data.blocks]
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


def rules_of(policy: SroiPolicy) -> obligation_rules.Policy:
    return obligation_rules.Policy(
        threshold_cents=policy.threshold_cents,
        min_duration_months=policy.min_duration_months,
        percentage_bp=policy.percentage_bp,
        low_labour_share_bp=policy.low_labour_share_bp,
        low_labour_percentage_bp=policy.low_labour_percentage_bp,
        cap_cents=policy.cap_cents,
        pso_remaining_bp=dict(policy.pso_remaining_bp or {}),
    )


def block_rules(block: BuildingBlock) -> Block:
    return Block(
        code=block.code,
        unit=block.unit,
        rate_cents=block.rate_cents,
        min_hours_per_week=block.min_hours_per_week,
        max_days=block.max_days,
        bonuses=dict(block.bonuses or {}),
        credit_bp_by_certification=block.credit_bp_by_certification
        or block.policy.credit_bp_by_certification,
    )


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
                BlockData(
                    code=(row.get("code") or "").strip(),
                    label=(row.get("label") or "").strip(),
                    unit=(row.get("unit") or "").strip(),
                    rate_cents=_int_or_none(row.get("rate_cents"), MAX_CENTS),
                    min_hours_per_week=_decimal_or_none(row.get("min_hours_per_week")),
                    max_days=_int_or_none(row.get("max_days"), MAX_DAYS),
                    bonuses=bonuses,
                    credit_bp_by_certification=credits,
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
