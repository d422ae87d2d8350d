"""Valuation of one realisation against a building block (docs/domain.md "Building blocks").

A realisation is worth the sum of its breakdown lines: the block's own line first, then one line per
bonus the candidate earns. Each line is computed exactly (`Fraction`) and rounded half up to cents
on its own. Invalid input raises `ValuationError` with a stable `code`, the realisation or block
`field` it concerns and `params`; never a sentence (`marketplace/labels.py` words the codes).

Choices where docs/domain.md is silent:
- Bonuses apply to `fte_year` blocks only (docs/domain.md defines them pro rata on hours and days);
  bonuses listed on a block of another unit are ignored. Bonus lines follow the order of
  `block.bonuses`, and a bonus line worth 0 cents is left out; the block's own line is always there.
- Hours may be given as `int` or `str` as well as `Decimal`; a `float` is converted through its
  shortest text (15.5 -> Decimal("15.5")), never computed with. "At most two decimals" is about the
  value, so Decimal("24.000") is fine.
- `hours_per_week` exactly equal to `min_hours_per_week` is accepted (only "<" is refused).
- An `invoice` realisation must name its supplier's certification (`"none"` when it has none); a
  certification absent from the block's own credit table earns 0%.
- A `fixed` realisation counts `quantity` occurrences (default 1, at least 1).
- Fields a unit does not use are ignored (e.g. `hours_per_week` on a `cost` realisation).

Like an obligation, a valuation carries the steps of its explanation, so anyone can check the sum
by hand: each a code with plain, JSON-safe parameters (amounts in cents, hours as text, dates as
ISO text, credits in basis points), one per line of the breakdown plus the hours and the period
they are pro rata on, and the total when there is more than one line; `marketplace/labels.py`
words them in the reader's language, as it does an obligation's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from marketplace.domain.errors import InputError
from marketplace.domain.money import FULL_BP, round_half_up
from marketplace.domain.numbers import NumberError, bounded_decimal

__all__ = [
    "BONUS_ATTRIBUTES",
    "CERTIFICATIONS",
    "DEFAULT_CREDIT_BP",
    "ERROR_CODES",
    "FTE_HOURS",
    "MAX_BLOCK_DAYS",
    "MAX_HOURS",
    "MAX_HOURS_PER_WEEK",
    "MAX_QUANTITY",
    "STEP_CODES",
    "UNITS",
    "Block",
    "Line",
    "RealisationInput",
    "Step",
    "Valuation",
    "ValuationError",
    "credit_bp_for",
    "period_days",
    "valuate",
]

UNITS = ("fte_year", "month", "hour", "invoice", "fixed", "cost")
CERTIFICATIONS = (
    "code_sociale_ondernemingen",
    "werkbedrijf",
    "pso_30_plus",
    "social_enterprise_nl",
    "pso_trede_3",
    "none",
)
# docs/domain.md "Purchase credit by supplier certification" defaults, in basis points.
DEFAULT_CREDIT_BP: Mapping[str, int] = {
    "code_sociale_ondernemingen": 10000,
    "werkbedrijf": 10000,
    "pso_30_plus": 10000,
    "social_enterprise_nl": 5000,
    "pso_trede_3": 3000,
    "none": 0,
}
# The candidate attributes a block can reward with a bonus: docs/domain.md's three, then the ones
# the real tables of marketplace/data/value-tables.json add (Den Haag, Leiden, Harlingen). A table
# rewards only attributes listed here, so a contractor can always claim what it rewards.
BONUS_ATTRIBUTES = (
    "age_50_plus",
    "statushouder",
    "permanent_contract",
    "age_55_plus",
    "vso_pro_after_internship",
    "pro_after_internship",
    "disability_ips",
)
# The codes a ValuationError can carry.
ERROR_CODES = (
    "below_min_hours",
    "missing_field",
    "end_before_start",
    "hours_out_of_range",
    "negative_amount",
    "unknown_unit",
    "unknown_certification",
    "too_many_decimals",
    "invalid_number",
    "quantity_out_of_range",
    "invalid_block",
)
FTE_HOURS = 36
MAX_HOURS_PER_WEEK = 168
# Bounds on what a block or a realisation may state, far beyond real work, so that no input makes
# the exact arithmetic huge: hours of an `hour` realisation, occurrences of a `fixed` one, and the
# day limit of a block (two centuries and more).
MAX_HOURS = 1_000_000
MAX_QUANTITY = 1_000_000
MAX_BLOCK_DAYS = 100_000
DAYS_PER_YEAR = 365
MONTHS_PER_YEAR = 12

# The steps an explanation can hold: the hours and the period an fte_year or month line is pro
# rata on, one step per line (by the block's unit, then one per bonus), and the total.
STEP_CODES = (
    "hours",
    "period",
    "fte_year_line",
    "month_line",
    "hour_line",
    "fixed_line",
    "cost_line",
    "invoice_line",
    "bonus_line",
    "total",
)
# One step of the explanation: its code and plain, JSON-safe parameters.
Step = tuple[str, dict[str, Any]]


class ValuationError(InputError):
    """A realisation or block that cannot be valued (see domain/errors.py)."""


@dataclass(frozen=True)
class Block:
    """A building block of a policy's value table (docs/domain.md "Building blocks").

    `rate_cents` is per FTE-year (`fte_year`), per month (`month`), per hour (`hour`) or per
    occurrence (`fixed`); `invoice` and `cost` blocks need no rate. `credit_bp_by_certification`
    None means `DEFAULT_CREDIT_BP`; a certification missing from a given mapping earns 0.
    """

    code: str
    unit: str
    rate_cents: int | None = None
    min_hours_per_week: Decimal | None = None
    max_days: int | None = None
    bonuses: Mapping[str, int] = field(default_factory=dict)
    credit_bp_by_certification: Mapping[str, int] | None = None


@dataclass(frozen=True)
class RealisationInput:
    """What a realisation claims; which fields matter depends on the unit (docs/domain.md)."""

    start: date | None = None
    end: date | None = None
    hours_per_week: Decimal | None = None
    hours: Decimal | None = None
    quantity: int | None = None
    cost_excl_vat_cents: int | None = None
    invoice_excl_vat_cents: int | None = None
    supplier_certification: str | None = None
    attributes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Line:
    """One breakdown line: the block's code or a bonus attribute, and its value in cents."""

    code: str
    value_cents: int


@dataclass(frozen=True)
class Valuation:
    """The value of a realisation: the sum of its `lines` (block first, then bonuses), and the
    steps of its explanation, each a `Step` (code, params)."""

    value_cents: int
    lines: tuple[Line, ...]
    # Derived from the same inputs as the lines: two valuations with the same lines are equal.
    steps: tuple[Step, ...] = field(default=(), compare=False)


def valuate(block: Block, r: RealisationInput) -> Valuation:
    """Value one realisation against one building block, per the unit table of docs/domain.md.

    fte_year: rate × min(hours_per_week, 36)/36 × min(days, max_days)/365, plus one line per bonus
    the candidate has, pro rata on the same hours and days; refused (`below_min_hours`) when
    hours_per_week < min_hours_per_week. month: rate × min(days, max_days) × 12/365. hour: rate ×
    hours. fixed: rate × quantity. cost: cost_excl_vat_cents. invoice: invoice × credit_bp/10000.
    Days are inclusive: (end - start).days + 1. Each line is rounded half up on its own.
    """
    if block.unit == "fte_year":
        return _valuate_fte_year(block, r)
    if block.unit == "month":
        rate = _rate(block)
        days, period = _capped_days(block, r)
        exact = Fraction(rate * days * MONTHS_PER_YEAR, DAYS_PER_YEAR)
        return _single(block, exact, period, ("month_line", {"rate_cents": rate, "days": days}))
    if block.unit == "hour":
        rate = _rate(block)
        hours = _hours(r.hours, "hours")
        if hours < 0:
            raise ValuationError("hours_out_of_range", "hours", hours=str(hours))
        params = {"rate_cents": rate, "hours": str(hours)}
        return _single(block, rate * Fraction(hours), None, ("hour_line", params))
    if block.unit == "fixed":
        rate = _rate(block)
        quantity = 1 if r.quantity is None else r.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise ValuationError("quantity_out_of_range", "quantity", quantity=repr(quantity))
        params = {"rate_cents": rate, "quantity": quantity}
        return _single(block, Fraction(rate * quantity), None, ("fixed_line", params))
    if block.unit == "cost":
        cost = _amount(r.cost_excl_vat_cents, "cost_excl_vat_cents")
        return _single(block, Fraction(cost), None, ("cost_line", {}))
    if block.unit == "invoice":
        invoice = _amount(r.invoice_excl_vat_cents, "invoice_excl_vat_cents")
        if r.supplier_certification is None:
            raise ValuationError("missing_field", "supplier_certification")
        credit_bp = credit_bp_for(block, r.supplier_certification)
        params = {
            "invoice_cents": invoice,
            "certification": r.supplier_certification,
            "credit_bp": credit_bp,
        }
        exact = Fraction(invoice * credit_bp, FULL_BP)
        return _single(block, exact, None, ("invoice_line", params))
    raise ValuationError("unknown_unit", "unit", unit=block.unit)


def credit_bp_for(block: Block, certification: str) -> int:
    """The purchase credit in basis points for a supplier's certification (docs/domain.md).

    The block's own `credit_bp_by_certification` when set (a certification it does not list: 0),
    else `DEFAULT_CREDIT_BP`. A certification that is neither standard nor in the block's table is
    refused.
    """
    table = block.credit_bp_by_certification
    if table is None:
        table = DEFAULT_CREDIT_BP
    if certification not in CERTIFICATIONS and certification not in table:
        raise ValuationError(
            "unknown_certification", "supplier_certification", certification=certification
        )
    credit_bp = table.get(certification, 0)
    if (
        isinstance(credit_bp, bool)
        or not isinstance(credit_bp, int)
        or not 0 <= credit_bp <= FULL_BP
    ):
        raise ValuationError(
            "invalid_block", "credit_bp_by_certification", certification=certification
        )
    return credit_bp


def period_days(start: date | None, end: date | None) -> int:
    """Inclusive number of days of a period (docs/domain.md: days = (end - start).days + 1)."""
    if start is None:
        raise ValuationError("missing_field", "start")
    if end is None:
        raise ValuationError("missing_field", "end")
    if end < start:
        raise ValuationError(
            "end_before_start", "end", start=start.isoformat(), end=end.isoformat()
        )
    return (end - start).days + 1


def _valuate_fte_year(block: Block, r: RealisationInput) -> Valuation:
    rate = _rate(block)
    hours_per_week = _hours(r.hours_per_week, "hours_per_week")
    if not 0 < hours_per_week <= MAX_HOURS_PER_WEEK:
        raise ValuationError(
            "hours_out_of_range",
            "hours_per_week",
            maximum=MAX_HOURS_PER_WEEK,
        )
    if block.min_hours_per_week is not None:
        minimum = _hours(block.min_hours_per_week, "min_hours_per_week")
        if hours_per_week < minimum:
            raise ValuationError(
                "below_min_hours",
                "hours_per_week",
                minimum=str(minimum),
            )
    days, period = _capped_days(block, r)
    counted_hours = min(hours_per_week, Decimal(FTE_HOURS))
    # The share of a full FTE-year both the block and its bonuses count, exactly.
    share = Fraction(counted_hours) / FTE_HOURS * Fraction(days, DAYS_PER_YEAR)
    pro_rata = {"hours": str(counted_hours), "fte_hours": FTE_HOURS, "days": days}
    given = {"hours_per_week": str(hours_per_week), "hours": str(counted_hours)}
    steps: list[Step] = [("hours", {**given, "fte_hours": FTE_HOURS}), period]
    lines = [_line(block.code, rate * share, steps, "fte_year_line", rate_cents=rate, **pro_rata)]
    for attribute, bonus_cents in block.bonuses.items():
        if isinstance(bonus_cents, bool) or not isinstance(bonus_cents, int):
            raise ValuationError("invalid_block", "bonuses", attribute=attribute)
        if bonus_cents < 0:
            raise ValuationError("negative_amount", "bonuses", attribute=attribute)
        if attribute in r.attributes and round_half_up(bonus_cents * share):
            lines.append(
                _line(
                    attribute,
                    bonus_cents * share,
                    steps,
                    "bonus_line",
                    rate_cents=bonus_cents,
                    **pro_rata,
                )
            )
    return _valuation(lines, steps)


def _line(code: str, exact: Fraction, steps: list[Step], step: str, **params: Any) -> Line:
    """A breakdown line, rounded half up on its own, and the step that explains it."""
    line = Line(code, round_half_up(exact))
    steps.append((step, {"code": code, **params, "amount_cents": line.value_cents}))
    return line


def _valuation(lines: list[Line], steps: list[Step]) -> Valuation:
    total = sum(line.value_cents for line in lines)
    if len(lines) > 1:
        steps.append(("total", {"amount_cents": total}))
    return Valuation(total, tuple(lines), tuple(steps))


def _single(block: Block, exact: Fraction, period: Step | None, step: Step) -> Valuation:
    """The valuation of a unit with one line: its period (if pro rata on days) and its step."""
    steps: list[Step] = [period] if period else []
    code, params = step
    return _valuation([_line(block.code, exact, steps, code, **params)], steps)


def _rate(block: Block) -> int:
    if block.rate_cents is None:
        raise ValuationError("missing_field", "rate_cents", block=block.code)
    return _whole_cents(block.rate_cents, "rate_cents")


def _amount(value: int | None, name: str) -> int:
    if value is None:
        raise ValuationError("missing_field", name)
    return _whole_cents(value, name)


def _whole_cents(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValuationError("invalid_number", name)
    if value < 0:
        raise ValuationError("negative_amount", name)
    return value


def _capped_days(block: Block, r: RealisationInput) -> tuple[int, Step]:
    """The days that count (the period's, at most the block's maximum) and the step saying so."""
    days = period_days(r.start, r.end)
    if block.max_days is not None and (
        isinstance(block.max_days, bool)
        or not isinstance(block.max_days, int)
        or block.max_days < 1
    ):
        raise ValuationError("invalid_block", "max_days")
    counted = days if block.max_days is None else min(days, block.max_days)
    period = {
        "start": r.start.isoformat(),
        "end": r.end.isoformat(),
        "days": days,
        "max_days": block.max_days,
        "counted_days": counted,
    }
    return counted, ("period", period)


def _hours(value: Decimal | int | float | str | None, name: str) -> Decimal:
    """Hours as an exact Decimal with at most two decimals (docs/domain.md: never as floats),
    bounded before any arithmetic (domain/numbers.py: "1E-999999999" must not reach `Fraction`)."""
    if value is None:
        raise ValuationError("missing_field", name)
    if isinstance(value, float):
        value = repr(value)
    try:
        return bounded_decimal(value, max_decimals=2)
    except NumberError as exc:
        if exc.code == "too_many_decimals":
            raise ValuationError("too_many_decimals", name) from None
        if exc.code == "out_of_range":
            raise ValuationError("hours_out_of_range", name) from None
        raise ValuationError("invalid_number", name) from None
