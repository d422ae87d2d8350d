"""Fulfilment status of a contract's SROI obligation (docs/domain.md "Fulfilment status").

For obligation O > 0, approved A, pending P, start s, end e, today t:
elapsed = clamp((t - s).days / (e - s).days, 0, 1) (1 when e <= s and t >= e, else 0 when e <= s);
expected = O × elapsed; fulfilled if A >= O, overdue elif t > e, on_track elif A >= expected, else
at_risk; percent = A / O; forecast = A / elapsed when elapsed > 0.

Choices where docs/domain.md is silent:
- `expected_cents` is rounded half up first and the on_track test compares approved cents with it,
  so the status always agrees with the amounts on screen.
- Pending value never changes the status (only approved value counts, docs/domain.md
  "Realisations"); it is reported beside the forecast.
- With O == 0 the status is "not_applicable", or "exempt" when the caller passes
  `obligation_status="exempt"` (the obligation's own status); percent and expected are 0.
- `percent` may exceed 100 when more than the obligation was realised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "STATUSES",
    "Fulfilment",
    "elapsed_ramp",
    "elapsed_share",
    "fulfilment_status",
    "percent_realised",
    "status_of",
    "worst_first_key",
]

STATUSES = ("fulfilled", "overdue", "on_track", "at_risk", "not_applicable", "exempt")

_WORST_FIRST = ("overdue", "at_risk", "on_track", "fulfilled", "exempt", "not_applicable")


@dataclass(frozen=True)
class Fulfilment:
    """Where a contract stands on a day.

    Status, percent realised (one decimal), expected-by-today and forecast cents, approved and
    pending cents, what remains (max(O - A, 0)) and the elapsed share of the period.
    """

    status: str
    percent: Decimal
    expected_cents: int
    forecast_cents: int | None
    approved_cents: int
    pending_cents: int
    remaining_cents: int
    elapsed: Fraction


def elapsed_share(start: date, end: date, today: date) -> Fraction:
    """docs/domain.md: clamp((t - s).days / (e - s).days, 0, 1); when e <= s: 1 if t >= e else 0."""
    return Fraction(*_elapsed_days(start, end, today))


def elapsed_ramp(start: date, end: date) -> tuple[date, date]:
    """The elapsed share as a ramp over days: 0 up to the first day returned, rising by equal
    steps per day, 1 from the second day on (the first is always before the second).

    This is the one place the rule's shape is decided: `elapsed_share` and the statuses evaluate
    it on one day, the authority's chart sums it over many contracts and days at once. A period
    with e <= s has no days to rise over: the share jumps from 0 to 1 on e, which is the ramp
    from the day before e to e."""
    if end <= start:
        return end - timedelta(days=1), end
    return start, end


def _elapsed_days(start: date, end: date, today: date) -> tuple[int, int]:
    """The elapsed share as whole days (numerator, denominator > 0), already clamped.

    The rules below compute with these integers instead of `Fraction`s: the same exact values,
    several times faster, which the nightly sweep over every contract needs."""
    rises_from, full_on = elapsed_ramp(start, end)
    span = (full_on - rises_from).days
    return min(max((today - rises_from).days, 0), span), span


def _half_up(numerator: int, denominator: int) -> int:
    """round_half_up(numerator / denominator) for numerator >= 0 < denominator, in integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def status_of(
    obligation_cents: int,
    approved_cents: int,
    start: date,
    end: date,
    today: date,
    *,
    obligation_status: str | None = None,
) -> str:
    """Only the status of `fulfilment_status` (which uses this), for the sweep over all contracts.

    The amounts are not checked again: they come from the database, where they were checked.
    """
    if obligation_cents == 0:
        return "exempt" if obligation_status == "exempt" else "not_applicable"
    if approved_cents >= obligation_cents:
        return "fulfilled"
    if today > end:
        return "overdue"
    elapsed, span = _elapsed_days(start, end, today)
    return "on_track" if approved_cents >= _half_up(obligation_cents * elapsed, span) else "at_risk"


def fulfilment_status(
    obligation_cents: int,
    approved_cents: int,
    pending_cents: int,
    start: date,
    end: date,
    today: date,
    *,
    obligation_status: str | None = None,
) -> Fulfilment:
    """The fulfilment status of one contract on `today`, as docs/domain.md "Fulfilment status".

    `obligation_status` (optional, the `Obligation.status`) only matters when the obligation is 0:
    "exempt" then gives status "exempt", anything else "not_applicable".
    """
    for name, value in (
        ("obligation_cents", obligation_cents),
        ("approved_cents", approved_cents),
        ("pending_cents", pending_cents),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be whole cents, got {value!r}")
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")

    elapsed, span = _elapsed_days(start, end, today)
    return Fulfilment(
        status=status_of(
            obligation_cents,
            approved_cents,
            start,
            end,
            today,
            obligation_status=obligation_status,
        ),
        percent=percent_realised(approved_cents, obligation_cents),
        expected_cents=_half_up(obligation_cents * elapsed, span),
        # approved / (elapsed / span), rounded half up; no forecast before any time has passed
        forecast_cents=_half_up(approved_cents * span, elapsed) if elapsed else None,
        approved_cents=approved_cents,
        pending_cents=pending_cents,
        remaining_cents=max(obligation_cents - approved_cents, 0),
        elapsed=Fraction(elapsed, span),
    )


def percent_realised(approved_cents: int, obligation_cents: int) -> Decimal:
    """A / O in percent, one decimal, half up (33.33… -> Decimal("33.3")); 0 when O is 0."""
    if obligation_cents == 0:
        return Decimal("0.0")
    return Decimal(_half_up(approved_cents * 1000, obligation_cents)).scaleb(-1)


def worst_first_key(status: str) -> int:
    """Sort key for dashboards: overdue, at_risk, on_track, fulfilled, exempt, not_applicable.

    An unknown status sorts last rather than breaking a listing.
    """
    try:
        return _WORST_FIRST.index(status)
    except ValueError:
        return len(_WORST_FIRST)
