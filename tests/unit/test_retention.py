"""Retention terms counted from a contract's end (domain/retention.py)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.retention import (
    Terms,
    check_terms,
    deletion_date,
    due,
    latest_end_due,
    years_after,
)


def test_records_are_deleted_on_the_day_after_the_term():
    assert deletion_date(date(2024, 6, 30), 2) == date(2026, 7, 1)
    terms = Terms(candidate_years=2, financial_years=7)
    assert not due(date(2024, 6, 30), terms, date(2026, 6, 30)).candidate_data
    assert due(date(2024, 6, 30), terms, date(2026, 7, 1)).candidate_data
    assert not due(date(2024, 6, 30), terms, date(2026, 7, 1)).financial_records
    assert due(date(2024, 6, 30), terms, date(2031, 7, 1)).financial_records


def test_an_end_on_29_february_is_kept_until_28_february_in_a_common_year():
    assert years_after(date(2028, 2, 29), 2) == date(2030, 2, 28)
    assert deletion_date(date(2028, 2, 29), 2) == date(2030, 3, 1)


def test_terms_outside_their_bounds_are_refused():
    assert check_terms(2, 7) == {}
    assert check_terms(0, 7) == {"candidate_years": "range"}
    assert check_terms(2, 6) == {"financial_years": "range"}
    assert check_terms(11, 16).keys() == {"candidate_years", "financial_years"}


@given(
    end=st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)),
    offset=st.integers(min_value=-800, max_value=800),
    years=st.integers(min_value=1, max_value=15),
)
def test_the_query_bound_selects_exactly_the_contracts_that_are_due(end, offset, years):
    """`latest_end_due` is what SQL selects on; it must agree with `due` for every day."""
    today = deletion_date(end, years) + timedelta(days=offset)
    is_due = today >= deletion_date(end, years)
    assert (end <= latest_end_due(today, years)) == is_due
