"""The contractor's forms: reporting a realisation, recording a PSO certificate, the PSO self-scan.

Fields only turn Dutch input into the services' units (cents, exact decimal hours); the rules
(minimum hours, BSN refusal, double counting, file types) are the services' and come back as a
ServiceError whose field names are these fields' names, so `apply_service_error` places them.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FileField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from marketplace.blueprints.fields import (
    DecimalTextField,
    EuroField,
    MultiCheckboxField,
    bonus_choices,
    certification_choices,
    plausible_date,
    pso_choices,
)
from marketplace.domain.valuation import MAX_QUANTITY, UNITS
from marketplace.labels import unit_labels
from marketplace.models import SroiPolicy
from marketplace.services.evidence import ALLOWED

# Which block units each realisation field applies to. The page shows (and realisation.js keeps
# visible) only these fields for the chosen block, and the route passes only these to the
# service, so a value typed for another kind of block is never stored.
FIELD_UNITS: dict[str, tuple[str, ...]] = {
    "candidate_ref": ("fte_year", "month", "hour"),
    "attributes": ("fte_year",),
    "start_date": ("fte_year", "month"),
    "end_date": ("fte_year", "month"),
    "hours_per_week": ("fte_year",),
    "hours": ("hour",),
    "quantity": ("fixed",),
    "cost_excl_vat_cents": ("cost",),
    "invoice_excl_vat_cents": ("invoice",),
    "invoice_number": ("invoice",),
    "supplier_name": ("invoice",),
    "supplier_kvk": ("invoice",),
    "supplier_certification": ("invoice",),
}

# Fieldsets of the realisation form in page order: legend and field names.
FIELDSETS: list[tuple[str, tuple[str, ...]]] = [
    (_l("The candidate"), ("candidate_ref", "attributes")),
    (_l("Period and working hours"), ("start_date", "end_date", "hours_per_week")),
    (_l("Hours of activity"), ("hours",)),
    (_l("Number of occurrences"), ("quantity",)),
    (_l("Costs incurred"), ("cost_excl_vat_cents",)),
    (
        _l("The purchase"),
        (
            "invoice_excl_vat_cents",
            "invoice_number",
            "supplier_name",
            "supplier_kvk",
            "supplier_certification",
        ),
    ),
]

EVIDENCE_ACCEPT = ",".join([*ALLOWED, ".pdf", ".png", ".jpg", ".jpeg"])


def fieldset_units(names: tuple[str, ...]) -> list[str]:
    """The units a fieldset applies to: those of any of its fields, in the units' own order."""
    wanted = {unit for name in names for unit in FIELD_UNITS[name]}
    return [unit for unit in UNITS if unit in wanted]


def block_choices(policy: SroiPolicy) -> list[tuple[str, str, dict[str, str]]]:
    """The policy's value table as options; data attributes let realisation.js show the fields of
    the chosen block's unit and only the bonuses the block has."""
    units = unit_labels()
    return [("", _l("— choose a building block —"), {})] + [
        (
            block.code,
            f"{block.code} — {block.label} ({units.get(block.unit, block.unit)})",
            {"data-unit": block.unit, "data-bonuses": " ".join(sorted(block.bonuses or {}))},
        )
        for block in policy.blocks
    ]


class RealisationForm(FlaskForm):
    """One realisation on one contract; which fields apply depends on the block (FIELD_UNITS)."""

    block_code = SelectField(
        _l("Building block"),
        validators=[InputRequired(message=_l("Choose a building block."))],
        description=_l("From the value table of the authority's SROI policy for this contract."),
    )
    candidate_ref = StringField(
        _l("Candidate reference"),
        validators=[Optional(), Length(max=40)],
        description=_l(
            "A pseudonymous reference you keep in your own records, e.g. KAND-2026-014: "
            "no name or BSN."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    attributes = MultiCheckboxField(
        _l("Characteristics of the candidate"),
        choices=bonus_choices,
        validators=[Optional()],
        description=_l(
            "Tick what applies; each adds the bonus of the building block, pro rata on the same "
            "hours and days. Only what the bonus needs, nothing more."
        ),
    )
    start_date = DateField(_l("Start date"), validators=[Optional(), plausible_date])
    end_date = DateField(_l("End date"), validators=[Optional(), plausible_date])
    hours_per_week = DecimalTextField(
        _l("Hours per week"),
        validators=[Optional()],
        description=_l("As in the employment contract, e.g. 24 or 15,5."),
        render_kw={"inputmode": "decimal"},
    )
    hours = DecimalTextField(
        _l("Number of hours"),
        validators=[Optional()],
        description=_l("e.g. 40 or 7,5."),
        render_kw={"inputmode": "decimal"},
    )
    quantity = IntegerField(
        _l("Number"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_QUANTITY, message=_l("Enter a whole number of at least 1.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    cost_excl_vat_cents = EuroField(
        _l("Costs (excl. VAT)"),
        validators=[Optional()],
        description=_l("In euros, e.g. 2.500 or 1.234,56."),
        render_kw={"inputmode": "decimal"},
    )
    invoice_excl_vat_cents = EuroField(
        _l("Invoice amount (excl. VAT)"),
        validators=[Optional()],
        description=_l("In euros, e.g. 12.500 or 1.234,56."),
        render_kw={"inputmode": "decimal"},
    )
    invoice_number = StringField(_l("Invoice number"), validators=[Optional(), Length(max=60)])
    supplier_name = StringField(_l("Supplier"), validators=[Optional(), Length(max=200)])
    supplier_kvk = StringField(
        _l("Supplier's KvK number"),
        validators=[Optional()],
        description=_l("8 digits, e.g. 12345678."),
        render_kw={"inputmode": "numeric"},
    )
    supplier_certification = SelectField(
        _l("Certification of the supplier"), choices=certification_choices, default="none"
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What was done, for the officer who checks it. No names or BSN."),
    )
    evidence = MultipleFileField(_l("Evidence"), render_kw={"accept": EVIDENCE_ACCEPT})
    # Only on a questioned or rejected realisation sent again (services: `correct`).
    answer = TextAreaField(
        _l("Your answer"),
        validators=[Optional(), Length(max=2000)],
        description=_l("What the officer asked for, or what you changed. The officer reads it."),
    )

    def __init__(self, policy: SroiPolicy, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.block_code.choices = block_choices(policy)
        self.evidence.description = _(
            "PDF, PNG or JPEG, at most %(mb)d MB per file; you may choose several. Files you "
            "chose are kept when you calculate the value or correct a field.",
            mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
        )


class CertificateForm(FlaskForm):
    level = SelectField(
        _l("PSO level"),
        choices=lambda: pso_choices(_l("— choose —")),
        validators=[InputRequired(message=_l("Choose a PSO level."))],
    )
    number = StringField(
        _l("Certificate number"),
        validators=[InputRequired(message=_l("Enter the certificate number.")), Length(max=40)],
    )
    valid_until = DateField(
        _l("Valid until"),
        validators=[
            InputRequired(message=_l("Enter the date until which it is valid.")),
            plausible_date,
        ],
        description=_l("As on the certificate; at most two years from now."),
    )
    file = FileField(
        _l("Certificate (PDF or image)"),
        description=_l(
            "Optional. A procurement officer of an authority you work for, or the platform "
            "admin, verifies the certificate against this file or the public PSO register "
            "before it lowers an obligation."
        ),
        render_kw={"accept": EVIDENCE_ACCEPT},
    )


class SelfScanForm(FlaskForm):
    total_fte = DecimalTextField(
        _l("Total staff in FTE"),
        validators=[InputRequired(message=_l("Enter the total number of FTE."))],
        description=_l("All employees together, e.g. 50 or 12,5."),
        render_kw={"inputmode": "decimal"},
    )
    direct_fte = DecimalTextField(
        _l("Target-group employees in FTE (direct)"),
        default=0,
        validators=[InputRequired(message=_l("Enter a number, 0 if none."))],
        description=_l("People with a distance to the labour market on your own payroll."),
        render_kw={"inputmode": "decimal"},
    )
    indirect_fte = DecimalTextField(
        _l("Purchases from PSO and SW suppliers in FTE (indirect)"),
        default=0,
        validators=[InputRequired(message=_l("Enter a number, 0 if none."))],
        description=_l("Labour of the target group you buy in, as stated by the supplier."),
        render_kw={"inputmode": "decimal"},
    )

    def validate_total_fte(self, field) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("Enter a number of FTE above 0."))
