"""Numbers from untrusted input, bounded before any arithmetic (docs/architecture.md "Bad input").

Every decimal and whole number a user, a client or a CSV file sends passes through here, from the
form fields, the API schemas, the policy CSV import and the valuation rules alike, so that one
short text cannot make a huge number:
- `Decimal("1E-999999999")` is twelve characters, but `Fraction` of it (as the exact rules compute)
  builds a billion-digit integer: a request stalls a worker for half a minute. `normalize()` does
  not reveal it either: under the default context it rounds that value to 0.
- `int("9" * 5000)` raises, and an id of 20 digits passes Python but overflows the database.
So the text's length, the digits and the exponent (`as_tuple()`) are checked first; only then is
the value compared or computed with.

Choices where docs/domain.md is silent:
- "At most N decimals" is about the value: "24.000" has no decimals, "1E+1" is ten.
- Decimals are at most 30 significant digits with an exponent within +-30: far beyond any amount
  or number of hours, small enough that exact arithmetic on them stays instant.
- A whole number is plain digits (an optional leading minus only when negatives are allowed):
  no "+", "1e3", "1_000" or spaces inside, since nobody types those for an id or a page.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["ERROR_CODES", "MAX_ID", "NumberError", "bounded_decimal", "bounded_int"]

# Database ids are INTEGER primary keys, a signed 32-bit integer on PostgreSQL: no row has a larger
# one, and a larger number compared with an id column there is an "integer out of range" error.
MAX_ID = 2**31 - 1
MAX_NUMBER_TEXT = 40
MAX_DIGITS = 30
MAX_EXPONENT = 30

ERROR_CODES = ("invalid_number", "too_many_decimals", "out_of_range")


class NumberError(ValueError):
    """Input that is not a number within bounds; `code` is one of ERROR_CODES (labels.error_message
    words it)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def bounded_decimal(
    value: Decimal | int | str,
    *,
    max_decimals: int | None = None,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
) -> Decimal:
    """The exact Decimal of `value` when it is a finite number of bounded size, with at most
    `max_decimals` decimals and within `minimum`..`maximum` (each optional); NumberError else.

    Text is read as written ("12.25", "1E+1"); a decimal comma is the caller's to translate.
    """
    if isinstance(value, bool):
        raise NumberError("invalid_number")
    if isinstance(value, int):
        # Compare before converting: a huge int is refused without building its Decimal.
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise NumberError("out_of_range")
        if abs(value) >= 10**MAX_DIGITS:
            raise NumberError("out_of_range")
        return Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_NUMBER_TEXT:
            raise NumberError("invalid_number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NumberError("invalid_number") from None
    elif isinstance(value, Decimal):
        number = value
    else:
        raise NumberError("invalid_number")
    if not number.is_finite():
        raise NumberError("invalid_number")
    _sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if exponent < -MAX_EXPONENT:
        raise NumberError("too_many_decimals" if any(digits) else "invalid_number")
    if exponent > MAX_EXPONENT or len(digits) > MAX_DIGITS:
        raise NumberError("out_of_range")
    # Bounded now: what follows is ordinary arithmetic on at most 30 digits.
    if max_decimals is not None and _decimals(digits, exponent) > max_decimals:
        raise NumberError("too_many_decimals")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise NumberError("out_of_range")
    return number


def bounded_int(value: int | str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """The whole number of `value` (an int, or its plain digits as text) within
    `minimum`..`maximum`; NumberError else. The text's length is checked before `int()`."""
    if isinstance(value, bool):
        raise NumberError("invalid_number")
    if isinstance(value, str):
        text = value.strip()
        longest = max(len(str(minimum)), len(str(maximum)))
        sign = "-?" if minimum < 0 else ""
        if len(text) > longest or not re.fullmatch(sign + r"\d+", text, re.ASCII):
            raise NumberError("invalid_number")
        value = int(text)
    elif not isinstance(value, int):
        raise NumberError("invalid_number")
    if not minimum <= value <= maximum:
        raise NumberError("out_of_range")
    return value


def _decimals(digits: tuple[int, ...], exponent: int) -> int:
    """Decimals of the value itself: trailing zeros of the coefficient do not count."""
    if exponent >= 0:
        return 0
    significant = len(digits)
    while significant and digits[significant - 1] == 0:
        significant -= 1
    trailing_zeros = len(digits) - significant
    return max(0, -exponent - trailing_zeros)
