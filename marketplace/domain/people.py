"""The people behind the euros: how many candidates, FTE and hours the approved realisations of a
contract count, per calendar year and building block (target group), next to their value.

An officer reports to the council not only what social return is worth but how many people it
reached and for how much work. The euros are the rules of docs/domain.md "Building blocks"; these
counts read the same realisations and split them over calendar years by days.

Choices where docs/domain.md is silent:
- **What counts**: what the caller hands in. The reports hand in approved realisations only, the
  ones that count as realised (docs/domain.md "Realisations, approval and no double counting").
- **The period** of a realisation is its start to its end day, both included
  (`valuation.period_days`). A realisation without a period (an `hour` block without dates, an
  invoice, a cost, a fixed amount) falls on the day it was approved (`approved_on`, the day in
  Amsterdam), so it counts in the year it was approved, like the annual report's "approved in".
- **Split over years by days**: a period from 1 December 2026 to 31 January 2027 (62 days) gives
  31/62 of its FTE, hours and value to 2026 and 31/62 to 2027. The sum over the years is the
  whole period, exactly.
- **Candidates** are distinct candidate keys (the caller's key of the pseudonymous reference; the
  reports use the contractor and `identifier_key`, so "kand-1" and "KAND-1" are one person and two
  contractors' "KAND-1" are two). A candidate is counted in each year and block the realisation
  reaches; a year's total counts each candidate once, whatever the number of blocks, so the
  block rows of a year may add up to more than its total. Only `fte_year`, `month` and `hour`
  blocks count people; a realisation without a reference counts no candidate.
- **FTE** comes from `fte_year` blocks only: `min(hours_per_week, 36)/36 × days in the year/365`,
  with the hours capped at a full-time week as the valuation does (one person is at most one
  FTE, whatever the hours written), and the days not capped at the block's `max_days`: the FTE
  says how long the person worked, the value what the policy pays for it.
- **Hours**: an `hour` block's hours (split by days when it has a period); an `fte_year` block's
  `hours_per_week × days/7` (a week is seven calendar days, so a whole year of 365 days is
  52 1/7 weeks), with the hours as written (not capped: the hours worked). A `month` block states
  no hours and counts none.
- **Rounding**: FTE and hours are exact `Fraction`s until shown, then rounded once, half up, to
  two decimals (`shown`). Two, because a part-time placement of a few weeks is a few hundredths
  of an FTE (12 hours a week in a 30-day month is 0,03 FTE): one decimal would show 0,0.
- **Value**: the realisation's value in cents, split over the years by days in whole cents that
  add up to it (largest remainder; a tie goes to the earlier year), so the yearly values add up
  to the euros shown elsewhere.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from marketplace.domain.money import round_half_up
from marketplace.domain.valuation import DAYS_PER_YEAR, FTE_HOURS, period_days

__all__ = [
    "DAYS_PER_WEEK",
    "FTE_UNITS",
    "PEOPLE_UNITS",
    "Claim",
    "Figures",
    "Row",
    "Share",
    "Tally",
    "shares",
    "shown",
    "split_cents",
]

# The blocks about a person: a candidate reference and attributes belong to these alone.
PEOPLE_UNITS = ("fte_year", "month", "hour")
DAYS_PER_WEEK = 7
# One FTE in hundredths of an hour a week times days: hours have at most two decimals.
FTE_UNITS = 100 * FTE_HOURS * DAYS_PER_YEAR


@dataclass(frozen=True)
class Claim:
    """One realisation as the count sees it: its block's code and unit, its value, the key of
    its candidate (None: no person named), its period or the day it was approved, and its
    hours (`hours_per_week` of an `fte_year` block, `hours` of an `hour` block)."""

    block: str
    unit: str
    value_cents: int
    candidate: Hashable | None = None
    start: date | None = None
    end: date | None = None
    hours_per_week: Decimal | None = None
    hours: Decimal | None = None
    approved_on: date | None = None


@dataclass(frozen=True)
class Share:
    """The part of a claim that falls in one calendar year. FTE and hours are kept as whole
    numerators over fixed denominators (`fte_units` / FTE_UNITS, `hours_num` / `hours_den`):
    exact like `Fraction`s, but adding up 100,000 of them stays quick (`fte`, `hours`)."""

    year: int
    days: int
    fte_units: int
    hours_num: int
    hours_den: int
    value_cents: int

    @property
    def fte(self) -> Fraction:
        return Fraction(self.fte_units, FTE_UNITS)

    @property
    def hours(self) -> Fraction:
        return Fraction(self.hours_num, self.hours_den)


def _period(claim: Claim) -> tuple[date, date]:
    if claim.start is not None and claim.end is not None:
        period_days(claim.start, claim.end)  # refuses an end before the start
        return claim.start, claim.end
    if claim.approved_on is None:
        raise ValueError("a claim needs a period or the day it was approved")
    return claim.approved_on, claim.approved_on


def split_cents(cents: int, weights: list[int]) -> list[int]:
    """`cents` split in proportion to `weights` in whole cents that add up to `cents`: each part
    rounded down, then the cents left over one each to the largest remainders (ties: the
    earlier part)."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("weights must add up to more than 0")
    parts = [cents * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(cents * weights[i] % total), i))
    for i in remainders[: cents - sum(parts)]:
        parts[i] += 1
    return parts


def _hundredths(hours: Decimal) -> int:
    """Hours (at most two decimals, docs/domain.md "Money and units") in hundredths."""
    hundredths = Decimal(hours).scaleb(2)
    if hundredths != hundredths.to_integral_value():
        raise ValueError(f"hours with more than two decimals: {hours}")
    return int(hundredths)


def shares(claim: Claim) -> tuple[Share, ...]:
    """The claim's FTE, hours and value per calendar year its period reaches, by days."""
    start, end = _period(claim)
    if start.year == end.year:
        days = [(start.year, (end - start).days + 1)]
        values = [claim.value_cents]
    else:
        days = [
            (year, (min(end, date(year, 12, 31)) - max(start, date(year, 1, 1))).days + 1)
            for year in range(start.year, end.year + 1)
        ]
        values = split_cents(claim.value_cents, [d for _y, d in days])
    whole = (end - start).days + 1
    per_week = hours = None
    if claim.unit == "fte_year" and claim.hours_per_week is not None:
        per_week = _hundredths(claim.hours_per_week)
    elif claim.unit == "hour" and claim.hours is not None:
        hours = _hundredths(claim.hours)
    result = []
    for (year, d), value in zip(days, values, strict=True):
        if per_week is not None:
            # min(h, 36)/36 × d/365 and h × d/7, h in hundredths
            share = Share(year, d, min(per_week, 100 * FTE_HOURS) * d, per_week * d, 700, value)
        elif hours is not None:
            share = Share(year, d, 0, hours * d, 100 * whole, value)
        else:
            share = Share(year, d, 0, 0, 1, value)
        result.append(share)
    return tuple(result)


def shown(x: Fraction) -> Decimal:
    """An exact FTE or number of hours as shown: rounded once, half up, to two decimals."""
    return Decimal(round_half_up(x * 100)).scaleb(-2)


@dataclass(frozen=True)
class Figures:
    """What a group of claims counts: realisations, distinct candidates, exact FTE and hours,
    value in cents."""

    realisations: int = 0
    candidates: int = 0
    fte: Fraction = Fraction(0)
    hours: Fraction = Fraction(0)
    value_cents: int = 0

    @property
    def fte_shown(self) -> Decimal:
        return shown(self.fte)

    @property
    def hours_shown(self) -> Decimal:
        return shown(self.hours)


@dataclass(frozen=True)
class Row:
    """A year and block's figures; `unit` says which counts apply (`counts_fte`, ...)."""

    year: int
    block: str
    unit: str
    figures: Figures

    @property
    def counts_people(self) -> bool:
        return self.unit in PEOPLE_UNITS

    @property
    def counts_fte(self) -> bool:
        return self.unit == "fte_year"

    @property
    def counts_hours(self) -> bool:
        return self.unit in ("fte_year", "hour")


@dataclass
class _Sum:
    realisations: int = 0
    candidates: set = field(default_factory=set)
    fte_units: int = 0
    hours: dict[int, int] = field(default_factory=dict)  # denominator: numerator
    value_cents: int = 0

    def add(self, share: Share) -> None:
        self.fte_units += share.fte_units
        self.hours[share.hours_den] = self.hours.get(share.hours_den, 0) + share.hours_num
        self.value_cents += share.value_cents

    def count(self, claim: Claim) -> None:
        self.realisations += 1
        if claim.candidate is not None and claim.unit in PEOPLE_UNITS:
            self.candidates.add(claim.candidate)

    def figures(self) -> Figures:
        hours = sum((Fraction(n, d) for d, n in self.hours.items()), Fraction(0))
        fte = Fraction(self.fte_units, FTE_UNITS)
        return Figures(self.realisations, len(self.candidates), fte, hours, self.value_cents)


class Tally:
    """Adds claims up per year and block, per year and in all; with `years`, only the shares in
    those years count (an annual report counts its own year of a period that spans two)."""

    def __init__(self, years: Container[int] | None = None) -> None:
        self._years = years
        self._cells: dict[tuple[int, str], _Sum] = {}
        self._units: dict[str, str] = {}
        self._per_year: dict[int, _Sum] = {}
        self._total = _Sum()

    def add(self, claim: Claim, parts: tuple[Share, ...] | None = None) -> None:
        """Count `claim`; `parts` are its `shares` when the caller has them already (a claim
        counted in two tallies is split once)."""
        counted = False
        for share in shares(claim) if parts is None else parts:
            if self._years is not None and share.year not in self._years:
                continue
            cell = self._cells.get((share.year, claim.block))
            if cell is None:
                cell = self._cells[(share.year, claim.block)] = _Sum()
                self._units.setdefault(claim.block, claim.unit)
            year = self._per_year.get(share.year)
            if year is None:
                year = self._per_year[share.year] = _Sum()
            for target in (cell, year, self._total):
                target.add(share)
            cell.count(claim)
            year.count(claim)
            counted = True
        if counted:
            self._total.count(claim)

    def add_all(self, claims: Iterable[Claim]) -> Tally:
        for claim in claims:
            self.add(claim)
        return self

    def rows(self) -> list[Row]:
        """Per year (oldest first) and block (by code)."""
        return [
            Row(year, block, self._units[block], cell.figures())
            for (year, block), cell in sorted(self._cells.items())
        ]

    def years(self) -> dict[int, Figures]:
        """Per year, all blocks together: each candidate once."""
        return {year: s.figures() for year, s in sorted(self._per_year.items())}

    def total(self) -> Figures:
        """Every year counted together: each realisation and each candidate once."""
        return self._total.figures()
