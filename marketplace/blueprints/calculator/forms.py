"""The calculator's forms; amounts, percentages and hours are typed the Dutch way.

Each of the two calculators has a form for a published policy (the policy's rules and value table
come from the database: the visitor enters only the contract or the realisation) and one where the
visitor also types the policy's rules or the building block. Example values are placeholders,
never defaults: a prefilled minimum of hours would refuse a realisation the visitor's own policy
accepts.

The fields (blueprints/fields.py) only turn text into the domain's units (cents, basis points,
exact decimal hours); the rules themselves (what is required for which unit, minimum hours, dates
in order) are the domain's and come back as `ValuationError` / `ObligationInputError`, which the
route puts next to a field.
"""

from __future__ import annotations

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
from marketplace.labels import bonus_labels, unit_labels
from marketplace.models import SroiPolicy


class PolicyObligationForm(FlaskForm):
    """What a contractor knows of a tender before bidding, under a published policy."""

    value = EuroField(
        _l("Contract value (excl. VAT)"),
        validators=[InputRequired(message=_l("Enter the contract value."))],
        description=_l("In euros, e.g. 1.200.000."),
        render_kw={"placeholder": "1.200.000", "inputmode": "decimal"},
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
    labour_share = PercentField(
        _l("Labour share of the contract"),
        validators=[Optional()],
        description=_l("Optional: the part of the contract value that is labour."),
        render_kw={"placeholder": "40", "inputmode": "decimal"},
    )
    pso_level = SelectField(
        _l("Your PSO level"), choices=lambda: pso_choices(_l("— no PSO certificate —")), default=""
    )
    pso_valid_until = DateField(
        _l("PSO certificate valid until"),
        validators=[Optional(), plausible_date],
        description=_l("The certificate counts when it is valid on the award date."),
    )


class ObligationForm(PolicyObligationForm):
    """The tender and the authority's SROI policy as the visitor types it."""

    percentage = PercentField(
        _l("SROI percentage"),
        validators=[InputRequired(message=_l("Enter the SROI percentage."))],
        description=_l("From the tender documents; the Rijk asks 5%."),
        render_kw={"placeholder": "5", "inputmode": "decimal"},
    )
    threshold = EuroField(
        _l("Threshold"),
        validators=[InputRequired(message=_l("Enter the threshold."))],
        description=_l("SROI applies to contracts of this value or more."),
        render_kw={"placeholder": "250.000", "inputmode": "decimal"},
    )
    min_duration_months = IntegerField(
        _l("Minimum duration in months"),
        validators=[
            InputRequired(message=_l("Enter the minimum duration.")),
            NumberRange(
                min=0,
                max=MAX_DURATION_MONTHS,
                message=_l("Enter a number of months from 0 to 1200."),
            ),
        ],
        render_kw={"placeholder": "6", "inputmode": "numeric"},
    )
    low_labour_share = PercentField(
        _l("Low-labour rule: labour share below"),
        validators=[Optional()],
        description=_l("Optional: below this labour share the policy asks a lower percentage."),
        render_kw={"placeholder": "30", "inputmode": "decimal"},
    )
    low_labour_percentage = PercentField(
        _l("Low-labour rule: percentage"),
        validators=[Optional()],
        render_kw={"placeholder": "2", "inputmode": "decimal"},
    )
    cap = EuroField(
        _l("Maximum obligation (cap)"),
        validators=[Optional()],
        description=_l("Optional, in euros."),
        render_kw={"inputmode": "decimal"},
    )
    pso_remaining = PercentField(
        _l("Part of the obligation that remains with this PSO level"),
        validators=[Optional()],
        description=_l("From the authority's policy: 0% is exempt, empty or 100% is no discount."),
        render_kw={"placeholder": "50", "inputmode": "decimal"},
    )


class _RealisationFields(FlaskForm):
    """One realisation against a building block; which fields count depends on the block's kind."""

    hours_per_week = DecimalTextField(
        _l("Hours per week"),
        validators=[Optional()],
        description=_l("e.g. 24 or 15,5."),
        render_kw={"placeholder": "24", "inputmode": "decimal"},
    )
    start = DateField(_l("Start"), validators=[Optional(), plausible_date])
    end = DateField(_l("End"), validators=[Optional(), plausible_date])
    attributes = MultiCheckboxField(
        _l("Characteristics of the candidate"), choices=bonus_choices, validators=[Optional()]
    )
    hours = DecimalTextField(
        _l("Number of hours"),
        validators=[Optional()],
        render_kw={"placeholder": "40", "inputmode": "decimal"},
    )
    quantity = IntegerField(
        _l("Number of occurrences"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter a whole number of at least 1.")),
        ],
        render_kw={"placeholder": "1", "inputmode": "numeric"},
    )
    cost = EuroField(
        _l("Costs incurred (excl. VAT)"),
        validators=[Optional()],
        render_kw={"placeholder": "2.500", "inputmode": "decimal"},
    )
    invoice = EuroField(
        _l("Invoice amount (excl. VAT)"),
        validators=[Optional()],
        render_kw={"placeholder": "12.500", "inputmode": "decimal"},
    )
    certification = SelectField(
        _l("Certification of the supplier"), choices=certification_choices, default="none"
    )


class PolicyBlockForm(_RealisationFields):
    """A realisation against one building block of a published policy's value table."""

    block = SelectField(
        _l("Building block"),
        validators=[InputRequired(message=_l("Choose a building block."))],
        description=_l("From the value table of the chosen policy."),
    )

    def __init__(self, policy: SroiPolicy, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units, bonuses = unit_labels(), bonus_labels()
        self.block.choices = [("", _l("— choose a building block —"))] + [
            (b.code, f"{b.code} — {b.label} ({units.get(b.unit, b.unit)})") for b in policy.blocks
        ]
        # The characteristics the table's blocks pay a bonus for, each once, in the table's order.
        offered = dict.fromkeys(code for b in policy.blocks for code in b.bonuses or {})
        self.attributes.choices = [(code, bonuses.get(code, code)) for code in offered]


class BlockForm(_RealisationFields):
    """A building block as the visitor types it, and one realisation against it."""

    unit = SelectField(
        _l("Kind of building block"),
        choices=unit_choices,
        default="fte_year",
    )
    code = StringField(
        _l("Code of the building block"),
        validators=[InputRequired(message=_l("Enter a code, e.g. PW."))],
        description=_l("As in the authority's value table, e.g. PW, DGR or WEP."),
        render_kw={"placeholder": "PW"},
    )
    rate = EuroField(
        _l("Rate"),
        validators=[Optional()],
        description=_l("In euros per FTE-year, per month, per hour or per occurrence."),
        render_kw={"placeholder": "40.000", "inputmode": "decimal"},
    )
    min_hours_per_week = DecimalTextField(
        _l("Minimum hours per week"),
        validators=[Optional()],
        description=_l("Per FTE-year block; optional."),
        render_kw={"placeholder": "12", "inputmode": "decimal"},
    )
    max_days = IntegerField(
        _l("Maximum number of days"),
        validators=[
            Optional(),
            NumberRange(
                min=1, max=MAX_BLOCK_DAYS, message=_l("Enter a whole number of at least 1.")
            ),
        ],
        description=_l("Per FTE-year or month block; optional (730 days is two years)."),
        render_kw={"placeholder": "730", "inputmode": "numeric"},
    )
    bonus_rate = EuroField(
        _l("Bonus per FTE-year for each characteristic"),
        validators=[Optional()],
        render_kw={"placeholder": "10.000", "inputmode": "decimal"},
    )
