"""Membership invoices: billing periods, pro-rata first fees, VAT, totals, due dates, the invoice
number of a gap-free series, the payment reference and credit invoices (docs/domain.md
"Memberships", "Plans and periods" and "Invoices").

Amounts are integer cents; each rule computes exactly and rounds once, half up
(`money.round_half_up`, which rounds a negative half away from zero, so a credit invoice is the
exact negation of its original).

Choices where the rules are silent:
- VAT is computed per rate over the sum of the invoice's amounts excluding VAT at that rate, not
  line by line: the VAT a reader checks on the invoice ("21% over € X") is the VAT charged.
- The amounts excluding VAT are the rounded line amounts printed on the invoice, so the VAT is
  computed from what is shown (a pro-rata fee is rounded once, then its VAT once).
- The payment term is 30 days (the statutory term between businesses when none was agreed).
- A `yearly_from_join` year starts on the join date's anniversary, computed from the join date
  each year (29 February falls on 28 February in other years), so years never drift.
- The payment reference is an ISO 11649 structured creditor reference (`RF` + two check digits),
  which Dutch banks carry unchanged, built from the network, the year and the invoice's number
  in the series: unique per invoice, checkable when a transfer arrives.
- Invoice numbers are `YYYY-NNNN`, at least four digits, more after 9999.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction

from stdnum.iso7064 import mod_97_10

from marketplace.domain.money import FULL_BP, round_half_up

__all__ = [
    "BILLING_RULES",
    "PAYMENT_TERM_DAYS",
    "STANDARD_VAT_BP",
    "InvoiceLine",
    "InvoiceTotals",
    "Period",
    "VatLine",
    "anniversary",
    "credit_lines",
    "days_in_year",
    "due_date",
    "first_period",
    "invoice_number",
    "invoice_totals",
    "next_period",
    "payment_reference",
    "period_fee_cents",
]

BILLING_RULES = ("yearly_from_join", "calendar_year_pro_rata")
STANDARD_VAT_BP = 2100
PAYMENT_TERM_DAYS = 30


@dataclass(frozen=True)
class Period:
    """A billing period, both days included (docs/domain.md "Money and units")."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class InvoiceLine:
    """One line of an invoice: an amount excluding VAT with either a VAT rate in basis points or
    the reason it is exempt (printed on the invoice)."""

    description: str
    amount_cents: int
    vat_rate_bp: int | None
    exemption_reason: str | None = None
    period: Period | None = None

    def __post_init__(self) -> None:
        if (self.vat_rate_bp is None) == (self.exemption_reason is None):
            raise ValueError("a line has a VAT rate or an exemption reason, not both or neither")
        if self.vat_rate_bp is not None and not 0 <= self.vat_rate_bp <= FULL_BP:
            raise ValueError("a VAT rate lies between 0 and 10000 basis points")


@dataclass(frozen=True)
class VatLine:
    """The VAT of one rate (or one exemption reason) over the invoice's amounts at that rate."""

    vat_rate_bp: int | None
    exemption_reason: str | None
    base_cents: int
    vat_cents: int


@dataclass(frozen=True)
class InvoiceTotals:
    """What the bottom of an invoice says: excluding VAT, VAT per rate, total."""

    net_cents: int
    vat_lines: tuple[VatLine, ...]
    vat_cents: int
    total_cents: int


def days_in_year(year: int) -> int:
    """366 in a leap year, else 365."""
    return 366 if calendar.isleap(year) else 365


def anniversary(start: date, years: int) -> date:
    """`start` plus whole years; 29 February falls on 28 February in a year without one."""
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return date(year, start.month, day)


def first_period(rule: str, join_date: date) -> Period:
    """The period the first invoice covers (docs/domain.md "Plans and periods"): a year from the
    join date, or the join date up to 31 December for the calendar-year rule."""
    if rule == "yearly_from_join":
        return Period(join_date, anniversary(join_date, 1) - timedelta(days=1))
    if rule == "calendar_year_pro_rata":
        return Period(join_date, date(join_date.year, 12, 31))
    raise ValueError(f"unknown billing rule {rule!r}")


def next_period(rule: str, join_date: date, period: Period) -> Period:
    """The period after `period`: the next membership year counted from the join date, or the
    next calendar year."""
    if rule == "yearly_from_join":
        # The day after a membership year is the next anniversary of the join date.
        years = (period.end + timedelta(days=1)).year - join_date.year
        return Period(
            anniversary(join_date, years), anniversary(join_date, years + 1) - timedelta(days=1)
        )
    if rule == "calendar_year_pro_rata":
        year = period.end.year + 1
        return Period(date(year, 1, 1), date(year, 12, 31))
    raise ValueError(f"unknown billing rule {rule!r}")


def period_fee_cents(rule: str, yearly_fee_cents: int, period: Period) -> int:
    """The fee of a period excluding VAT (docs/domain.md "Plans and periods"): the full yearly
    fee, or for the calendar-year rule fee × days in the period / days in its year, rounded once,
    half up (a full calendar year is the full fee)."""
    if rule == "yearly_from_join":
        return yearly_fee_cents
    if rule == "calendar_year_pro_rata":
        share = Fraction(period.days, days_in_year(period.start.year))
        return round_half_up(yearly_fee_cents * share)
    raise ValueError(f"unknown billing rule {rule!r}")


def invoice_totals(lines: Iterable[InvoiceLine]) -> InvoiceTotals:
    """Totals of an invoice (docs/domain.md "Invoices"): per VAT rate, VAT = rate × the sum of the
    amounts at that rate, rounded once, half up; exempt amounts carry their reason and no VAT.
    VAT lines are listed rates first (high to low), then exemptions by reason."""
    bases: dict[tuple[int | None, str | None], int] = {}
    for line in lines:
        key = (line.vat_rate_bp, line.exemption_reason)
        bases[key] = bases.get(key, 0) + line.amount_cents
    ordered = sorted(bases, key=lambda k: (k[0] is None, -(k[0] or 0), k[1] or ""))
    vat_lines = tuple(
        VatLine(
            vat_rate_bp=rate,
            exemption_reason=reason,
            base_cents=bases[(rate, reason)],
            vat_cents=0
            if rate is None
            else round_half_up(Fraction(bases[(rate, reason)] * rate, FULL_BP)),
        )
        for rate, reason in ordered
    )
    net = sum(v.base_cents for v in vat_lines)
    vat = sum(v.vat_cents for v in vat_lines)
    return InvoiceTotals(net_cents=net, vat_lines=vat_lines, vat_cents=vat, total_cents=net + vat)


def credit_lines(lines: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    """The lines of a credit invoice: the original's lines with negated amounts (docs/domain.md
    "Invoices": a cancellation is a credit invoice, never a deletion)."""
    return tuple(replace(line, amount_cents=-line.amount_cents) for line in lines)


def due_date(invoice_date: date) -> date:
    """The last day to pay: PAYMENT_TERM_DAYS after the invoice date."""
    return invoice_date + timedelta(days=PAYMENT_TERM_DAYS)


def invoice_number(year: int, sequence: int) -> str:
    """The printed number of the `sequence`-th invoice of a network's series for `year`:
    2026, 1 -> "2026-0001" (docs/domain.md "Invoices": one gap-free series per network and year)."""
    if sequence < 1:
        raise ValueError("a series starts at 1")
    return f"{year}-{sequence:04d}"


def payment_reference(network_id: int, year: int, sequence: int) -> str:
    """An ISO 11649 creditor reference for an invoice: "RF" + check digits + network id, "N", the
    year and the number in the series (e.g. network 7, 2026, 1 -> "RF..7N20260001")."""
    body = f"{network_id}N{year}{sequence:04d}"
    if len(body) > 21:
        raise ValueError("a creditor reference carries at most 21 characters")
    check = mod_97_10.calc_check_digits(body + "RF")
    return f"RF{check}{body}"
