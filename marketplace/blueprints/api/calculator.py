"""/api/v1/sroi/*: the public, stateless SROI calculator (docs/domain.md "The calculator API").

Three endpoints expose the pure domain rules as JSON; they hold no formulas of their own:
`valuate` -> `domain.valuation.valuate`, `obligation` -> `domain.obligation.obligation_for`,
`status` -> `domain.fulfilment.fulfilment_status`. The schemas only check shapes and ranges; the
domain decides the rest and its `ValuationError` / `ObligationInputError` become a 422 carrying the
domain's code (e.g. "below_min_hours") and `fields = {field: message}`, the message worded by
`labels.error_message` in the request's language (Dutch unless the session chose English).

Choices where docs/domain.md is silent:
- Domain error fields are the domain's flat field names ("hours_per_week", "end"); schema errors
  keep webargs' nesting ({"realisation": {"hours_per_week": [...]}}). The `code` is the stable
  part for clients; the `explanation` of an obligation is its steps worded in the request's
  language, joined by "; ".
- Dates are limited to the years 1900-2199 and money to 10^15 cents, so that no input can overflow
  a calendar computation or explode the exact arithmetic; both are far beyond real contracts.
- Hours accept JSON numbers or strings and are read as exact decimals (never floats); more than two
  decimals is refused by the schema (with the domain's "too_many_decimals" message) before any
  arithmetic, so "1E-999999999" cannot stall the exact computation.
- `status` takes `today` optionally (default: the server's date) and `pending_cents` optionally
  (default 0); `percent` is a JSON number with one decimal; `forecast_cents` is null while no time
  has elapsed.
"""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from marketplace import clock
from marketplace.blueprints.api.blueprint import StrictJSONParser
from marketplace.blueprints.api.schemas.calculator import (
    ObligationRequestSchema,
    ObligationSchema,
    StatusRequestSchema,
    StatusSchema,
    ValuateRequestSchema,
    ValuationSchema,
)
from marketplace.blueprints.errors import error_response
from marketplace.domain import fulfilment, inputs, obligation, valuation
from marketplace.labels import error_message, obligation_explanation, valuation_explanation


def _refused(exc: valuation.ValuationError | obligation.ObligationInputError) -> Response:
    """Input the domain refused: 422 with the domain's code, and its message at its field."""
    message = error_message(exc.code, exc.params)
    return error_response(422, message, code=exc.code, fields={exc.field: message})


class _CalculatorBlueprint(Blueprint):
    """Public: no bearer token, unlike the compliance API's blueprints; the same strict JSON.
    The views call the rules; what the rules refuse answers 422 here."""

    ARGUMENTS_PARSER = StrictJSONParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register_error_handler(valuation.ValuationError, _refused)
        self.register_error_handler(obligation.ObligationInputError, _refused)


blp = _CalculatorBlueprint(
    "api_calculator",
    __name__,
    url_prefix="/sroi",
    description="SROI calculator: value a building block, compute an obligation and its status",
)


# --- valuate ----------------------------------------------------------------------------------


@blp.route("/valuate", methods=["POST"])
@blp.arguments(ValuateRequestSchema)
@blp.response(200, ValuationSchema)
def valuate(args):
    """Value one realisation against a building block

    The block's own line first, then one line per bonus the candidate earns; each line is
    rounded half up to cents on its own (docs/domain.md "Building blocks").
    """
    block = inputs.block_from(args["block"])
    result = valuation.valuate(block, inputs.realisation_from(args["realisation"]))
    return {
        "value_cents": result.value_cents,
        "breakdown": [
            {"code": line.code, "value_cents": line.value_cents} for line in result.lines
        ],
        "explanation": valuation_explanation(result.steps),
    }


# --- obligation -------------------------------------------------------------------------------


@blp.route("/obligation", methods=["POST"])
@blp.arguments(ObligationRequestSchema)
@blp.response(200, ObligationSchema)
def compute_obligation(args):
    """Compute the SROI obligation of a contract under a policy

    Threshold and minimum duration, low-labour percentage, cap, then the PSO discount; one
    rounding at the end (docs/domain.md "The SROI obligation of a contract").
    """
    policy = inputs.policy_from(args["policy"])
    result = obligation.obligation_for(inputs.terms_from(args["contract"]), policy)
    return {
        "obligation_cents": result.obligation_cents,
        "status": result.status,
        "percentage_bp": result.percentage_bp,
        "explanation": obligation_explanation(result.steps),
    }


# --- status -----------------------------------------------------------------------------------


@blp.route("/status", methods=["POST"])
@blp.arguments(StatusRequestSchema)
@blp.response(200, StatusSchema)
def status(args):
    """Fulfilment status of an obligation on a day

    fulfilled, overdue, on_track or at_risk (not_applicable when the obligation is 0), with the
    percentage realised, the amount expected by today and the forecast at the end
    (docs/domain.md "Fulfilment status").
    """
    result = fulfilment.fulfilment_status(
        args["obligation_cents"],
        args["approved_cents"],
        args["pending_cents"],
        args["start"],
        args["end"],
        args["today"] or clock.today(),
    )
    return {
        "status": result.status,
        # A JSON number with one decimal (33.3): the Decimal is exact, float is only the encoding.
        "percent": float(result.percent),
        "expected_cents": result.expected_cents,
        "forecast_cents": result.forecast_cents,
    }
