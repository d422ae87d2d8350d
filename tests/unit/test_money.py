"""Money: cents, one rounding half up, Dutch and input (docs/domain.md "Money and units")."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.money import format_eur, parse_eur, percent_from_bp, round_half_up


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),  # half up, not to even
        (Fraction(249, 100), 2),
        (Fraction(251, 100), 3),
        (Fraction(132237443, 100), 1322374),  # docs/domain.md worked example, base line
        (Fraction(33059361, 100), 330594),  # docs/domain.md worked example, bonus line
        (Decimal("2.5"), 3),
        (Decimal("0.49999"), 0),
        (7, 7),
        (0, 0),
    ],
)
def test_round_half_up(exact: Fraction | Decimal | int, rounded: int) -> None:
    assert round_half_up(exact) == rounded


def test_round_half_up_rounds_negative_halves_away_from_zero() -> None:
    assert round_half_up(Fraction(-5, 2)) == -3
    assert round_half_up(Decimal("-2.4")) == -2


def test_round_half_up_refuses_floats() -> None:
    with pytest.raises(TypeError):
        round_half_up(2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (123456, "€\xa01.234,56"),
        (0, "€\xa00,00"),
        (5, "€\xa00,05"),
        (120000000, "€\xa01.200.000,00"),
        (1652968, "€\xa016.529,68"),
    ],
)
def test_format_eur_dutch(cents: int, text: str) -> None:
    assert format_eur(cents) == text


def test_format_eur_other_locale() -> None:
    assert format_eur(123456, locale="en_GB") == "€1,234.56"


@settings(max_examples=300)
@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["nl_NL", "en_GB", "de_DE", "fr_FR", "hi_IN"]),
)
def test_format_eur_writes_what_babel_writes(cents: int, locale: str) -> None:
    # format_eur puts the digits into the shape it learnt from Babel: the same text, any amount.
    assert format_eur(cents, locale) == format_currency(Decimal(cents) / 100, "EUR", locale=locale)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1.234,56", 123456),
        ("1234,56", 123456),
        ("€ 1.200.000", 120000000),
        ("1200000", 120000000),
        ("€\xa01.234,56", 123456),
        ("  12,5 ", 1250),
        ("0,05", 5),
        ("€ 25,-", 2500),
        ("25,--", 2500),
        ("EUR 10", 1000),
        ("1.200", 120000),  # a dot is a thousands separator
        ("12.50", 1250),  # one dot and two digits cannot be thousands: a decimal point
        ("0", 0),
    ],
)
def test_parse_eur_accepts_dutch_input(text: str, cents: int) -> None:
    assert parse_eur(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "€",
        "abc",
        "12a",
        "-5",
        "€ -5,00",
        "\u221210",
        "1,234",  # three decimals
        "1.234,567",
        "1.23.4",
        "12,3,4",
        "1.2345",
        "12 000",
        ",50",
        "1,",
        "١٢",  # non-ASCII digits
    ],
)
def test_parse_eur_refuses_garbage_negative_and_three_decimals(text: str) -> None:
    with pytest.raises(ValueError):
        parse_eur(text)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**13))
def test_parse_eur_reads_back_format_eur(cents: int) -> None:
    assert parse_eur(format_eur(cents)) == cents


@pytest.mark.parametrize(
    ("bp", "text"),
    [
        (500, "5%"),
        (250, "2,5%"),
        (1234, "12,34%"),
        (5, "0,05%"),
        (50, "0,5%"),
        (0, "0%"),
        (10000, "100%"),
        (5000, "50%"),
    ],
)
def test_percent_from_bp(bp: int, text: str) -> None:
    assert percent_from_bp(bp) == text
