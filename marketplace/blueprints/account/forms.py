"""Forms of a person's own account: deleting it, and an authority's retention terms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField
from wtforms.validators import DataRequired, InputRequired, NumberRange

from marketplace.domain.retention import CANDIDATE_YEARS_RANGE, FINANCIAL_YEARS_RANGE


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that my account is deleted and cannot be restored."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class RetentionForm(FlaskForm):
    # Wide bounds here keep absurd numbers out; the domain's own bounds give the message.
    candidate_years = IntegerField(
        _l("Candidate data (years after the contract's end)"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l(
            "Candidate references, attributes and evidence about people: %(low)d to %(high)d "
            "years.",
            low=CANDIDATE_YEARS_RANGE[0],
            high=CANDIDATE_YEARS_RANGE[1],
        ),
    )
    financial_years = IntegerField(
        _l("Financial records (years after the contract's end)"),
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        description=_l(
            "Invoices, invoice numbers and the remaining evidence: %(low)d to %(high)d years.",
            low=FINANCIAL_YEARS_RANGE[0],
            high=FINANCIAL_YEARS_RANGE[1],
        ),
    )
