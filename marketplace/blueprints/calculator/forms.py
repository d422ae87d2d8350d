"""The calculator's two forms; amounts, percentages and hours are typed the Dutch way.

The fields (blueprints/fields.py) only turn text into the domain's units (cents, basis points,
exact decimal hours); the rules themselves (what is required for which unit, minimum hours, dates
in order) are the domain's and come back as `ValuationError` / `ObligationInputError`, which the
route puts next to a field.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from marketplace.blueprints.fields import (
    DecimalTextField,
    EuroField,
    MultiCheckboxField,
    PercentField,
    bonus_choices,
    certification_choices,
    plausible_date,
    pso_choices,
    unit_choices,
)
from marketplace.domain.obligation import MAX_DURATION_MONTHS
from marketplace.domain.valuation import MAX_BLOCK_DAYS, MAX_QUANTITY


class ObligationForm(FlaskForm):
    """What a contractor knows before bidding: the tender's value, dates and the SROI policy."""

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
            NumberRange(
                min=0,
                max=MAX_DURATION_MONTHS,
                message=_l("Enter a number of months from 0 to 1200."),
            ),
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
    pso_level = SelectField(
        _l("Your PSO level"), choices=lambda: pso_choices(_l("— no PSO certificate —")), default=""
    )
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

    unit = SelectField(
        _l("Kind of building block"),
        choices=unit_choices,
        default="fte_year",
    )
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
            NumberRange(
                min=1, max=MAX_BLOCK_DAYS, message=_l("Enter a whole number of at least 1.")
            ),
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
            NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter a whole number of at least 1.")),
        ],
    )
    cost = EuroField(_l("Costs incurred (excl. VAT)"), validators=[Optional()])
    invoice = EuroField(_l("Invoice amount (excl. VAT)"), validators=[Optional()])
    certification = SelectField(
        _l("Certification of the supplier"), choices=certification_choices, default="none"
    )
