"""Counting people: candidates, FTE and hours per year and building block (domain/people.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.people import Claim, Tally, shares, shown, split_cents


def pw(candidate="KAND-1", start=date(2026, 1, 1), end=date(2026, 6, 30), hours="24", value=0):
    return Claim("PW", "fte_year", value, candidate, start, end, hours_per_week=Decimal(hours))


def test_fte_and_hours_of_a_half_year_at_24_hours_a_week():
    [share] = shares(pw())
    assert share.days == 181
    assert share.fte == Fraction(24, 36) * Fraction(181, 365)
    assert shown(share.fte) == Decimal("0.33")
    assert share.hours == Fraction(24 * 181, 7)
    assert shown(share.hours) == Decimal("620.57")


def test_a_full_time_week_and_more_is_one_fte_but_every_hour_is_counted():
    [share] = shares(pw(hours="40", start=date(2026, 1, 1), end=date(2026, 12, 31)))
    assert share.fte == 1 and isinstance(share.fte, Fraction)
    assert share.hours == Fraction(40 * 365, 7)


def test_a_short_part_time_placement_shows_hundredths_of_an_fte():
    [share] = shares(pw(hours="12", start=date(2026, 4, 1), end=date(2026, 4, 30)))
    assert shown(share.fte) == Decimal("0.03")


def test_a_period_over_new_year_is_split_by_days():
    first, second = shares(pw(start=date(2026, 12, 1), end=date(2027, 1, 31), value=1001))
    assert (first.year, first.days, second.year, second.days) == (2026, 31, 2027, 31)
    assert first.fte == second.fte == Fraction(24, 36) * Fraction(31, 365)
    assert (first.value_cents, second.value_cents) == (501, 500)  # the tie goes to 2026


def test_hours_of_an_hour_block_follow_its_period_or_the_day_it_was_approved():
    dated = Claim("UUR", "hour", 0, "K", date(2026, 12, 22), date(2027, 1, 10), hours=Decimal("20"))
    assert [(s.year, s.hours) for s in shares(dated)] == [(2026, 10), (2027, 10)]
    undated = Claim("UUR", "hour", 0, "K", hours=Decimal("15.25"), approved_on=date(2027, 2, 1))
    assert [(s.year, s.hours, s.fte) for s in shares(undated)] == [(2027, Fraction(61, 4), 0)]


def test_an_invoice_counts_its_value_in_the_year_it_was_approved_and_no_people():
    invoice = Claim("INK", "invoice", 617284, approved_on=date(2026, 5, 3))
    tally = Tally().add_all([invoice])
    [row] = tally.rows()
    assert (row.year, row.figures.value_cents, row.figures.candidates) == (2026, 617284, 0)
    assert not row.counts_people


def test_a_claim_without_a_period_or_an_approval_day_is_refused():
    with pytest.raises(ValueError):
        shares(Claim("INK", "invoice", 100))


def test_split_cents_gives_the_leftover_cents_to_the_largest_remainders():
    assert split_cents(100, [1, 1, 1]) == [34, 33, 33]
    assert split_cents(10, [1, 2]) == [3, 7]
    assert split_cents(0, [5, 5]) == [0, 0]


def test_a_candidate_in_two_blocks_is_one_person_in_the_years_total():
    wep = Claim("WEP", "month", 7500, "KAND-1", date(2026, 7, 1), date(2026, 7, 31))
    tally = Tally().add_all([pw(), wep, pw("KAND-2")])
    rows = {row.block: row.figures for row in tally.rows()}
    assert (rows["PW"].candidates, rows["WEP"].candidates) == (2, 1)
    assert tally.years()[2026].candidates == 2
    assert tally.years()[2026].realisations == 3
    assert rows["WEP"].fte == rows["WEP"].hours == 0


def test_a_candidate_over_two_years_counts_in_both_and_once_in_all():
    tally = Tally().add_all([pw(start=date(2026, 12, 1), end=date(2027, 1, 31))])
    assert [f.candidates for f in tally.years().values()] == [1, 1]
    assert tally.total().candidates == 1
    assert tally.total().realisations == 1


def test_an_annual_tally_counts_only_its_own_year_of_a_period():
    tally = Tally(years={2027}).add_all([pw(start=date(2026, 12, 1), end=date(2027, 1, 31))])
    assert list(tally.years()) == [2027]
    assert tally.total().fte == Fraction(24, 36) * Fraction(31, 365)


def test_a_reference_on_a_block_that_counts_no_people_is_no_candidate():
    fixed = Claim("DIP", "fixed", 50000, "KAND-1", approved_on=date(2026, 3, 1))
    assert Tally().add_all([fixed]).total().candidates == 0


periods = st.tuples(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2150, 12, 31)),
    st.integers(min_value=0, max_value=4000),
)
hours = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("168"), places=2)


@given(periods, hours, st.integers(min_value=0, max_value=10**12))
def test_the_years_of_an_fte_claim_add_up_to_its_whole_period(period, per_week, value):
    start, length = period
    end = start + timedelta(days=length)
    claim = Claim("PW", "fte_year", value, "K", start, end, hours_per_week=per_week)
    parts = shares(claim)
    days = length + 1
    assert sum(s.days for s in parts) == days
    assert sum(s.fte for s in parts) == Fraction(min(Fraction(per_week), 36), 36) * Fraction(
        days, 365
    )
    assert sum(s.hours for s in parts) == Fraction(per_week) * Fraction(days, 7)
    assert sum(s.value_cents for s in parts) == value
    assert all(s.value_cents >= 0 for s in parts)
    tally = Tally().add_all([claim])
    assert sum(f.fte for f in tally.years().values()) == tally.total().fte


@given(periods, hours)
def test_the_years_of_an_hour_claim_add_up_to_its_hours(period, total):
    start, length = period
    claim = Claim("UUR", "hour", 0, "K", start, start + timedelta(days=length), hours=total)
    assert sum(s.hours for s in shares(claim)) == total


@given(st.integers(min_value=0, max_value=10**15), st.lists(st.integers(1, 400), min_size=1))
def test_split_cents_always_adds_up(cents, weights):
    parts = split_cents(cents, weights)
    assert sum(parts) == cents
    total = sum(weights)
    assert all(abs(p - Fraction(cents * w, total)) < 1 for p, w in zip(parts, weights, strict=True))
