"""/sroi-calculator: two server-rendered forms over the same domain rules as /api/v1/sroi/*.

Public (no login): a contractor estimates the SROI obligation of a tender and what one building
block is worth before bidding. Each form posts back to the page; the other form keeps its defaults.
No formula lives here: the forms turn Dutch input into cents, basis points and exact hours, the
domain (`obligation_for`, `valuate`) computes, and a domain refusal is shown next to its field in
the user's language (the domain's `MESSAGES_NL` / `MESSAGES_EN` by error code).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from marketplace.blueprints.calculator.forms import BlockForm, ObligationForm
from marketplace.blueprints.fields import BONUS_LABELS
from marketplace.domain import obligation, valuation
from marketplace.labels import obligation_labels

bp = Blueprint("calculator", __name__, url_prefix="/sroi-calculator")

# Domain field names -> form fields, where they differ.
_OBLIGATION_FIELDS = {
    "value_cents": "value",
    "threshold_cents": "threshold",
    "percentage_bp": "percentage",
    "labour_share_bp": "labour_share",
    "low_labour_share_bp": "low_labour_share",
    "low_labour_percentage_bp": "low_labour_percentage",
    "cap_cents": "cap",
    "pso_remaining_bp": "pso_remaining",
}
_BLOCK_FIELDS = {
    "rate_cents": "rate",
    "bonuses": "bonus_rate",
    "credit_bp_by_certification": "certification",
    "supplier_certification": "certification",
    "cost_excl_vat_cents": "cost",
    "invoice_excl_vat_cents": "invoice",
}


@bp.route("", methods=["GET", "POST"])
def index():
    posted = request.form.get("calculator") if request.method == "POST" else None
    obligation_form = ObligationForm(
        prefix="obligation", formdata=request.form if posted == "obligation" else None
    )
    block_form = BlockForm(prefix="block", formdata=request.form if posted == "block" else None)

    obligation_result = valuation_result = None
    if posted == "obligation" and obligation_form.validate():
        obligation_result = _compute_obligation(obligation_form)
    elif posted == "block" and block_form.validate():
        valuation_result = _compute_valuation(block_form)

    return render_template(
        "calculator/index.html",
        obligation_form=obligation_form,
        block_form=block_form,
        obligation_result=obligation_result,
        valuation_result=valuation_result,
        status_labels=obligation_labels(),
        line_labels=BONUS_LABELS,
        posted=posted,
    )


def _compute_obligation(form: ObligationForm) -> obligation.Obligation | None:
    level = form.pso_level.data or None
    remaining = (
        {level: form.pso_remaining.data} if level and form.pso_remaining.data is not None else {}
    )
    policy = obligation.Policy(
        threshold_cents=form.threshold.data,
        min_duration_months=form.min_duration_months.data,
        percentage_bp=form.percentage.data,
        low_labour_share_bp=form.low_labour_share.data,
        low_labour_percentage_bp=form.low_labour_percentage.data,
        cap_cents=form.cap.data,
        pso_remaining_bp=remaining,
    )
    terms = obligation.ContractTerms(
        value_cents=form.value.data,
        award_date=form.award_date.data,
        start=form.start.data,
        end=form.end.data,
        labour_share_bp=form.labour_share.data,
        pso_level=level,
        pso_valid_until=form.pso_valid_until.data if level else None,
    )
    try:
        return obligation.obligation_for(terms, policy)
    except obligation.ObligationInputError as exc:
        _show_error(form, _OBLIGATION_FIELDS.get(exc.field, exc.field), exc.code, obligation)
        return None


def _compute_valuation(form: BlockForm) -> valuation.Valuation | None:
    unit = form.unit.data
    bonuses = (
        {attribute: form.bonus_rate.data for attribute in valuation.BONUS_ATTRIBUTES}
        if unit == "fte_year" and form.bonus_rate.data
        else {}
    )
    block = valuation.Block(
        code=form.code.data.strip(),
        unit=unit,
        rate_cents=form.rate.data,
        min_hours_per_week=form.min_hours_per_week.data,
        max_days=form.max_days.data,
        bonuses=bonuses,
    )
    realisation = valuation.RealisationInput(
        start=form.start.data,
        end=form.end.data,
        hours_per_week=form.hours_per_week.data,
        hours=form.hours.data,
        quantity=form.quantity.data,
        cost_excl_vat_cents=form.cost.data,
        invoice_excl_vat_cents=form.invoice.data,
        supplier_certification=form.certification.data if unit == "invoice" else None,
        attributes=frozenset(form.attributes.data or ()),
    )
    try:
        return valuation.valuate(block, realisation)
    except valuation.ValuationError as exc:
        _show_error(form, _BLOCK_FIELDS.get(exc.field, exc.field), exc.code, valuation)
        return None


def _show_error(form, field_name: str, code: str, domain) -> None:
    """Put the domain's message for `code`, in the page's language, next to the field."""
    messages = domain.MESSAGES_NL if str(get_locale()) == "nl" else domain.MESSAGES_EN
    message = messages.get(code) or domain.MESSAGES_EN.get(code, code)
    field = getattr(form, field_name, None)
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]
