"""Bounded numbers: refused by length, digits and exponent before any arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.numbers import MAX_ID, NumberError, bounded_decimal, bounded_int


@pytest.mark.parametrize("text", ["1E-999999999", "1e-31", "0.001"])
def test_a_decimal_with_too_many_decimals_is_refused_before_arithmetic(text):
    with pytest.raises(NumberError) as refused:
        bounded_decimal(text, max_decimals=2)
    assert refused.value.code == "too_many_decimals"


@pytest.mark.parametrize(
    "value",
    [Decimal("1E-999999999"), Decimal("1E+999999999"), Decimal("0E-999999999"), "9" * 41],
)
def test_a_decimal_of_unbounded_size_is_refused_whatever_the_other_limits(value):
    with pytest.raises(NumberError):
        bounded_decimal(value)


@pytest.mark.parametrize("text", ["NaN", "sNaN", "Infinity", "-inf", "", " ", "1,5", "abc"])
def test_text_that_is_no_finite_number_is_refused(text):
    with pytest.raises(NumberError) as refused:
        bounded_decimal(text)
    assert refused.value.code == "invalid_number"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("24.000", Decimal("24")), ("15.5", Decimal("15.5")), (168, Decimal(168)), ("1E+1", 10)],
)
def test_decimals_are_counted_on_the_value(value, expected):
    assert bounded_decimal(value, max_decimals=2, minimum=0, maximum=168) == expected


def test_a_decimal_out_of_range_is_refused():
    with pytest.raises(NumberError) as refused:
        bounded_decimal("168.01", maximum=168)
    assert refused.value.code == "out_of_range"


def test_a_huge_int_is_refused_without_building_its_decimal():
    with pytest.raises(NumberError):
        bounded_decimal(10**100_000)


@pytest.mark.parametrize("text", ["", "abc", "1.0", "+1", "1e3", "１", "-1", "9" * 5000])
def test_a_whole_number_is_plain_digits(text):
    with pytest.raises(NumberError):
        bounded_int(text, minimum=1)


def test_a_whole_number_beyond_64_bits_is_refused():
    assert bounded_int(str(MAX_ID), minimum=1) == MAX_ID
    with pytest.raises(NumberError) as refused:
        bounded_int(str(MAX_ID + 1), minimum=1)
    assert refused.value.code == "out_of_range"


@given(st.text(max_size=60) | st.decimals(allow_nan=True) | st.integers())
def test_any_input_is_a_bounded_decimal_or_a_number_error(value):
    try:
        number = bounded_decimal(value)
    except NumberError:
        return
    sign, digits, exponent = number.as_tuple()
    assert len(digits) <= 30 and -30 <= exponent <= 30
