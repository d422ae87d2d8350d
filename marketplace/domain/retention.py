"""How long a contract's personal and financial records are kept after the contract ends (AVG).

Choices where the rules are silent:
- Two kinds of record, each with its own term counted from the contract's end date: **candidate
  data** (the pseudonymous candidate reference, the candidate's attributes and the evidence files
  of realisations about people) and **financial records** (the evidence files that remain, invoice
  numbers and descriptions). The realisation rows themselves stay, without those fields: block,
  period, hours and value are the business record an auditor of the contract's figures needs, and
  without a reference they no longer point at a person.
- Terms are whole years; the default is 2 years for candidate data and 7 for financial records (the
  fiscal retention period). An authority may choose its own terms within bounds: candidate data at
  least 1 and at most 10 years, financial records at least 7 (the law's minimum) and at most 15.
- A term of N years after an end date of 29 February ends on 28 February N years later when that
  year has no 29 February: the record is never kept a day short.
- Records are due for deletion on the first day after the term: an end date of 2024-06-30 with a
  2-year term is deleted from 2026-07-01 on.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

CANDIDATE_YEARS_DEFAULT = 2
FINANCIAL_YEARS_DEFAULT = 7
CANDIDATE_YEARS_RANGE = (1, 10)
FINANCIAL_YEARS_RANGE = (7, 15)


@dataclass(frozen=True)
class Terms:
    """An authority's retention terms in whole years."""

    candidate_years: int = CANDIDATE_YEARS_DEFAULT
    financial_years: int = FINANCIAL_YEARS_DEFAULT


@dataclass(frozen=True)
class Due:
    """What of one contract's records is due for deletion on a day."""

    candidate_data: bool
    financial_records: bool


def years_after(day: date, years: int) -> date:
    """`day` moved `years` calendar years on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def deletion_date(contract_end: date, years: int) -> date:
    """The first day on which a record kept `years` years after `contract_end` may be deleted."""
    return years_after(contract_end, years) + timedelta(days=1)


def due(contract_end: date, terms: Terms, today: date) -> Due:
    """Which of a contract's records the retention rule deletes on `today`."""
    return Due(
        candidate_data=today >= deletion_date(contract_end, terms.candidate_years),
        financial_records=today >= deletion_date(contract_end, terms.financial_years),
    )


def latest_end_due(today: date, years: int) -> date:
    """The latest contract end date whose records kept `years` years are due on `today`: the
    inverse of `deletion_date`, so a query can select candidates with `end_date <= this`."""
    end = years_after(today - timedelta(days=1), -years)
    # 28 February of a leap year also covers an end on 29 February (years_after rounds it down).
    if end.month == 2 and end.day == 28:
        leap = end.replace(day=29) if calendar.isleap(end.year) else None
        if leap is not None and deletion_date(leap, years) <= today:
            return leap
    return end


def check_terms(candidate_years: int, financial_years: int) -> dict[str, str]:
    """Field problems of proposed terms (empty when acceptable), as message codes with bounds:
    the service words them in the reader's language."""
    problems: dict[str, str] = {}
    low, high = CANDIDATE_YEARS_RANGE
    if not low <= candidate_years <= high:
        problems["candidate_years"] = "range"
    low, high = FINANCIAL_YEARS_RANGE
    if not low <= financial_years <= high:
        problems["financial_years"] = "range"
    return problems
