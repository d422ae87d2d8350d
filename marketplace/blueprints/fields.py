"""WTForms field types and choice lists shared by the calculator, officer and contractor forms.

The fields only turn Dutch input ("1.200.000", "2,5", "15,5") into the domain's units (cents,
basis points, exact decimal hours); the rules themselves are the domain's and the services'.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from wtforms import Field, SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from marketplace.domain.money import FULL_BP, MAX_CENTS, format_eur, parse_eur
from marketplace.domain.numbers import MAX_ID, NumberError, bounded_decimal, bounded_int
from marketplace.domain.obligation import PSO_LEVELS
from marketplace.domain.valuation import BONUS_ATTRIBUTES, CERTIFICATIONS, UNITS
from marketplace.labels import (
    bonus_labels,
    certification_labels,
    choices,
    pso_level_labels,
    unit_descriptions,
)

# Whole or decimal numbers as typed: "24", "15,5", "12.25" (no signs, no exponents).
_NUMBER = re.compile(r"\d{1,9}(?:[.,]\d{1,9})?", re.ASCII)
# Euros with three or more digits after the decimal comma ("40.000,005"), which parse_eur refuses.
_TOO_MANY_DECIMALS = re.compile(r",\d{3,}$", re.ASCII)
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+", re.ASCII)


class _TypedTextField(Field):
    """A text input whose typed text `to_data` turns into `data` and `to_text` shows again; an
    empty input is None. What the user typed is shown back as typed, also when it was refused."""

    widget = TextInput()

    def to_data(self, text: str):
        """The value of a non-empty, stripped text; ValueError with a message when it is none."""
        raise NotImplementedError

    def to_text(self, data) -> str:
        raise NotImplementedError

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.to_text(self.data)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip()
        self.data = None  # stays None when to_data refuses the text
        if text:
            self.data = self.to_data(text)


class EuroField(_TypedTextField):
    """Euros as a Dutch user types them ("1.200.000", "€ 1.234,56"); `data` is cents or None."""

    def to_data(self, text: str) -> int:
        try:
            cents = parse_eur(text)
        except ValueError:
            cents = None
        # Bounded like every amount the API takes: a larger one overflows the BIGINT columns.
        if cents is None and _TOO_MANY_DECIMALS.search(text):
            raise ValueError(_("An amount has at most two decimals, e.g. 1.234,56."))
        if cents is None or cents > MAX_CENTS:
            raise ValueError(_("Enter an amount in euros, e.g. 1.200.000 or 1.234,56."))
        return cents

    def to_text(self, data: int) -> str:
        text = format_eur(data).replace("€", "").replace("\xa0", "").strip()
        return text.removesuffix(",00")


class PercentField(_TypedTextField):
    """A percentage 0-100 with at most two decimals ("5", "2,5", "5%"); `data` is basis points."""

    def to_data(self, text: str) -> int | None:
        text = text.removesuffix("%").strip()
        if not text:
            return None
        number = _decimal(text)
        bp = None if number is None else number * 100
        if bp is None or not 0 <= bp <= FULL_BP or bp % 1:
            raise ValueError(_("Enter a percentage from 0 to 100, e.g. 5 or 2,5."))
        return int(bp)

    def to_text(self, data: int) -> str:
        whole, fraction = divmod(data, 100)
        return f"{whole},{fraction:02d}".rstrip("0").rstrip(",") if fraction else str(whole)


class DecimalTextField(_TypedTextField):
    """A decimal number as typed ("24", "15,5"); `data` is an exact Decimal or None.

    The number of decimals is not checked here: the domain refuses more than two for hours.
    """

    def to_data(self, text: str) -> Decimal:
        number = _decimal(text)
        if number is None:
            raise ValueError(_("Enter a number, e.g. 24 or 15,5."))
        return number

    def to_text(self, data: Decimal) -> str:
        return str(data).replace(".", ",")


class WholeNumberField(_TypedTextField):
    """A whole number of at most `maximum` as typed ("730"); `data` is an int or None. Out of
    bounds it is refused with `message`, as anything that is no whole number."""

    def __init__(self, label=None, validators=None, *, maximum: int, message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum, self.message = maximum, message

    def to_data(self, text: str) -> int:
        if _THOUSANDS.fullmatch(text):  # "100.000": dots group thousands
            text = text.replace(".", "")
        try:
            return bounded_int(text, minimum=0, maximum=self.maximum)
        except NumberError:
            raise ValueError(str(self.message)) from None

    def to_text(self, data: int) -> str:
        return str(data)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; templates render it with the `checkboxes` macro."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def whole_id(value: object) -> int:
    """Coerce a posted id (a select's value, one of a list of checkboxes) to an int a database
    id can be; ValueError, which WTForms shows as an invalid choice, for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return bounded_int(value, minimum=1, maximum=MAX_ID)
    return bounded_int(str(value), minimum=1, maximum=MAX_ID)


def plausible_date(form, field) -> None:
    """Dates from 1900 to 2199: beyond that no contract runs, and calendar sums could overflow."""
    if field.data is not None and not date(1900, 1, 1) <= field.data <= date(2199, 12, 31):
        raise ValidationError(_("Enter a date between 1900 and 2199."))


def _decimal(text: str) -> Decimal | None:
    """The number typed the Dutch way, through the one bounded parser (domain/numbers.py)."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return bounded_decimal(text.replace(",", "."))
    except NumberError:
        return None


# --- choices ----------------------------------------------------------------------------------


def bonus_choices() -> list[tuple[str, str]]:
    return choices(BONUS_ATTRIBUTES, bonus_labels())


def certification_choices() -> list[tuple[str, str]]:
    return choices(CERTIFICATIONS, certification_labels())


def unit_choices() -> list[tuple[str, str]]:
    """The units as the calculator offers them, each said with what it is for."""
    return choices(UNITS, unit_descriptions())


def pso_choices(placeholder: str) -> list[tuple[str, str]]:
    """The PSO levels after an empty option that says what choosing none means."""
    return [("", placeholder), *choices(PSO_LEVELS, pso_level_labels())]
