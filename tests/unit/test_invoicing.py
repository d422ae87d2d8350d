"""Membership invoices: periods, pro-rata fees, VAT, totals, numbers, references and credit
invoices, against docs/domain.md "Worked examples of membership invoices", worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from marketplace.domain.invoicing import (
    InvoiceLine,
    Period,
    credit_lines,
    days_in_year,
    due_date,
    first_period,
    invoice_number,
    invoice_totals,
    next_period,
    payment_reference,
    period_fee_cents,
)

FEE = 120_000  # € 1.200,00 a year


def _line(amount: int, rate: int | None = 2100, reason: str | None = None) -> InvoiceLine:
    return InvoiceLine("Lidmaatschap", amount, rate, reason)


@pytest.mark.parametrize(
    ("join", "net", "vat", "total"),
    [
        (date(2026, 7, 1), 60_493, 12_704, 73_197),  # 184/365 = 60.493,15
        (date(2028, 7, 1), 60_328, 12_669, 72_997),  # leap year: 184/366 = 60.327,87
        (date(2026, 12, 31), 329, 69, 398),  # 1/365 = 328,77
        (date(2026, 1, 1), 120_000, 25_200, 145_200),  # the whole year
    ],
)
def test_calendar_year_first_invoice_is_pro_rata_rounded_once(
    join: date, net: int, vat: int, total: int
) -> None:
    period = first_period("calendar_year_pro_rata", join)
    assert period == Period(join, date(join.year, 12, 31))
    fee = period_fee_cents("calendar_year_pro_rata", FEE, period)
    totals = invoice_totals([_line(fee)])
    assert (totals.net_cents, totals.vat_cents, totals.total_cents) == (net, vat, total)


def test_calendar_year_later_years_are_whole_years_at_the_full_fee() -> None:
    first = first_period("calendar_year_pro_rata", date(2026, 7, 1))
    second = next_period("calendar_year_pro_rata", date(2026, 7, 1), first)
    assert second == Period(date(2027, 1, 1), date(2027, 12, 31))
    assert period_fee_cents("calendar_year_pro_rata", FEE, second) == FEE


def test_yearly_from_join_runs_to_the_day_before_the_anniversary_at_the_full_fee() -> None:
    period = first_period("yearly_from_join", date(2026, 3, 15))
    assert period == Period(date(2026, 3, 15), date(2027, 3, 14))
    assert period_fee_cents("yearly_from_join", FEE, period) == FEE
    assert next_period("yearly_from_join", date(2026, 3, 15), period) == Period(
        date(2027, 3, 15), date(2028, 3, 14)
    )


def test_joining_on_29_february_counts_years_from_the_join_date() -> None:
    join = date(2028, 2, 29)
    periods = [first_period("yearly_from_join", join)]
    for _ in range(4):
        periods.append(next_period("yearly_from_join", join, periods[-1]))
    assert [(p.start, p.end) for p in periods] == [
        (date(2028, 2, 29), date(2029, 2, 27)),
        (date(2029, 2, 28), date(2030, 2, 27)),
        (date(2030, 2, 28), date(2031, 2, 27)),
        (date(2031, 2, 28), date(2032, 2, 28)),
        (date(2032, 2, 29), date(2033, 2, 27)),  # back on the 29th in a leap year
    ]


def test_days_in_year_knows_leap_years() -> None:
    assert [days_in_year(y) for y in (2026, 2028, 2100, 2000)] == [365, 366, 365, 366]


def test_vat_is_computed_per_rate_over_the_sum_not_per_line() -> None:
    # Two lines of 50 cents: 21% of each is 10,5 -> 11 + 11 = 22; of the sum 100 it is 21.
    totals = invoice_totals([_line(50), _line(50)])
    assert totals.vat_cents == 21
    assert totals.total_cents == 121


def test_exempt_lines_carry_their_reason_and_no_vat() -> None:
    reason = "Vrijgesteld van btw op grond van art. 11 lid 1 onderdeel l Wet OB 1968"
    totals = invoice_totals([_line(10_000), _line(5_000, None, reason)])
    assert [
        (v.vat_rate_bp, v.exemption_reason, v.base_cents, v.vat_cents) for v in totals.vat_lines
    ] == [
        (2100, None, 10_000, 2_100),
        (None, reason, 5_000, 0),
    ]
    assert (totals.net_cents, totals.vat_cents, totals.total_cents) == (15_000, 2_100, 17_100)


@pytest.mark.parametrize(
    ("rate", "reason"), [(None, None), (2100, "vrijgesteld"), (10_001, None), (-1, None)]
)
def test_a_line_needs_exactly_one_valid_vat_treatment(rate: int | None, reason: str | None) -> None:
    with pytest.raises(ValueError):
        InvoiceLine("x", 100, rate, reason)


def test_credit_invoice_negates_the_original_exactly() -> None:
    original = [_line(60_493)]
    credit = invoice_totals(credit_lines(original))
    assert (credit.net_cents, credit.vat_cents, credit.total_cents) == (-60_493, -12_704, -73_197)


def test_due_date_is_thirty_days_after_the_invoice_date() -> None:
    assert due_date(date(2026, 12, 1)) == date(2026, 12, 31)


def test_invoice_numbers_of_a_series() -> None:
    assert invoice_number(2026, 1) == "2026-0001"
    assert invoice_number(2026, 42) == "2026-0042"
    assert invoice_number(2026, 12345) == "2026-12345"
    with pytest.raises(ValueError):
        invoice_number(2026, 0)


def test_payment_reference_is_a_valid_creditor_reference() -> None:
    reference = payment_reference(7, 2026, 1)
    assert reference == "RF277N20260001"
    assert iso11649.is_valid(reference)


# Properties ------------------------------------------------------------------------------------

_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2199, 12, 31))
_fees = st.integers(min_value=0, max_value=10**12)
_lines = st.lists(
    st.builds(
        InvoiceLine,
        st.just("regel"),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.sampled_from([0, 900, 2100]),
    ),
    max_size=6,
)


@given(join=_days, fee=_fees)
def test_pro_rata_fee_is_the_exact_share_rounded_half_up_once(join: date, fee: int) -> None:
    period = first_period("calendar_year_pro_rata", join)
    exact = Fraction(fee * period.days, days_in_year(join.year))
    charged = period_fee_cents("calendar_year_pro_rata", fee, period)
    assert exact - Fraction(1, 2) < charged <= exact + Fraction(1, 2)
    assert 0 <= charged <= fee


@given(join=_days, rule=st.sampled_from(["yearly_from_join", "calendar_year_pro_rata"]))
def test_periods_follow_each_other_without_gap_or_overlap(join: date, rule: str) -> None:
    period = first_period(rule, join)
    assert period.start == join
    for _ in range(5):
        following = next_period(rule, join, period)
        assert following.start == period.end + timedelta(days=1)
        assert 365 <= following.days <= 366
        period = following


@given(lines=_lines)
def test_totals_add_up_and_a_credit_is_their_exact_negation(lines: list[InvoiceLine]) -> None:
    totals = invoice_totals(lines)
    assert totals.net_cents == sum(line.amount_cents for line in lines)
    assert totals.total_cents == totals.net_cents + totals.vat_cents
    for vat in totals.vat_lines:
        exact = Fraction(vat.base_cents * (vat.vat_rate_bp or 0), 10_000)
        assert abs(vat.vat_cents - exact) <= Fraction(1, 2)
    credit = invoice_totals(credit_lines(lines))
    assert (credit.net_cents, credit.vat_cents, credit.total_cents) == (
        -totals.net_cents,
        -totals.vat_cents,
        -totals.total_cents,
    )


@given(
    network=st.integers(min_value=1, max_value=10**9),
    year=st.integers(min_value=2000, max_value=2199),
    sequence=st.integers(min_value=1, max_value=10**6),
)
def test_payment_references_are_valid(network: int, year: int, sequence: int) -> None:
    assert iso11649.is_valid(payment_reference(network, year, sequence))
