"""Bounded field types of the API's schemas: amounts, basis points, hours, dates, text, ids.

Amounts, hours, dates and text lengths are bounded far beyond real contracts and within the
database columns, so no input reaches the database or the date arithmetic out of range. Schema
messages are webargs' English ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import marshmallow as ma

from marketplace.domain.money import FULL_BP, MAX_CENTS
from marketplace.domain.numbers import MAX_ID, NumberError, bounded_decimal
from marketplace.domain.obligation import MAX_DURATION_MONTHS
from marketplace.domain.valuation import CERTIFICATIONS, MAX_QUANTITY
from marketplace.labels import error_message

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
# Bonus attributes as the policy service accepts them (services/policies.py _BONUS_CODE).
ATTRIBUTE = r"^[a-z0-9_]{2,40}$"


def cents(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=MAX_CENTS),
        metadata={"description": "Euro cents, a whole number >= 0"},
        **kwargs,
    )


def basis_points(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=FULL_BP),
        metadata={"description": f"Basis points, 0..{FULL_BP} (500 = 5%)"},
        **kwargs,
    )


def iso_date(**kwargs) -> ma.fields.Date:
    return ma.fields.Date(validate=ma.validate.Range(min=FIRST_DATE, max=LAST_DATE), **kwargs)


def text(max_length: int, *, min_length: int = 0, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)


def ident(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


def optional_quantity() -> ma.fields.Integer:
    """How often a `fixed` block occurred: a whole number of 1 or more, or absent."""
    return ma.fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=1, max=MAX_QUANTITY),
    )


def optional_cents() -> ma.fields.Integer:
    return cents(allow_none=True, load_default=None)


def months(**kwargs) -> ma.fields.Integer:
    """A policy's minimum duration in months, 0..MAX_DURATION_MONTHS."""
    return ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=0, max=MAX_DURATION_MONTHS), **kwargs
    )


def amounts_by_code(**kwargs) -> ma.fields.Dict:
    """Whole numbers by code, as stored (bonuses, credit and PSO tables), in responses."""
    return ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), **kwargs)


def credit_table(description: str) -> ma.fields.Dict:
    """Basis points of an invoice that count, by the supplier's certification."""
    return ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(CERTIFICATIONS)),
        values=basis_points(),
        allow_none=True,
        load_default=None,
        metadata={"description": description},
    )


class Hours(ma.fields.Decimal):
    """Hours as an exact Decimal, never a float: JSON 24, 15.5 or "12.25", at most two decimals.

    A JSON number is read through its shortest text, so 15.5 becomes Decimal("15.5"). Size, range
    and decimals are checked by domain/numbers.py before any arithmetic ("1E-999999999" is refused
    at once), and not with `validate.Range`, which apispec would write into the document as strings.
    """

    def __init__(self, maximum: int, **kwargs) -> None:
        self.maximum = maximum
        metadata = {
            "minimum": 0,
            "maximum": maximum,
            "description": f"Hours, 0..{maximum}, at most two decimals",
        }
        super().__init__(as_string=False, allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, float):
            value = repr(value)
        try:
            return bounded_decimal(value, max_decimals=2, minimum=0, maximum=self.maximum)
        except NumberError as exc:
            if exc.code == "too_many_decimals":
                raise ma.ValidationError(error_message(exc.code)) from None
            if exc.code == "out_of_range":
                raise ma.ValidationError(f"Must be between 0 and {self.maximum}.") from None
            raise self.make_error("invalid") from None


class UtcDateTime(ma.fields.DateTime):
    """Timestamps are stored as naive UTC (models/_types.utcnow): say so in the output."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
