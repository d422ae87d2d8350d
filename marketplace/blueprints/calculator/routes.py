"""/sroi-calculator: two server-rendered forms over the same domain rules as /api/v1/sroi/*.

Public (no login): a contractor estimates the SROI obligation of a tender and what one building
block is worth before bidding. Each form posts back to the page; the other form keeps its defaults.
No formula lives here: the forms turn Dutch input into cents, basis points and exact hours, the
domain (`obligation_for`, `valuate`) computes, and a domain refusal is shown next to its field in
the user's language (`labels.error_message` of the domain's error code).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from marketplace.blueprints.calculator.forms import BlockForm, ObligationForm
from marketplace.domain import inputs, obligation, valuation
from marketplace.labels import bonus_labels, error_message, obligation_labels

bp = Blueprint("calculator", __name__, url_prefix="/sroi-calculator")

# Form fields -> the rules' field names they fill, where the two differ (domain/inputs.py builds
# the rules' inputs from the renamed data; a refusal of a rules' field is shown at its form field).
_OBLIGATION_NAMES = {
    "value": "value_cents",
    "threshold": "threshold_cents",
    "percentage": "percentage_bp",
    "labour_share": "labour_share_bp",
    "low_labour_share": "low_labour_share_bp",
    "low_labour_percentage": "low_labour_percentage_bp",
    "cap": "cap_cents",
    "pso_remaining": "pso_remaining_bp",
}
_BLOCK_NAMES = {
    "rate": "rate_cents",
    "bonus_rate": "bonuses",
    "certification": "supplier_certification",
    "cost": "cost_excl_vat_cents",
    "invoice": "invoice_excl_vat_cents",
}
# The block's credit table has no field of its own: the supplier's certification picks from it.
_BLOCK_ERRORS_AT = {"credit_bp_by_certification": "certification"}


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
        line_labels=bonus_labels(),
        posted=posted,
    )


def _compute_obligation(form: ObligationForm) -> obligation.Obligation | None:
    # One PSO level: its remaining part is the policy's discount for that level alone.
    level = form.pso_level.data or None
    remaining = form.pso_remaining.data
    values = {
        **_renamed(form.data, _OBLIGATION_NAMES),
        "pso_level": level,
        "pso_valid_until": form.pso_valid_until.data if level else None,
        "pso_remaining_bp": {level: remaining} if level and remaining is not None else {},
    }
    try:
        return obligation.obligation_for(inputs.terms_from(values), inputs.policy_from(values))
    except obligation.ObligationInputError as exc:
        _show_error(form, _form_field(exc.field, _OBLIGATION_NAMES), exc)
        return None


def _compute_valuation(form: BlockForm) -> valuation.Valuation | None:
    # One bonus rate for every attribute, and the default credit table (the block's own is None).
    unit, bonus_rate = form.unit.data, form.bonus_rate.data
    values = {
        **_renamed(form.data, _BLOCK_NAMES),
        "code": form.code.data.strip(),
        "bonuses": dict.fromkeys(valuation.BONUS_ATTRIBUTES, bonus_rate)
        if unit == "fte_year" and bonus_rate
        else {},
        "supplier_certification": form.certification.data if unit == "invoice" else None,
    }
    try:
        return valuation.valuate(inputs.block_from(values), inputs.realisation_from(values))
    except valuation.ValuationError as exc:
        field = _BLOCK_ERRORS_AT.get(exc.field) or _form_field(exc.field, _BLOCK_NAMES)
        _show_error(form, field, exc)
        return None


def _renamed(data: dict, names: dict[str, str]) -> dict:
    """A form's data under the rules' field names."""
    return {names.get(name, name): value for name, value in data.items()}


def _form_field(rules_name: str, names: dict[str, str]) -> str:
    """The form field that fills a rules' field (the same name where they do not differ)."""
    return next((form_name for form_name, name in names.items() if name == rules_name), rules_name)


def _show_error(
    form, field_name: str, exc: valuation.ValuationError | obligation.ObligationInputError
) -> None:
    """Put the domain's message for its error, in the page's language, next to the field."""
    message = error_message(exc.code, exc.params)
    field = getattr(form, field_name, None)
    if field is None:
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]
