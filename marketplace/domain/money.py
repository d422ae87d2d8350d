"""Money: integer cents, half up, Dutch display and input (docs/domain.md "Money and units").

Amounts are integer cents everywhere. Rules compute with exact `Fraction`s and call
`round_half_up` once, at the end. Display uses Babel (`€ 1.234,56` in nl_NL); `parse_eur` reads what
a Dutch user types in a form.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from functools import cache

from babel.numbers import format_currency

__all__ = ["FULL_BP", "MAX_CENTS", "format_eur", "parse_eur", "percent_from_bp", "round_half_up"]

_HALF = Fraction(1, 2)
# The largest amount any input may carry (10 trillion euros): far beyond real contracts, so no
# sum of them overflows a BIGINT column.
MAX_CENTS = 10**15
# Percentages are basis points (docs/domain.md "Money and units"): 10000 bp is 100%, the most any
# percentage of a policy, a labour share or a purchase credit can be.
FULL_BP = 10000


def round_half_up(x: Fraction | Decimal | int) -> int:
    """Round an exact number to the nearest integer, half up (docs/domain.md: round once, half up).

    Negative numbers round half away from zero (-2.5 -> -3), mirroring the positive case; amounts in
    this domain are never negative. Floats are refused: the rules never compute money as floats.
    """
    if isinstance(x, bool) or not isinstance(x, int | Fraction | Decimal):
        raise TypeError(f"round_half_up needs an int, Fraction or Decimal, not {type(x).__name__}")
    if isinstance(x, int):
        return x
    if isinstance(x, Decimal) and not x.is_finite():
        raise ValueError(f"cannot round {x}")
    exact = Fraction(x)
    if exact >= 0:
        return math.floor(exact + _HALF)
    return -math.floor(-exact + _HALF)


def format_eur(cents: int, locale: str = "nl_NL") -> str:
    """Display integer cents as euros, e.g. 123456 -> '€\\xa01.234,56' in nl_NL (docs/domain.md).

    Babel's formatting costs a fifth of a millisecond per amount, and a list page shows hundreds:
    the locale's shape (what goes before and after the digits, the group and decimal signs) is
    learnt from Babel once, and the digits are put in with plain string work: the same text."""
    shape = _eur_shape(locale) if type(cents) is int else None
    if shape is None:
        return format_currency(Decimal(cents) / 100, "EUR", locale=locale)
    positive, negative, group, decimal = shape
    euros, rest = divmod(abs(cents), 100)
    digits = f"{euros:,}".replace(",", group) + decimal + f"{rest:02d}"
    before, after = negative if cents < 0 else positive
    return before + digits + after


# Amounts whose Babel text shows the locale's shape: every digit different, groups of three.
_SAMPLES = (123456789012, 1234, 5)


@cache
def _eur_shape(locale: str) -> tuple[tuple[str, str], tuple[str, str], str, str] | None:
    """(before, after) the digits of a positive and a negative amount, the group and the decimal
    sign, as Babel writes euros in `locale`; None where plain groups of three do not give
    Babel's text (then Babel formats every amount)."""
    probe = format_currency(Decimal(-123456789012) / 100, "EUR", locale=locale)
    found = re.search(r"1(?P<group>\D+)234(?P=group)567(?P=group)890(?P<decimal>\D+)12", probe)
    if found is None:
        return None
    group, decimal = found["group"], found["decimal"]
    shapes = []
    for sign in (1, -1):
        text = format_currency(Decimal(sign * 123456789012) / 100, "EUR", locale=locale)
        digits = f"1{group}234{group}567{group}890{decimal}12"
        if text.count(digits) != 1:
            return None
        before, after = text.split(digits)
        shapes.append((before, after))
    shape = (shapes[0], shapes[1], group, decimal)
    for cents in _SAMPLES:
        for sign in (1, -1):
            expected = format_currency(Decimal(sign * cents) / 100, "EUR", locale=locale)
            euros, rest = divmod(cents, 100)
            digits = f"{euros:,}".replace(",", group) + decimal + f"{rest:02d}"
            before, after = shape[0] if sign > 0 else shape[1]
            if before + digits + after != expected:
                return None
    return shape


# Whole euros: plain digits ("1200000") or groups of three separated by dots ("1.200.000").
_EUROS = r"(?P<euros>\d+|\d{1,3}(?:\.\d{3})+)"
# Dutch decimal comma with cents ("1.234,56", "12,5"), or ",-" / ",--" of round amounts ("€ 25,-").
_DUTCH = re.compile(_EUROS + r"(?:,(?P<cents>\d+)|,-{1,2})?", re.ASCII)
# A lone decimal point followed by one or two digits ("12.50") cannot be a thousands separator.
_POINT = re.compile(r"(?P<euros>\d+)\.(?P<cents>\d{1,2})", re.ASCII)
_MINUS = ("-", "\u2212")


def parse_eur(text: str) -> int:
    """Parse a euro amount as a Dutch user types it into cents.

    Accepted: "1.234,56", "1234,56", "€ 1.200.000", "1200000", "€ 25,-", "EUR 10", and the output of
    `format_eur`. Dots are thousands separators, a comma starts the cents. Choice where
    docs/domain.md is silent: "12.50" (one dot followed by one or two digits, no comma) is read
    as a decimal point, since it cannot be a thousands group; "1.200" stays twelve hundred euros.

    Raises ValueError on empty or malformed input, negative amounts and more than two decimals.
    """
    if not isinstance(text, str):
        raise ValueError("amount must be text")
    cleaned = text.strip()
    if cleaned.startswith(_MINUS):
        raise ValueError(f"amount must not be negative: {text!r}")
    if cleaned[:3].upper() == "EUR":
        cleaned = cleaned[3:].strip()
    elif cleaned.startswith("€"):
        cleaned = cleaned[1:].strip()
    if cleaned.startswith(_MINUS):
        raise ValueError(f"amount must not be negative: {text!r}")
    if not cleaned:
        raise ValueError("amount is empty")

    match = _DUTCH.fullmatch(cleaned) or _POINT.fullmatch(cleaned)
    if match is None:
        raise ValueError(f"not a euro amount: {text!r}")
    euros = int(match.group("euros").replace(".", ""))
    cents_text = match.group("cents") or ""
    if len(cents_text) > 2:
        raise ValueError(f"an amount has at most two decimals: {text!r}")
    cents = int(cents_text.ljust(2, "0")) if cents_text else 0
    return euros * 100 + cents


def percent_from_bp(bp: int) -> str:
    """Show basis points as a Dutch percentage: 500 -> "5%", 250 -> "2,5%", 1234 -> "12,34%"."""
    sign = "-" if bp < 0 else ""
    whole, fraction = divmod(abs(bp), 100)
    if fraction == 0:
        return f"{sign}{whole}%"
    return f"{sign}{whole},{fraction:02d}".rstrip("0") + "%"
