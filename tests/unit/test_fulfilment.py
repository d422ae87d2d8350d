"""Fulfilment status of a contract's obligation (docs/domain.md "Fulfilment status")."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.fulfilment import (
    STATUSES,
    Fulfilment,
    fulfilment_status,
    percent_realised,
    status_of,
    worst_first_key,
)

START = date(2026, 3, 1)
END = date(2028, 2, 29)  # 730 days after START
HALFWAY = date(2027, 3, 1)  # 365 days after START


def test_api_example_is_at_risk() -> None:
    result = fulfilment_status(3_000_000, 1_000_000, 200_000, START, END, HALFWAY)
    assert result == Fulfilment(
        status="at_risk",
        percent=Decimal("33.3"),
        expected_cents=1_500_000,
        forecast_cents=2_000_000,
        approved_cents=1_000_000,
        pending_cents=200_000,
        remaining_cents=2_000_000,
        elapsed=Fraction(1, 2),
    )


def test_fulfilled_when_approved_reaches_the_obligation() -> None:
    result = fulfilment_status(3_000_000, 3_000_000, 0, START, END, HALFWAY)
    assert (result.status, result.percent, result.remaining_cents) == (
        "fulfilled",
        Decimal("100.0"),
        0,
    )


def test_fulfilled_wins_over_overdue_after_the_end() -> None:
    after_end = END + timedelta(days=10)
    assert fulfilment_status(3_000_000, 3_500_000, 0, START, END, after_end).status == "fulfilled"


def test_overdue_after_the_end_when_short() -> None:
    result = fulfilment_status(3_000_000, 2_999_999, 500_000, START, END, END + timedelta(days=1))
    assert (result.status, result.remaining_cents) == ("overdue", 1)


def test_on_the_end_date_itself_it_is_not_yet_overdue() -> None:
    assert fulfilment_status(3_000_000, 2_000_000, 0, START, END, END).status == "at_risk"


def test_on_track_when_approved_equals_expected() -> None:
    assert fulfilment_status(3_000_000, 1_500_000, 0, START, END, HALFWAY).status == "on_track"


def test_at_risk_one_cent_below_expected() -> None:
    assert fulfilment_status(3_000_000, 1_499_999, 0, START, END, HALFWAY).status == "at_risk"


# A 30-day contract: expected = O × elapsed days / 30, rounded half up to cents.
MONTH_START, MONTH_END = date(2026, 1, 1), date(2026, 1, 31)


def test_on_track_compares_with_the_expected_amount_rounded_down_to_cents() -> None:
    # 1.000 × 10/30 = 333,33… -> 333: approved 333 cents is on track (not "< 333,33…")
    result = fulfilment_status(1_000, 333, 0, MONTH_START, MONTH_END, date(2026, 1, 11))
    assert (result.expected_cents, result.status) == (333, "on_track")
    assert status_of(1_000, 333, MONTH_START, MONTH_END, date(2026, 1, 11)) == "on_track"


def test_on_track_compares_with_the_expected_amount_rounded_up_to_cents() -> None:
    # 1.000 × 2/30 = 66,67 -> 67: approved 66 cents is behind (not ">= 66,67 truncated to 66")
    result = fulfilment_status(1_000, 66, 0, MONTH_START, MONTH_END, date(2026, 1, 3))
    assert (result.expected_cents, result.status) == (67, "at_risk")
    assert status_of(1_000, 67, MONTH_START, MONTH_END, date(2026, 1, 3)) == "on_track"


def test_on_track_at_an_exact_half_cent_rounds_the_expected_amount_up() -> None:
    # 1 × 15/30 = 0,5 -> 1: approved 0 is behind
    assert status_of(1, 0, MONTH_START, MONTH_END, date(2026, 1, 16)) == "at_risk"
    assert status_of(1, 1, MONTH_START, MONTH_END, date(2026, 1, 16)) == "fulfilled"


def test_pending_value_does_not_change_the_status() -> None:
    result = fulfilment_status(3_000_000, 0, 3_000_000, START, END, HALFWAY)
    assert (result.status, result.pending_cents) == ("at_risk", 3_000_000)


def test_before_the_start_nothing_is_expected_and_there_is_no_forecast() -> None:
    result = fulfilment_status(3_000_000, 0, 0, START, END, START - timedelta(days=30))
    assert result.elapsed == 0
    assert (result.status, result.expected_cents, result.forecast_cents) == ("on_track", 0, None)


def test_on_the_start_day_elapsed_is_zero() -> None:
    result = fulfilment_status(3_000_000, 100, 0, START, END, START)
    assert (result.elapsed, result.forecast_cents, result.status) == (0, None, "on_track")


def test_after_the_end_elapsed_is_clamped_to_one() -> None:
    result = fulfilment_status(3_000_000, 1_000_000, 0, START, END, END + timedelta(days=400))
    assert (result.elapsed, result.expected_cents, result.forecast_cents) == (
        1,
        3_000_000,
        1_000_000,
    )


def test_end_equal_to_start_on_that_day_is_fully_elapsed() -> None:
    result = fulfilment_status(1_000, 400, 0, START, START, START)
    assert (result.elapsed, result.expected_cents, result.forecast_cents) == (1, 1_000, 400)
    assert result.status == "at_risk"


def test_end_equal_to_start_before_that_day_is_not_elapsed() -> None:
    result = fulfilment_status(1_000, 0, 0, START, START, START - timedelta(days=1))
    assert (result.elapsed, result.forecast_cents, result.status) == (0, None, "on_track")


def test_end_before_start_follows_the_same_edge_rule() -> None:
    assert fulfilment_status(1_000, 0, 0, START, START - timedelta(days=5), START).elapsed == 1


def test_expected_and_forecast_round_half_up() -> None:
    # O = 3 cents, half elapsed: expected 1,5 -> 2; A = 1 at half time: forecast 2
    start, end = date(2026, 1, 1), date(2026, 1, 3)
    result = fulfilment_status(3, 1, 0, start, end, date(2026, 1, 2))
    assert (result.expected_cents, result.forecast_cents, result.status) == (2, 2, "at_risk")


def test_forecast_rounds_half_up() -> None:
    # two thirds elapsed and A = 5 cents: forecast 5 / (2/3) = 7,5 -> 8
    start, end = date(2026, 1, 1), date(2026, 1, 4)
    assert fulfilment_status(100, 5, 0, start, end, date(2026, 1, 3)).forecast_cents == 8


def test_zero_obligation_is_not_applicable() -> None:
    result = fulfilment_status(0, 0, 0, START, END, HALFWAY)
    assert (result.status, result.percent, result.expected_cents, result.remaining_cents) == (
        "not_applicable",
        Decimal(0),
        0,
        0,
    )


def test_zero_obligation_from_an_exempt_obligation_is_exempt() -> None:
    result = fulfilment_status(0, 0, 0, START, END, HALFWAY, obligation_status="exempt")
    assert result.status == "exempt"


def test_obligation_status_is_ignored_when_something_is_due() -> None:
    result = fulfilment_status(3_000_000, 0, 0, START, END, HALFWAY, obligation_status="exempt")
    assert result.status == "at_risk"


@pytest.mark.parametrize(
    ("approved", "obligation", "percent"),
    [
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (1, 2_000, Decimal("0.1")),  # 0,05% rounds half up
        (1, 2_001, Decimal("0.0")),
        (0, 5, Decimal("0.0")),
        (5, 5, Decimal("100.0")),
        (6, 5, Decimal("120.0")),
        (1, 0, Decimal("0.0")),
    ],
)
def test_percent_has_one_decimal_half_up(approved: int, obligation: int, percent: Decimal) -> None:
    result = percent_realised(approved, obligation)
    assert result == percent
    assert result.as_tuple().exponent == -1


@pytest.mark.parametrize("field", ["obligation", "approved", "pending"])
def test_negative_amounts_are_refused(field: str) -> None:
    amounts = {"obligation": 100, "approved": 0, "pending": 0, field: -1}
    with pytest.raises(ValueError):
        fulfilment_status(
            amounts["obligation"], amounts["approved"], amounts["pending"], START, END, HALFWAY
        )


def test_worst_first_order() -> None:
    shuffled = ["fulfilled", "not_applicable", "on_track", "exempt", "overdue", "at_risk"]
    assert sorted(shuffled, key=worst_first_key) == [
        "overdue",
        "at_risk",
        "on_track",
        "fulfilled",
        "exempt",
        "not_applicable",
    ]
    assert worst_first_key("something_else") > worst_first_key("not_applicable")
    assert sorted(STATUSES, key=worst_first_key)[0] == "overdue"


# properties ------------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**10)
dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))


@settings(max_examples=200)
@given(cents, cents, cents, dates, dates, dates)
def test_status_follows_the_domain_rules(
    obligation: int, approved: int, pending: int, start: date, end: date, today: date
) -> None:
    result = fulfilment_status(obligation, approved, pending, start, end, today)
    assert result.status in STATUSES
    assert 0 <= result.elapsed <= 1
    assert 0 <= result.expected_cents <= obligation
    assert result.remaining_cents == max(obligation - approved, 0)
    assert (result.forecast_cents is None) == (result.elapsed == 0)
    if obligation == 0:
        assert result.status == "not_applicable"
    elif approved >= obligation:
        assert result.status == "fulfilled"
    elif today > end:
        assert result.status == "overdue"
    else:
        assert result.status in ("on_track", "at_risk")
        assert (result.status == "on_track") == (approved >= result.expected_cents)


@settings(max_examples=200)
@given(cents, cents, dates, dates, st.integers(min_value=0, max_value=400))
def test_more_approved_value_never_worsens_the_status(
    obligation: int, approved: int, start: date, today: date, extra: int
) -> None:
    end = start + timedelta(days=365)
    before = fulfilment_status(obligation, approved, 0, start, end, today)
    after = fulfilment_status(obligation, approved + extra, 0, start, end, today)
    assert worst_first_key(after.status) >= worst_first_key(before.status)


def _half_up(exact: Fraction) -> int:
    """Half up to whole cents, written here rather than taken from the domain it checks."""
    return math.floor(exact + Fraction(1, 2))


def _exact_elapsed(start: date, end: date, today: date) -> Fraction:
    """docs/domain.md's elapsed, written with Fractions as the rule reads."""
    if end <= start:
        return Fraction(1 if today >= end else 0)
    return min(max(Fraction((today - start).days, (end - start).days), Fraction(0)), Fraction(1))


@settings(max_examples=300)
@given(cents, cents, dates, dates, dates)
def test_whole_number_arithmetic_equals_the_exact_formulas(
    obligation: int, approved: int, start: date, end: date, today: date
) -> None:
    result = fulfilment_status(obligation, approved, 0, start, end, today)
    elapsed = _exact_elapsed(start, end, today)
    assert result.elapsed == elapsed
    assert result.expected_cents == _half_up(obligation * elapsed)
    assert result.forecast_cents == (_half_up(approved / elapsed) if elapsed else None)
    if obligation:
        tenths = _half_up(Fraction(approved * 1000, obligation))
        assert result.percent == Decimal(tenths) / 10
    expected = _half_up(obligation * elapsed)
    if obligation == 0:
        rule_status = "not_applicable"
    elif approved >= obligation:
        rule_status = "fulfilled"
    elif today > end:
        rule_status = "overdue"
    else:
        rule_status = "on_track" if approved >= expected else "at_risk"
    assert result.status == rule_status
    assert status_of(obligation, approved, start, end, today) == rule_status


# Worked by hand: O = € 30.000, 2026-03-01 .. 2028-02-29 (730 days).
@pytest.mark.parametrize(
    ("approved", "today", "status", "expected", "forecast", "percent"),
    [
        # 100 of 730 days: 3.000.000 × 100/730 = 410.958,90 -> 410.959; 400.000 × 7,3 = 2.920.000
        (400_000, date(2026, 6, 9), "at_risk", 410_959, 2_920_000, "13.3"),
        # the same day, one cent above the rounded expected amount
        (410_960, date(2026, 6, 9), "on_track", 410_959, 3_000_008, "13.7"),
        # 1 of 730 days: 3.000.000 / 730 = 4.109,59 -> 4.110; 4.110 × 730 = 3.000.300
        (4_110, date(2026, 3, 2), "on_track", 4_110, 3_000_300, "0.1"),
        (4_109, date(2026, 3, 2), "at_risk", 4_110, 2_999_570, "0.1"),
        # after the end date: elapsed 1, forecast = approved
        (2_999_999, date(2028, 3, 1), "overdue", 3_000_000, 2_999_999, "100.0"),
        (3_000_000, date(2028, 3, 1), "fulfilled", 3_000_000, 3_000_000, "100.0"),
    ],
)
def test_hand_computed_statuses(
    approved: int, today: date, status: str, expected: int, forecast: int, percent: str
) -> None:
    result = fulfilment_status(3_000_000, approved, 0, START, END, today)
    assert (result.status, result.expected_cents, result.forecast_cents, result.percent) == (
        status,
        expected,
        forecast,
        Decimal(percent),
    )
