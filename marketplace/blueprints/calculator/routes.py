"""/sroi-calculator: server-rendered forms over the same domain rules as /api/v1/sroi/*.

Public (no login): a contractor estimates the SROI obligation of a tender and what one building
block is worth before bidding, either under a published policy of an authority (`policy=<id>`:
its rules and value table come from the database, `policies.published_policy`) or with the rules
typed in. Each form posts back to the page; the other form stays empty. No formula lives here: the
forms turn Dutch input into cents, basis points and exact hours, the domain (`obligation_for`,
`valuate`) computes and explains, and a domain refusal is shown next to its field in the user's
language (`labels.error_message` of the domain's error code).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from marketplace import clock
from marketplace.blueprints.calculator.forms import (
    BlockForm,
    ObligationForm,
    PolicyBlockForm,
    PolicyObligationForm,
)
from marketplace.domain import inputs, obligation, valuation
from marketplace.domain.numbers import MAX_ID, NumberError, bounded_int
from marketplace.labels import error_message, obligation_labels
from marketplace.models import SroiPolicy
from marketplace.services import policies
from marketplace.services.errors import NotFound

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
# Under a published policy the block's own fields are not on the form: refusals go to its select.
_BLOCK_ERRORS_AT = {"credit_bp_by_certification": "certification"}
_POLICY_BLOCK_ERRORS_AT = {
    **_BLOCK_ERRORS_AT,
    **dict.fromkeys(("unit", "rate_cents", "min_hours_per_week", "max_days", "bonuses"), "block"),
}


@bp.route("", methods=["GET", "POST"])
def index():
    today = clock.today()
    published = policies.published_policies(today)
    policy = _chosen_policy(today)
    posted = request.form.get("calculator") if request.method == "POST" else None
    obligation_data = request.form if posted == "obligation" else None
    block_data = request.form if posted == "block" else None
    if policy is None:
        obligation_form = ObligationForm(prefix="obligation", formdata=obligation_data)
        block_form = BlockForm(prefix="block", formdata=block_data)
    else:
        obligation_form = PolicyObligationForm(prefix="obligation", formdata=obligation_data)
        block_form = PolicyBlockForm(policy, prefix="block", formdata=block_data)

    obligation_result = valuation_result = None
    if posted == "obligation" and obligation_form.validate():
        obligation_result = _compute_obligation(obligation_form, policy)
    elif posted == "block" and block_form.validate():
        valuation_result = _compute_valuation(block_form, policy)

    return render_template(
        "calculator/index.html",
        published=published,
        policy=policy,
        obligation_form=obligation_form,
        block_form=block_form,
        obligation_result=obligation_result,
        valuation_result=valuation_result,
        status_labels=obligation_labels(),
        posted=posted,
    )


def _chosen_policy(today) -> SroiPolicy | None:
    """The published policy named by `policy` (the address when chosen, a hidden field of the
    forms under it); none when it is empty; 404 for anything that is not the id of a published
    policy (policies.published_policy)."""
    text = request.values.get("policy", "").strip()
    if not text:
        return None
    try:
        policy_id = bounded_int(text, minimum=1, maximum=MAX_ID)
    except NumberError:
        raise NotFound() from None
    return policies.published_policy(policy_id, today)


def _compute_obligation(
    form: ObligationForm | PolicyObligationForm, policy: SroiPolicy | None
) -> obligation.Obligation | None:
    level = form.pso_level.data or None
    values = {
        **_renamed(form.data, _OBLIGATION_NAMES),
        "pso_level": level,
        "pso_valid_until": form.pso_valid_until.data if level else None,
    }
    try:
        if policy is not None:
            rules = policies.rules_of(policy)
        else:
            # One PSO level: its remaining part is the policy's discount for that level alone.
            remaining = form.pso_remaining.data
            values["pso_remaining_bp"] = (
                {level: remaining} if level and remaining is not None else {}
            )
            rules = inputs.policy_from(values)
        return obligation.obligation_for(inputs.terms_from(values), rules)
    except obligation.ObligationInputError as exc:
        _show_error(form, _form_field(exc.field, _OBLIGATION_NAMES), exc)
        return None


def _compute_valuation(
    form: BlockForm | PolicyBlockForm, policy: SroiPolicy | None
) -> valuation.Valuation | None:
    if policy is not None:
        row = next(b for b in policy.blocks if b.code == form.block.data)
        block, errors_at = policies.block_rules(row), _POLICY_BLOCK_ERRORS_AT
    else:
        block, errors_at = None, _BLOCK_ERRORS_AT
    unit = form.unit.data if block is None else block.unit
    values = {
        **_renamed(form.data, _BLOCK_NAMES),
        "supplier_certification": form.certification.data if unit == "invoice" else None,
    }
    try:
        if block is None:
            # One bonus rate for every attribute, and the default credit table.
            bonus_rate = form.bonus_rate.data
            values["code"] = form.code.data.strip()
            values["bonuses"] = (
                dict.fromkeys(valuation.BONUS_ATTRIBUTES, bonus_rate)
                if unit == "fte_year" and bonus_rate
                else {}
            )
            block = inputs.block_from(values)
        return valuation.valuate(block, inputs.realisation_from(values))
    except valuation.ValuationError as exc:
        field = errors_at.get(exc.field) or _form_field(exc.field, _BLOCK_NAMES)
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
