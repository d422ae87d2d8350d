"""The procurement officer's forms: a policy version, a contract, dashboard filters, decisions.

Amounts and percentages are typed the Dutch way ("1.200.000", "2,5") and arrive as cents and basis
points; the rules (ranges, duplicates, a policy in force) are the services', whose field errors the
routes put next to these fields, so the field names match the services' names.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

from flask_babel import LazyString, format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import Select, html_params

from marketplace.blueprints.fields import (
    DecimalTextField,
    EuroField,
    MultiCheckboxField,
    PercentField,
    WholeNumberField,
    certification_choices,
    plausible_date,
    unit_choices,
    whole_id,
)
from marketplace.domain.fulfilment import STATUSES
from marketplace.domain.inputs import field_names
from marketplace.domain.obligation import MAX_DURATION_MONTHS, Policy
from marketplace.domain.valuation import (
    BONUS_ATTRIBUTES,
    CERTIFICATIONS,
    MAX_BLOCK_DAYS,
    MAX_QUANTITY,
    Block,
    RealisationInput,
)
from marketplace.labels import (
    block_field_label,
    bonus_label,
    bonus_labels,
    certification_label,
    plain_eur,
    status_label,
)
from marketplace.models import BuildingBlock, SroiPolicy
from marketplace.services import policies
from marketplace.services.contracts import ContractData, ContractFilter
from marketplace.services.errors import ServiceError

CSV_MAX_BYTES = 1024 * 1024
# The PSO levels a policy can discount; a level left empty keeps the full obligation.
PSO_FIELDS = {
    "trede_1": "pso_trede_1",
    "trede_2": "pso_trede_2",
    "trede_3": "pso_trede_3",
    "pso_30_plus": "pso_30_plus",
}


class PlainSelect(Select):
    """A select that writes its options directly. WTForms' own widget builds each option through
    html_params, which costs tens of milliseconds for the hundreds of contractors a large
    authority has (the dashboard filter and the contract form list them all)."""

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        options = "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
            for value, label, selected, _render_kw in field.iter_choices()
        )
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


def _optional_int(value: object) -> int | None:
    return whole_id(value) if value not in (None, "", "None") else None


class PolicyForm(FlaskForm):
    name = StringField(
        _l("Name of this version"),
        validators=[InputRequired(), Length(max=200)],
        description=_l("e.g. SROI-beleid 2027."),
    )
    effective_from = DateField(
        _l("In force from"),
        validators=[InputRequired(), plausible_date],
        description=_l("Contracts awarded on or after this date get this version."),
    )
    threshold_cents = EuroField(
        _l("Threshold (contract value from, in euros)"),
        validators=[InputRequired()],
        description=_l("SROI applies to contracts of this value or more, e.g. 250.000."),
    )
    min_duration_months = IntegerField(
        _l("Minimum duration in months"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_DURATION_MONTHS)],
    )
    percentage_bp = PercentField(
        _l("SROI percentage"),
        validators=[InputRequired()],
        description=_l("Part of the contract value, e.g. 5 or 2,5."),
    )
    low_labour_share_bp = PercentField(
        _l("Low labour share below (optional)"),
        validators=[Optional()],
        description=_l(
            "Contracts with a labour share below this percentage get the lower percentage."
        ),
    )
    low_labour_percentage_bp = PercentField(
        _l("Lower SROI percentage (optional)"), validators=[Optional()]
    )
    cap_cents = EuroField(
        _l("Cap in euros (optional)"),
        validators=[Optional()],
        description=_l("The obligation of one contract is never more than this."),
    )
    pso_trede_1 = PercentField(_l("PSO trede 1"), validators=[Optional()])
    pso_trede_2 = PercentField(_l("PSO trede 2"), validators=[Optional()])
    pso_trede_3 = PercentField(_l("PSO trede 3"), validators=[Optional()])
    pso_30_plus = PercentField(_l("PSO 30+"), validators=[Optional()])
    source = StringField(
        _l("Source (optional)"),
        validators=[Optional(), Length(max=500)],
        description=_l("e.g. a link to the council decision."),
    )
    value_table = FileField(
        _l("Value table (CSV file)"),
        validators=[
            FileAllowed(["csv", "txt"], _l("Upload a .csv file.")),
            FileSize(CSV_MAX_BYTES, message=_l("The CSV file is larger than 1 MB.")),
        ],
        description=_l(
            "Columns code, label, unit, rate_cents, min_hours_per_week, max_days, bonuses, "
            "credit_bp_by_certification, as in the CSV export of a version. Comma or semicolon."
        ),
    )
    copy_current = BooleanField(_l("Copy the value table of the current version"))

    def validate_low_labour_percentage_bp(self, field) -> None:
        if (field.data is None) != (self.low_labour_share_bp.data is None):
            raise ValidationError(
                _("Fill in both the low labour share and its percentage, or neither.")
            )

    def prefill(self, policy: SroiPolicy) -> None:
        """Start a new version from the current one: same parameters, new date."""
        for name in field_names(Policy):
            if name in self:  # the fields named like the rules' (PSO levels have their own)
                self[name].data = getattr(policy, name)
        for level, name in PSO_FIELDS.items():
            getattr(self, name).data = (policy.pso_remaining_bp or {}).get(level)
        self.copy_current.data = True

    def policy_data(
        self, blocks: list[policies.BlockData], current: SroiPolicy | None
    ) -> policies.PolicyData:
        values = {
            **self.data,
            "name": self.name.data.strip(),
            "pso_remaining_bp": {
                level: self[name].data
                for level, name in PSO_FIELDS.items()
                if self[name].data is not None
            },
            # Purchase credits of the whole policy are not edited here: they carry over.
            "credit_bp_by_certification": current.credit_bp_by_certification if current else None,
            "source": (self.source.data or "").strip() or None,
        }
        return policies.policy_data(values, blocks)

    def value_table_blocks(self, current: SroiPolicy | None) -> list[policies.BlockData]:
        """The uploaded table, else a copy of the current one; a ServiceError on `value_table`
        when there is neither or the file cannot be read."""
        upload: FileStorage | None = self.value_table.data
        if upload and upload.filename:
            return _parse_upload(upload)
        if self.copy_current.data and current is not None:
            # export and parse are each other's inverse: the copy is exact.
            return policies.parse_csv(policies.export_csv(current))
        msg = _(
            "A policy needs a value table: upload a CSV file or copy the table of the "
            "current version."
        )
        raise ServiceError(msg, {"value_table": msg}, code="empty_table")


def _text_of(raw: bytes) -> str | None:
    """UTF-8 text, or Windows-1252 as Excel on a Dutch Windows saves CSV; None for binary."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None if "\x00" in text else text
    return None


def _parse_upload(upload: FileStorage) -> list[policies.BlockData]:
    text = _text_of(upload.read(CSV_MAX_BYTES + 1))
    unreadable = _("This file is not a readable CSV text file.")
    if text is None:
        raise ServiceError(unreadable, {"value_table": unreadable}, code="csv_unreadable")
    try:
        return policies.parse_csv(text)
    except csv.Error as exc:
        raise ServiceError(unreadable, {"value_table": unreadable}, code="csv_unreadable") from exc
    except ServiceError as exc:
        raise ServiceError(exc.message, {"value_table": exc.message}, code=exc.code) from exc


class ContractForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    reference = StringField(
        _l("Reference"),
        validators=[InputRequired(), Length(max=60)],
        description=_l("Your own contract or tender number, unique within your authority."),
    )
    contractor_id = SelectField(
        _l("Contractor"),
        coerce=_optional_int,
        widget=PlainSelect(),
        validators=[Optional()],
        description=_l(
            "Organisations verified on the platform. Not in the list? Invite the company below."
        ),
    )
    invited_kvk = StringField(
        _l("KvK number of the company to invite"),
        validators=[Optional(), Length(max=20)],
        description=_l(
            "The contract waits for the company with this KvK number to register, and is "
            "linked to it then."
        ),
    )
    invited_email = EmailField(
        _l("E-mail address for the invitation"),
        validators=[Optional(), Length(max=254)],
        description=_l(
            "We mail the invitation to this address; without a KvK number, the contract is "
            "linked to the organisation this person registers."
        ),
    )
    department = StringField(_l("Department (optional)"), validators=[Optional(), Length(max=120)])
    value_cents = EuroField(_l("Contract value in euros (excl. VAT)"), validators=[InputRequired()])
    labour_share_bp = PercentField(
        _l("Labour share in % (optional)"),
        validators=[Optional()],
        description=_l(
            "Only needed when your policy has a lower percentage for contracts with little labour."
        ),
    )
    award_date = DateField(
        _l("Award date"),
        validators=[InputRequired(), plausible_date],
        description=_l("The policy version in force on this date sets the obligation."),
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired(), plausible_date])
    end_date = DateField(_l("End date"), validators=[InputRequired(), plausible_date])

    def set_contractors(self, contractors, current=None) -> None:
        """The verified contractors to choose from, and the contract's own (`current`) when it
        is not one of them (linked by invitation, not verified yet)."""
        choices = [(o.id, o.name) for o in contractors]
        if current is not None and all(current.id != o.id for o in contractors):
            choices.insert(0, (current.id, current.name))
        self.contractor_id.choices = [("", _("— not on the platform: invite below —"))] + choices

    def contract_data(self) -> ContractData:
        return ContractData(
            title=self.title.data,
            reference=self.reference.data,
            contractor_id=self.contractor_id.data,
            value_cents=self.value_cents.data,
            award_date=self.award_date.data,
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            labour_share_bp=self.labour_share_bp.data,
            department=self.department.data or "",
            invited_kvk=(self.invited_kvk.data or "").strip() or None,
            invited_email=(self.invited_email.data or "").strip() or None,
        )


class FilterForm(FlaskForm):
    """The dashboard's GET filters; a value that does not validate is ignored, not an error page."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()])
    contractor = SelectField(
        _l("Contractor"), coerce=_optional_int, validators=[Optional()], widget=PlainSelect()
    )
    department = SelectField(_l("Department"), validators=[Optional()])
    ends_before = DateField(_l("Ends on or before"), validators=[Optional(), plausible_date])
    q = StringField(_l("Search title or reference"), validators=[Optional(), Length(max=100)])

    def set_choices(self, contractors, departments: list[str]) -> None:
        everything = ("", _("All"))
        self.status.choices = [everything] + [(s, status_label(s)) for s in STATUSES]
        self.contractor.choices = [everything] + [(o.id, o.name) for o in contractors]
        self.department.choices = [everything] + [(d, d) for d in departments]

    def contract_filter(self) -> ContractFilter:
        self.validate()

        def ok(field):
            return None if field.errors or field.data in ("", None) else field.data

        return ContractFilter(
            status=ok(self.status),
            contractor_id=ok(self.contractor),
            department=ok(self.department),
            ends_before=ok(self.ends_before),
            query=ok(self.q),
        )

    def active(self) -> dict[str, str]:
        """The filters in use, for pagination links and the "clear" link."""
        return {
            f.name: f.raw_data[0] for f in self if f.raw_data and f.raw_data[0] and not f.errors
        }


class DecisionForm(FlaskForm):
    """Approve, reject or question one or more submitted realisations; rejecting needs a
    reason, asking for more information a question."""

    ids = SelectMultipleField(coerce=whole_id, validate_choice=False)
    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required when rejecting; the contractor sees it."),
    )
    question = TextAreaField(
        _l("Question to the contractor"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Instead of rejecting: the realisation goes back to the contractor with your "
            "question, and comes back to you with the answer."
        ),
    )
    contract_id = IntegerField(validators=[Optional()])


class CertificateRejectionForm(FlaskForm):
    """Reject a company's PSO certificate; the company is told the reason."""

    reason = TextAreaField(
        _l("Reason for rejection"),
        validators=[
            InputRequired(message=_l("Say why the certificate is rejected.")),
            Length(max=500),
        ],
        description=_l("The company sees it, e.g. that the number is not in the PSO register."),
    )


# --- the value-table editor ----------------------------------------------------------------------


def _field_label(name: str) -> LazyString:
    """A row field's label from labels.py, worded when the page is drawn."""
    return LazyString(block_field_label, name)


class BlockForm(FlaskForm):
    """A row of a value table as an officer types it: the labels of labels.py, euros and hours
    the Dutch way, one euro field per bonus and one percentage per certification. The rules are
    the service's (policies.block_problems); `place` puts its messages next to these fields."""

    code = StringField(
        _field_label("code"), description=_l("Short and unique within this table, e.g. PW.")
    )
    label = StringField(
        _field_label("label"),
        description=_l("As contractors see it, e.g. Participatiewet-uitkering naar werk."),
    )
    unit = SelectField(
        _field_label("unit"),
        validate_choice=False,
        description=_l(
            'Another unit asks for other fields: after choosing one, "Calculate example" '
            "shows them."
        ),
    )
    rate_cents = EuroField(
        _field_label("rate_cents"),
        description=_l(
            "Per FTE-year, month, hour or occurrence, e.g. 40.000 or 40.000,00. Not needed for "
            "purchases and costs incurred."
        ),
    )
    min_hours_per_week = DecimalTextField(
        _field_label("min_hours_per_week"),
        description=_l(
            "Per FTE-year only: fewer hours a week do not count, e.g. 12. Empty: no minimum."
        ),
    )
    max_days = WholeNumberField(
        _field_label("max_days"),
        maximum=MAX_BLOCK_DAYS,
        message=_l("Enter a number of days from 1 to 100.000."),
        description=_l(
            "A candidate counts at most this many days, e.g. 730 (two years). Empty: no maximum."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unit.choices = [("", _("— choose a unit —")), *unit_choices()]

    def valued_fields(self) -> list[str]:
        """The fields the valuation reads: with a message on one, the example cannot be made."""
        names = ["unit", "rate_cents", "min_hours_per_week", "max_days"]
        return names + [f.name for f in self.bonus_fields() + self.credit_fields()]

    def bonus_fields(self) -> list:
        return [self[f"bonus_{a}"] for a in BONUS_ATTRIBUTES]

    def credit_fields(self) -> list:
        return [self[f"credit_{c}"] for c in CERTIFICATIONS]

    def prefill(self, block: BuildingBlock) -> None:
        """The stored row; credits left to the policy show as empty fields."""
        for name in ("code", "label", "unit", "rate_cents", "max_days"):
            self[name].data = getattr(block, name)
        self.min_hours_per_week.data = _plain(block.min_hours_per_week)
        for attribute, cents in (block.bonuses or {}).items():
            if f"bonus_{attribute}" in self:
                self[f"bonus_{attribute}"].data = cents
        for certification, bp in (block.credit_bp_by_certification or {}).items():
            if f"credit_{certification}" in self:
                self[f"credit_{certification}"].data = bp

    def row(self) -> policies.BlockData:
        """The row as typed; a field that did not parse is empty (its message is already on it).
        No credit typed at all means the policy's credits; one typed, the others count 0%."""
        bonuses = {a: self[f"bonus_{a}"].data for a in BONUS_ATTRIBUTES}
        credits = {c: self[f"credit_{c}"].data for c in CERTIFICATIONS}
        typed = {c: bp for c, bp in credits.items() if bp is not None}
        return policies.BlockData(
            label=(self.label.data or "").strip(),
            rules=Block(
                code=(self.code.data or "").strip(),
                unit=self.unit.data or "",
                rate_cents=self.rate_cents.data,
                min_hours_per_week=self.min_hours_per_week.data,
                max_days=self.max_days.data,
                bonuses={a: cents for a, cents in bonuses.items() if cents is not None},
                credit_bp_by_certification=typed or None,
            ),
        )

    def place(self, problems: dict[str, str]) -> None:
        """The service's messages by field ("bonuses.age_50_plus" on its euro field), each on a
        field that has no message of its own yet: every wrong field is marked at once."""
        for name, message in problems.items():
            group, _dot, code = name.partition(".")
            prefix = {"bonuses": "bonus_", "credit_bp_by_certification": "credit_"}.get(group)
            target = f"{prefix}{code}" if prefix else name
            field = self._fields.get(target)
            if field is not None and not field.errors:
                field.errors = [*field.errors, message]


for _attribute in BONUS_ATTRIBUTES:
    setattr(
        BlockForm,
        f"bonus_{_attribute}",
        EuroField(LazyString(bonus_label, _attribute), validators=[Optional()]),
    )
for _certification in CERTIFICATIONS:
    setattr(
        BlockForm,
        f"credit_{_certification}",
        PercentField(LazyString(certification_label, _certification), validators=[Optional()]),
    )


# Which sample fields the preview of a row asks for, by the row's unit.
SAMPLE_FIELDS = {
    "fte_year": ("hours_per_week", "start", "end", "attributes"),
    "month": ("start", "end"),
    "hour": ("hours",),
    "fixed": ("quantity",),
    "invoice": ("amount", "certification"),
    "cost": ("amount",),
}


class SampleForm(FlaskForm):
    """The sample realisation of the editor's preview (posted with the row, prefix "sample");
    it saves nothing, so it needs no token of its own. An empty field takes its example value:
    24 hours a week from 1 January to 30 June of the version's first year, 10 hours, once,
    € 10.000 invoiced by a werkbedrijf."""

    class Meta:
        csrf = False

    hours_per_week = DecimalTextField(_l("Hours per week"))
    start = DateField(_l("From"), validators=[Optional(), plausible_date])
    end = DateField(_l("Up to and including"), validators=[Optional(), plausible_date])
    # Offered: the bonuses the row rewards (the route sets them); any other ticked one earns 0.
    attributes = MultiCheckboxField(_l("The candidate"), validate_choice=False)
    hours = DecimalTextField(_l("Hours"))
    quantity = WholeNumberField(
        _l("Number of times"),
        maximum=MAX_QUANTITY,
        message=_l("Enter a whole number from 1 to 1.000.000."),
    )
    amount = EuroField(_l("Amount excl. VAT in euros"))
    certification = SelectField(
        _l("Certification of the supplier"), choices=certification_choices, validate_choice=False
    )

    def fill_examples(self, year: int, bonuses: list[str], *, fresh: bool) -> None:
        """Example values in the empty fields (all of them on a `fresh` page, where the first
        bonus of the row is ticked too), so the preview always has something to compute."""
        examples = {
            "hours_per_week": Decimal(24),
            "start": date(year, 1, 1),
            "end": date(year, 6, 30),
            "hours": Decimal(10),
            "quantity": 1,
            "amount": 1_000_000,
            "certification": "werkbedrijf",
        }
        for name, value in examples.items():
            if self[name].data in (None, "") and not self[name].errors:
                self[name].data, self[name].raw_data = value, []
        if fresh:
            self.attributes.data = bonuses[:1]

    def realisation(self) -> RealisationInput:
        return RealisationInput(
            start=self.start.data,
            end=self.end.data,
            hours_per_week=self.hours_per_week.data,
            hours=self.hours.data,
            quantity=self.quantity.data,
            cost_excl_vat_cents=self.amount.data,
            invoice_excl_vat_cents=self.amount.data,
            supplier_certification=self.certification.data or None,
            attributes=frozenset(self.attributes.data or ()),
        )

    def summary(self, unit: str, rewarded: list[str]) -> str:
        """The sample in words, e.g. "24 hours a week, 1 January 2026 to 30 June 2026, aged
        50 or over"; only the ticked bonuses the row rewards are named."""
        period = _(
            "%(start)s to %(end)s",
            start=_long(self.start.data),
            end=_long(self.end.data),
        )
        if unit == "fte_year":
            said = [_("%(hours)s hours a week", hours=_number(self.hours_per_week.data)), period]
            labels = bonus_labels()
            said += [labels[a].lower() for a in self.attributes.data or () if a in rewarded]
            return ", ".join(said)
        if unit == "month":
            return period
        if unit == "hour":
            return _("%(hours)s hours", hours=_number(self.hours.data))
        if unit == "fixed":
            return _("%(n)d time(s)", n=self.quantity.data or 0)
        amount = _eur_text(self.amount.data)
        if unit == "invoice":
            return _(
                "an invoice of %(amount)s excl. VAT from a supplier with: %(certification)s",
                amount=amount,
                certification=certification_label(self.certification.data or "none"),
            )
        return _("costs of %(amount)s excl. VAT", amount=amount)


def _plain(hours: Decimal | None) -> Decimal | None:
    """Stored hours without the column's trailing zeros: 12.00 is shown as 12, 12.50 as 12,5."""
    if hours is None or "." not in str(hours):
        return hours
    return Decimal(str(hours).rstrip("0").rstrip("."))


def _long(day: date | None) -> str:
    return format_date(day, "d MMMM yyyy") if day else "?"


def _number(value: Decimal | None) -> str:
    return "?" if value is None else format_decimal(value, format="#,##0.##")


def _eur_text(cents: int | None) -> str:
    return "?" if cents is None else plain_eur(cents)
