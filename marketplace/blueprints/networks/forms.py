"""Forms of the network pages: a plan, an application, a rejection, a payment, the IBAN."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from marketplace.blueprints.fields import EuroField, plausible_date
from marketplace.domain.invoicing import BILLING_RULES
from marketplace.labels import (
    billing_rule_labels,
    choices,
    size_band_labels,
    vat_treatment_labels,
)
from marketplace.models.billing import PLAN_SIZE_BANDS

EXEMPT = "exempt"


class PlanForm(FlaskForm):
    """A plan; the field names are the service's (services/plans.py: PlanData), so a refused
    field shows next to its input."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    yearly_fee_cents = EuroField(
        _l("Yearly fee excluding VAT"),
        validators=[DataRequired(message=_l("Enter the yearly fee in euros."))],
        description=_l("In euros, e.g. 1.200 or 1.234,56."),
    )
    size_band = SelectField(
        _l("Size band"), choices=lambda: choices(PLAN_SIZE_BANDS, size_band_labels())
    )
    benefits = TextAreaField(
        _l("Benefits"),
        validators=[Optional(), Length(max=4000)],
        description=_l("What members get, shown on the network's page."),
    )
    vat_rate_bp = SelectField(_l("VAT"), choices=lambda: list(vat_treatment_labels().items()))
    vat_exemption_reason = StringField(
        _l("Reason for the VAT exemption"),
        validators=[Length(max=255)],
        description=_l("Only when exempt; printed on the invoice."),
    )
    billing_rule = SelectField(
        _l("Billing"), choices=lambda: choices(BILLING_RULES, billing_rule_labels())
    )
    active = BooleanField(_l("Offered to new members"), default=True)

    def validate_vat_exemption_reason(self, field) -> None:
        # Checked with the other fields, so every wrong field is marked at once.
        if self.vat_rate_bp.data == EXEMPT and not (field.data or "").strip():
            raise ValidationError(_l("Give the reason the fee is exempt from VAT."))

    def vat(self) -> tuple[int | None, str | None]:
        """(rate in basis points, exemption reason): exactly one is set when the form is valid."""
        if self.vat_rate_bp.data == EXEMPT:
            return None, self.vat_exemption_reason.data or None
        return int(self.vat_rate_bp.data), None


class ApplyForm(FlaskForm):
    # Only a listed plan is valid: the route offers the network's active plans.
    plan_id = SelectField(_l("Plan"), coerce=int)


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why the application is rejected.")),
            Length(max=1000),
        ],
        description=_l("The applicant receives this reason by e-mail."),
    )


class PaymentForm(FlaskForm):
    paid_on = DateField(
        _l("Received on"),
        validators=[
            DataRequired(message=_l("Enter the date the payment arrived.")),
            plausible_date,
        ],
    )
    amount = EuroField(
        _l("Amount received"),
        validators=[DataRequired(message=_l("Enter the amount received."))],
    )
    # What the admin saw already received: the payment is recorded once (services/invoices.py).
    seen_paid_cents = HiddenField()


class IbanForm(FlaskForm):
    iban = StringField(
        _l("IBAN members pay to"),
        validators=[DataRequired(message=_l("Enter a valid IBAN.")), Length(max=40)],
        description=_l("Printed on every invoice, e.g. NL91 ABNA 0417 1643 00."),
    )


class CompForm(FlaskForm):
    until = DateField(
        _l("Free until"),
        validators=[DataRequired(message=_l("Enter the last free day.")), plausible_date],
        description=_l("The membership is active and free of charge up to and including this day."),
    )


class MemberMoveForm(FlaskForm):
    """Pausing or cancelling a membership: the admin's reason, which the member is told."""

    reason = TextAreaField(
        _l("Reason (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("The member receives this reason by e-mail."),
    )


class ConsentForm(FlaskForm):
    """The member's consent to be named on the network's public page: the button sends the
    new value."""

    listed = HiddenField()
