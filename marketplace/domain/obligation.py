"""The SROI obligation of a contract (docs/domain.md "The SROI obligation of a contract").

`obligation_for(terms, policy)` follows the docs/domain.md rule exactly: threshold and minimum
duration decide whether SROI applies; the low-labour-share percentage replaces the normal one when
the contract's labour share is known and lower; the cap applies before the PSO discount; everything
is an exact `Fraction` and is rounded half up once, at the end. The result carries a Dutch
explanation, one step per rule that applied, so an officer can check the sum by hand.

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
- Error `field`s are the plain field names of `Policy` and `ContractTerms` (they do not overlap).
- Amounts in the explanation are `format_eur` with a plain space after "€" instead of Babel's
  no-break space, so the text reads as in docs/domain.md: "5% van € 1.200.000,00 = € 60.000,00".
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from babel.dates import format_date

from marketplace.domain.money import FULL_BP, format_eur, percent_from_bp, round_half_up

__all__ = [
    "MESSAGES_NL",
    "PSO_LEVELS",
    "MAX_DURATION_MONTHS",
    "ContractTerms",
    "Obligation",
    "ObligationInputError",
    "Policy",
    "add_months",
    "lasts_at_least",
    "obligation_for",
    "pso_counts",
    "pso_level_label",
]

PSO_LEVELS = ("aspirant", "basistrede", "trede_1", "trede_2", "trede_3", "pso_30_plus")
# The longest minimum duration a policy may ask (a century): beyond any contract, and small enough
# that `add_months` stays within the calendar for every plausible start date.
MAX_DURATION_MONTHS = 1200

_PSO_LABELS = {
    "aspirant": "PSO aspirant",
    "basistrede": "PSO basistrede",
    "trede_1": "PSO trede 1",
    "trede_2": "PSO trede 2",
    "trede_3": "PSO trede 3",
    "pso_30_plus": "PSO 30+",
}

MESSAGES_EN: Mapping[str, str] = {
    "negative_amount": "An amount must not be negative.",
    "end_before_start": "The end date is before the start date.",
    "bp_out_of_range": "A percentage must be between 0% and 100%.",
    "unknown_pso_level": "The PSO level is unknown.",
    "out_of_range": "The number is out of range.",
    "invalid_number": "This is not a valid whole number.",
}

MESSAGES_NL: Mapping[str, str] = {
    "negative_amount": "Een bedrag mag niet negatief zijn.",
    "end_before_start": "De einddatum ligt vóór de begindatum.",
    "bp_out_of_range": "Een percentage moet tussen 0% en 100% liggen.",
    "unknown_pso_level": "Deze PSO-trede is onbekend.",
    "out_of_range": "Dit getal ligt buiten het toegestane bereik.",
    "invalid_number": "Dit is geen geldig geheel getal.",
}


class ObligationInputError(ValueError):
    """Terms or a policy that cannot be computed; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str, message: str | None = None) -> None:
        self.code = code
        self.field = field
        self.message = message or MESSAGES_EN.get(code, "The obligation cannot be computed.")
        super().__init__(self.message)

    def __repr__(self) -> str:
        return (
            f"ObligationInputError(code={self.code!r}, field={self.field!r}, "
            f"message={self.message!r})"
        )


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

    Cents, status ("due" | "not_applicable" | "exempt"), the percentage applied and a Dutch
    explanation, which is "; ".join(steps).
    """

    obligation_cents: int
    status: str
    percentage_bp: int
    explanation: str
    steps: tuple[str, ...]


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


def pso_level_label(level: str) -> str:
    """Dutch label of a PSO level, e.g. "trede_1" -> "PSO trede 1", "pso_30_plus" -> "PSO 30+"."""
    return _PSO_LABELS.get(level, level)


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

    reasons: list[str] = []
    if terms.value_cents < policy.threshold_cents:
        reasons.append(
            f"Contractwaarde {_eur(terms.value_cents)} ligt onder de drempel van "
            f"{_eur(policy.threshold_cents)}"
        )
    if not lasts_at_least(terms.start, terms.end, policy.min_duration_months):
        unit = "maand" if policy.min_duration_months == 1 else "maanden"
        reasons.append(f"Looptijd korter dan {policy.min_duration_months} {unit}")
    if reasons:
        return _result(0, "not_applicable", pct, reasons)

    steps: list[str] = []
    if pct != policy.percentage_bp:
        steps.append(
            f"Arbeidsaandeel {percent_from_bp(terms.labour_share_bp or 0)} ligt onder "
            f"{percent_from_bp(policy.low_labour_share_bp or 0)}: {percent_from_bp(pct)} "
            f"in plaats van {percent_from_bp(policy.percentage_bp)}"
        )
    exact = Fraction(terms.value_cents * pct, FULL_BP)
    steps.append(f"{percent_from_bp(pct)} van {_eur(terms.value_cents)} = {_eur(exact)}")
    if policy.cap_cents and exact > policy.cap_cents:
        exact = Fraction(policy.cap_cents)
        steps.append(f"Begrensd op het maximum van {_eur(policy.cap_cents)}")

    before_pso = exact
    if terms.pso_level is not None:
        label = pso_level_label(terms.pso_level)
        if pso_counts(terms.pso_valid_until, terms.award_date):
            remaining = policy.pso_remaining_bp.get(terms.pso_level, FULL_BP)
            exact = exact * Fraction(remaining, FULL_BP)
            step = f"{label}: {percent_from_bp(remaining)} → {_eur(exact)}"
            if round_half_up(exact) == 0 and round_half_up(before_pso) > 0:
                step += " (vrijgesteld)"
            steps.append(step)
        elif terms.pso_valid_until is None:
            steps.append(f"{label} telt niet: geldigheidsdatum onbekend")
        else:
            steps.append(
                f"{label} telt niet: certificaat geldig tot {_nl_date(terms.pso_valid_until)}, "
                f"vóór de gunningsdatum {_nl_date(terms.award_date)}"
            )

    obligation_cents = round_half_up(exact)
    if obligation_cents > 0:
        status = "due"
    elif round_half_up(before_pso) > 0:
        status = "exempt"
    else:
        status = "not_applicable"
    return _result(obligation_cents, status, pct, steps)


def _applicable_percentage(terms: ContractTerms, policy: Policy) -> int:
    if (
        terms.labour_share_bp is not None
        and policy.low_labour_share_bp is not None
        and policy.low_labour_percentage_bp is not None
        and terms.labour_share_bp < policy.low_labour_share_bp
    ):
        return policy.low_labour_percentage_bp
    return policy.percentage_bp


def _result(cents: int, status: str, pct: int, steps: list[str]) -> Obligation:
    return Obligation(cents, status, pct, "; ".join(steps), tuple(steps))


def _eur(exact: Fraction | int) -> str:
    # A plain space after the euro sign (Babel puts a no-break space there): the explanation is
    # plain text in JSON, CSV and e-mail, and reads as in docs/domain.md ("€ 60.000,00").
    return format_eur(round_half_up(exact)).replace("\xa0", " ")


def _nl_date(d: date) -> str:
    return format_date(d, format="long", locale="nl_NL")


def _validate(terms: ContractTerms, policy: Policy) -> None:
    _cents(terms.value_cents, "value_cents")
    _cents(policy.threshold_cents, "threshold_cents")
    if policy.cap_cents is not None:
        _cents(policy.cap_cents, "cap_cents")
    if terms.end < terms.start:
        raise ObligationInputError(
            "end_before_start",
            "end",
            f"The end date {terms.end} is before the start {terms.start}.",
        )
    _whole(policy.min_duration_months, "min_duration_months")
    if policy.min_duration_months < 0:
        raise ObligationInputError(
            "out_of_range", "min_duration_months", "The minimum duration must not be negative."
        )
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
            raise ObligationInputError(
                "unknown_pso_level",
                "pso_remaining_bp",
                f"Unknown PSO level {level!r}; expected one of {', '.join(PSO_LEVELS)}.",
            )
        _basis_points(bp, "pso_remaining_bp")
    if terms.pso_level is not None and terms.pso_level not in PSO_LEVELS:
        raise ObligationInputError(
            "unknown_pso_level",
            "pso_level",
            f"Unknown PSO level {terms.pso_level!r}; expected one of {', '.join(PSO_LEVELS)}.",
        )


def _whole(value: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ObligationInputError("invalid_number", name, f"{name} must be a whole number.")


def _cents(value: int, name: str) -> None:
    _whole(value, name)
    if value < 0:
        raise ObligationInputError("negative_amount", name, f"{name} must not be negative.")


def _basis_points(value: int, name: str) -> None:
    _whole(value, name)
    if not 0 <= value <= FULL_BP:
        raise ObligationInputError(
            "bp_out_of_range", name, f"{name} must be 0 to 10000 basis points, got {value}."
        )
