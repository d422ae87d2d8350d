"""The SROI obligation of a contract (docs/domain.md "The SROI obligation of a contract").

`obligation_for(terms, policy)` follows the docs/domain.md rule exactly: threshold and minimum
duration decide whether SROI applies; the low-labour-share percentage replaces the normal one when
the contract's labour share is known and lower; the cap applies before the PSO discount; everything
is an exact `Fraction` and is rounded half up once, at the end. The result carries the steps of its
explanation, one per rule that applied, so an officer can check the sum by hand: each a code with
its parameters (amounts in cents, percentages in basis points, dates as ISO text), which
`marketplace/labels.py` renders in the reader's language and a contract stores as JSON.

Choices where docs/domain.md is silent:
- A `cap_cents` of 0 counts as "no cap", as in the pseudo-code's `if cap_cents` (a policy that wants
  no SROI at all says so with a 0 percentage).
- The low-labour rule needs both `low_labour_share_bp` and `low_labour_percentage_bp`; with only one
  set it does not apply. An unknown labour share never triggers it.
- When SROI does not apply, every reason is listed (threshold and duration), and `percentage_bp`
  still reports the percentage the policy would apply.
- An obligation of 0 cents is "exempt" only when the PSO discount made it 0 (before PSO it rounded
  to at least 1 cent); an obligation that is 0 for another reason (a 0% policy, a tiny value) is
  "not_applicable", since nothing is due and nothing is exempted.
- Error `field`s are the plain field names of `Policy` and `ContractTerms` (they do not overlap);
  errors carry a code and parameters, never a sentence (labels.py has the sentences).
- A step's amount is the exact amount rounded half up, as it would be shown.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from marketplace.domain.errors import InputError
from marketplace.domain.money import FULL_BP, round_half_up

__all__ = [
    "ERROR_CODES",
    "PSO_LEVELS",
    "MAX_DURATION_MONTHS",
    "STEP_CODES",
    "ContractTerms",
    "Obligation",
    "ObligationInputError",
    "Policy",
    "Step",
    "add_months",
    "lasts_at_least",
    "obligation_for",
    "pso_counts",
]

PSO_LEVELS = ("aspirant", "basistrede", "trede_1", "trede_2", "trede_3", "pso_30_plus")
# The longest minimum duration a policy may ask (a century): beyond any contract, and small enough
# that `add_months` stays within the calendar for every plausible start date.
MAX_DURATION_MONTHS = 1200
# The codes an ObligationInputError can carry.
ERROR_CODES = (
    "negative_amount",
    "end_before_start",
    "bp_out_of_range",
    "unknown_pso_level",
    "out_of_range",
    "invalid_number",
)

# The steps an explanation can hold, in the order they can occur.
STEP_CODES = (
    "below_threshold",
    "too_short",
    "low_labour_share",
    "percentage",
    "capped",
    "pso_discount",
    "pso_exempt",
    "pso_validity_unknown",
    "pso_expired",
)

# One step of the explanation: its code and plain, JSON-safe parameters.
Step = tuple[str, dict[str, Any]]


class ObligationInputError(InputError):
    """Terms or a policy that cannot be computed (see domain/errors.py)."""


@dataclass(frozen=True)
class Policy:
    """One version of an authority's SROI policy (docs/domain.md "Policy fields").

    `pso_remaining_bp` maps a PSO level to the part of the obligation that remains (0 = exempt); a
    level not listed keeps 10000.
    """

    threshold_cents: int
    min_duration_months: int
    percentage_bp: int
    low_labour_share_bp: int | None = None
    low_labour_percentage_bp: int | None = None
    cap_cents: int | None = None
    pso_remaining_bp: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ContractTerms:
    """What the obligation depends on: value, award date, period, labour share, PSO certificate."""

    value_cents: int
    award_date: date
    start: date
    end: date
    labour_share_bp: int | None = None
    pso_level: str | None = None
    pso_valid_until: date | None = None


@dataclass(frozen=True)
class Obligation:
    """The computed obligation.

    Cents, status ("due" | "not_applicable" | "exempt"), the percentage applied and the steps of
    the explanation, each a `Step` (code, params).
    """

    obligation_cents: int
    status: str
    percentage_bp: int
    steps: tuple[Step, ...]


def add_months(d: date, months: int) -> date:
    """`d` plus calendar months, the day clamped to the month's end (31 Jan + 1 -> 28/29 Feb)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def lasts_at_least(start: date, end: date, months: int) -> bool:
    """docs/domain.md: a contract lasts N months when end + 1 day >= start + N calendar months.

    So 1 January to 30 June is 6 months, 1 January to 29 June is not.
    """
    return end + timedelta(days=1) >= add_months(start, months)


def pso_counts(valid_until: date | None, award_date: date) -> bool:
    """docs/domain.md: a PSO certificate counts when valid_until >= award_date (unknown: no)."""
    return valid_until is not None and valid_until >= award_date


def obligation_for(terms: ContractTerms, policy: Policy) -> Obligation:
    """The SROI obligation of a contract under a policy version, per the docs/domain.md pseudo-code.

    not_applicable when value < threshold or the contract lasts less than min_duration_months;
    otherwise value × pct / 10000 (pct: the low-labour percentage when the labour share is known and
    below low_labour_share_bp), capped at cap_cents, times pso_remaining_bp[level] / 10000 when the
    PSO certificate counts (valid_until >= award date), rounded half up once. 0 through PSO is
    "exempt".
    """
    _validate(terms, policy)
    pct = _applicable_percentage(terms, policy)

    reasons: list[Step] = []
    if terms.value_cents < policy.threshold_cents:
        reasons.append(
            (
                "below_threshold",
                {"value_cents": terms.value_cents, "threshold_cents": policy.threshold_cents},
            )
        )
    if not lasts_at_least(terms.start, terms.end, policy.min_duration_months):
        reasons.append(("too_short", {"months": policy.min_duration_months}))
    if reasons:
        return Obligation(0, "not_applicable", pct, tuple(reasons))

    steps: list[Step] = []
    if pct != policy.percentage_bp:
        steps.append(
            (
                "low_labour_share",
                {
                    "labour_share_bp": terms.labour_share_bp or 0,
                    "low_labour_share_bp": policy.low_labour_share_bp or 0,
                    "percentage_bp": pct,
                    "normal_percentage_bp": policy.percentage_bp,
                },
            )
        )
    exact = Fraction(terms.value_cents * pct, FULL_BP)
    steps.append(
        (
            "percentage",
            {
                "percentage_bp": pct,
                "value_cents": terms.value_cents,
                "amount_cents": round_half_up(exact),
            },
        )
    )
    if policy.cap_cents and exact > policy.cap_cents:
        exact = Fraction(policy.cap_cents)
        steps.append(("capped", {"cap_cents": policy.cap_cents}))

    before_pso = exact
    if terms.pso_level is not None:
        level = terms.pso_level
        if pso_counts(terms.pso_valid_until, terms.award_date):
            remaining = policy.pso_remaining_bp.get(level, FULL_BP)
            exact = exact * Fraction(remaining, FULL_BP)
            exempted = round_half_up(exact) == 0 and round_half_up(before_pso) > 0
            steps.append(
                (
                    "pso_exempt" if exempted else "pso_discount",
                    {
                        "level": level,
                        "remaining_bp": remaining,
                        "amount_cents": round_half_up(exact),
                    },
                )
            )
        elif terms.pso_valid_until is None:
            steps.append(("pso_validity_unknown", {"level": level}))
        else:
            steps.append(
                (
                    "pso_expired",
                    {
                        "level": level,
                        "valid_until": terms.pso_valid_until.isoformat(),
                        "award_date": terms.award_date.isoformat(),
                    },
                )
            )

    obligation_cents = round_half_up(exact)
    if obligation_cents > 0:
        status = "due"
    elif round_half_up(before_pso) > 0:
        status = "exempt"
    else:
        status = "not_applicable"
    return Obligation(obligation_cents, status, pct, tuple(steps))


def _applicable_percentage(terms: ContractTerms, policy: Policy) -> int:
    if (
        terms.labour_share_bp is not None
        and policy.low_labour_share_bp is not None
        and policy.low_labour_percentage_bp is not None
        and terms.labour_share_bp < policy.low_labour_share_bp
    ):
        return policy.low_labour_percentage_bp
    return policy.percentage_bp


def _validate(terms: ContractTerms, policy: Policy) -> None:
    _cents(terms.value_cents, "value_cents")
    _cents(policy.threshold_cents, "threshold_cents")
    if policy.cap_cents is not None:
        _cents(policy.cap_cents, "cap_cents")
    if terms.end < terms.start:
        raise ObligationInputError(
            "end_before_start", "end", start=terms.start.isoformat(), end=terms.end.isoformat()
        )
    _whole(policy.min_duration_months, "min_duration_months")
    if policy.min_duration_months < 0:
        raise ObligationInputError("out_of_range", "min_duration_months", minimum=0)
    for name, bp in (
        ("percentage_bp", policy.percentage_bp),
        ("low_labour_share_bp", policy.low_labour_share_bp),
        ("low_labour_percentage_bp", policy.low_labour_percentage_bp),
        ("labour_share_bp", terms.labour_share_bp),
    ):
        if bp is not None:
            _basis_points(bp, name)
    for level, bp in policy.pso_remaining_bp.items():
        if level not in PSO_LEVELS:
            raise ObligationInputError("unknown_pso_level", "pso_remaining_bp", level=level)
        _basis_points(bp, "pso_remaining_bp")
    if terms.pso_level is not None and terms.pso_level not in PSO_LEVELS:
        raise ObligationInputError("unknown_pso_level", "pso_level", level=terms.pso_level)


def _whole(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ObligationInputError("invalid_number", name)


def _cents(value: int, name: str) -> None:
    _whole(value, name)
    if value < 0:
        raise ObligationInputError("negative_amount", name)


def _basis_points(value: int, name: str) -> None:
    _whole(value, name)
    if not 0 <= value <= FULL_BP:
        raise ObligationInputError("bp_out_of_range", name, value=value)
