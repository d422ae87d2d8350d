"""The calculator's two forms; amounts, percentages and hours are typed the Dutch way.

The fields only turn text into the domain's units (cents, basis points, exact decimal hours); the
rules themselves (what is required for which unit, minimum hours, dates in order) are the domain's
and come back as `ValuationError` / `ObligationInputError`, which the route puts next to a field.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from marketplace.domain.money import format_eur, parse_eur
from marketplace.domain.obligation import PSO_LEVELS, pso_level_label
from marketplace.domain.valuation import BONUS_ATTRIBUTES, CERTIFICATIONS, UNITS

# Whole or decimal numbers as typed: "24", "15,5", "12.25" (no signs, no exponents).
_NUMBER = re.compile(r"\d{1,9}(?:[.,]\d{1,9})?", re.ASCII)


class EuroField(Field):
    """Euros as a Dutch user types them ("1.200.000", "€ 1.234,56"); `data` is cents or None."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format_eur(self.data).replace("€", "").replace("\xa0", "").strip()
        return text.removesuffix(",00")

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_eur(text)
        except ValueError:
            self.data = None
            raise ValueError(_("Enter an amount in euros, e.g. 1.200.000 or 1.234,56.")) from None


class PercentField(Field):
    """A percentage 0-100 with at most two decimals ("5", "2,5", "5%"); `data` is basis points."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        whole, fraction = divmod(self.data, 100)
        return f"{whole},{fraction:02d}".rstrip("0").rstrip(",") if fraction else str(whole)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip().removesuffix("%").strip()
        if not text:
            self.data = None
            return
        number = _decimal(text)
        if number is None or not 0 <= number <= 100 or (number * 100) % 1:
            self.data = None
            raise ValueError(_("Enter a percentage from 0 to 100, e.g. 5 or 2,5."))
        self.data = int(number * 100)


class DecimalTextField(Field):
    """A decimal number as typed ("24", "15,5"); `data` is an exact Decimal or None.

    The number of decimals is not checked here: the domain refuses more than two for hours.
    """

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data).replace(".", ",")

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = valuelist[0].strip()
        if not text:
            self.data = None
            return
        self.data = _decimal(text)
        if self.data is None:
            raise ValueError(_("Enter a number, e.g. 24 or 15,5."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def plausible_date(form, field) -> None:
    """Dates from 1900 to 2199: beyond that no contract runs, and calendar sums could overflow."""
    if field.data is not None and not date(1900, 1, 1) <= field.data <= date(2199, 12, 31):
        raise ValidationError(_("Enter a date between 1900 and 2199."))


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def unit_choices() -> list[tuple[str, str]]:
    labels = {
        "fte_year": _l("Per FTE-year (a job or placement)"),
        "month": _l("Per month (e.g. a work-experience place)"),
        "hour": _l("Per hour (e.g. social activity)"),
        "invoice": _l("Purchase from a social enterprise or werkbedrijf"),
        "fixed": _l("Fixed amount per occurrence (e.g. a diploma)"),
        "cost": _l("Costs incurred (training, supervision)"),
    }
    return [(unit, labels[unit]) for unit in UNITS]


def certification_choices() -> list[tuple[str, str]]:
    labels = {
        "code_sociale_ondernemingen": _l("Listed in the Code Sociale Ondernemingen register"),
        "werkbedrijf": _l("Werkbedrijf / SW-bedrijf"),
        "pso_30_plus": _l("PSO 30+"),
        "social_enterprise_nl": _l("Member of Social Enterprise NL"),
        "pso_trede_3": _l("PSO trede 3"),
        "none": _l("None of these"),
    }
    return [(c, labels[c]) for c in CERTIFICATIONS]


def bonus_choices() -> list[tuple[str, str]]:
    labels = {
        "age_50_plus": _l("Aged 50 or over"),
        "statushouder": _l("Status holder (statushouder)"),
        "permanent_contract": _l("Permanent contract"),
    }
    return [(b, labels[b]) for b in BONUS_ATTRIBUTES]


def pso_choices() -> list[tuple[str, str]]:
    return [("", _l("— no PSO certificate —"))] + [(p, pso_level_label(p)) for p in PSO_LEVELS]


class ObligationForm(FlaskForm):
    """What a contractor knows before bidding: the tender's value, dates and the SROI policy."""

    calculator = HiddenField(default="obligation")
    value = EuroField(
        _l("Contract value (excl. VAT)"),
        validators=[InputRequired(message=_l("Enter the contract value."))],
        description=_l("In euros, e.g. 1.200.000."),
    )
    percentage = PercentField(
        _l("SROI percentage"),
        default=500,
        validators=[InputRequired(message=_l("Enter the SROI percentage."))],
        description=_l("From the tender documents; the Rijk asks 5%."),
    )
    threshold = EuroField(
        _l("Threshold"),
        default=25_000_000,
        validators=[InputRequired(message=_l("Enter the threshold."))],
        description=_l("SROI applies to contracts of this value or more."),
    )
    min_duration_months = IntegerField(
        _l("Minimum duration in months"),
        default=6,
        validators=[
            InputRequired(message=_l("Enter the minimum duration.")),
            NumberRange(min=0, max=1200, message=_l("Enter a number of months from 0 to 1200.")),
        ],
    )
    labour_share = PercentField(
        _l("Labour share of the contract"),
        validators=[Optional()],
        description=_l("Optional: the part of the contract value that is labour."),
    )
    low_labour_share = PercentField(
        _l("Low-labour rule: labour share below"),
        validators=[Optional()],
        description=_l("Optional: below this labour share the policy asks a lower percentage."),
    )
    low_labour_percentage = PercentField(_l("Low-labour rule: percentage"), validators=[Optional()])
    cap = EuroField(
        _l("Maximum obligation (cap)"),
        validators=[Optional()],
        description=_l("Optional, in euros."),
    )
    award_date = DateField(
        _l("Award date"),
        validators=[InputRequired(message=_l("Enter the award date.")), plausible_date],
    )
    start = DateField(
        _l("Start of the contract"),
        validators=[InputRequired(message=_l("Enter the start date.")), plausible_date],
    )
    end = DateField(
        _l("End of the contract"),
        validators=[InputRequired(message=_l("Enter the end date.")), plausible_date],
    )
    pso_level = SelectField(_l("Your PSO level"), choices=pso_choices, default="")
    pso_valid_until = DateField(
        _l("PSO certificate valid until"),
        validators=[Optional(), plausible_date],
        description=_l("The certificate counts when it is valid on the award date."),
    )
    pso_remaining = PercentField(
        _l("Part of the obligation that remains with this PSO level"),
        validators=[Optional()],
        description=_l("From the authority's policy: 0% is exempt, empty or 100% is no discount."),
    )


class BlockForm(FlaskForm):
    """One building block of a policy's value table and one realisation against it."""

    calculator = HiddenField(default="block")
    unit = SelectField(_l("Kind of building block"), choices=unit_choices, default="fte_year")
    code = StringField(
        _l("Code of the building block"),
        default="PW",
        validators=[InputRequired(message=_l("Enter a code, e.g. PW."))],
        description=_l("As in the authority's value table, e.g. PW, DGR or WEP."),
    )
    rate = EuroField(
        _l("Rate"),
        default=4_000_000,
        validators=[Optional()],
        description=_l("In euros per FTE-year, per month, per hour or per occurrence."),
    )
    min_hours_per_week = DecimalTextField(
        _l("Minimum hours per week"),
        default=Decimal(12),
        validators=[Optional()],
        description=_l("Per FTE-year block; optional."),
    )
    max_days = IntegerField(
        _l("Maximum number of days"),
        default=730,
        validators=[
            Optional(),
            NumberRange(min=1, max=100_000, message=_l("Enter a whole number of at least 1.")),
        ],
        description=_l("Per FTE-year or month block; optional (730 days is two years)."),
    )
    hours_per_week = DecimalTextField(
        _l("Hours per week"), validators=[Optional()], description=_l("e.g. 24 or 15,5.")
    )
    start = DateField(_l("Start"), validators=[Optional(), plausible_date])
    end = DateField(_l("End"), validators=[Optional(), plausible_date])
    bonus_rate = EuroField(
        _l("Bonus per FTE-year for each characteristic"),
        default=1_000_000,
        validators=[Optional()],
    )
    attributes = MultiCheckboxField(
        _l("Characteristics of the candidate"), choices=bonus_choices, validators=[Optional()]
    )
    hours = DecimalTextField(_l("Number of hours"), validators=[Optional()])
    quantity = IntegerField(
        _l("Number of occurrences"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1_000_000, message=_l("Enter a whole number of at least 1.")),
        ],
    )
    cost = EuroField(_l("Costs incurred (excl. VAT)"), validators=[Optional()])
    invoice = EuroField(_l("Invoice amount (excl. VAT)"), validators=[Optional()])
    certification = SelectField(
        _l("Certification of the supplier"), choices=certification_choices, default="none"
    )
