"""The contract page, shared by both sides of a contract: the authority's officer (who decides on
realisations) and the contractor (who reports them). Anyone else gets a 404."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.blueprints.contracts.display import display_helpers, history_of, realisations_of
from marketplace.services import contracts, fulfilment

bp = Blueprint("contracts", __name__, url_prefix="/contracten")
bp.context_processor(display_helpers)


@bp.route("/<int:contract_id>")
@login_required
def detail(contract_id: int):
    contract, side = contracts.get_for(contract_id, current_user)
    rows = realisations_of(contract, side)
    return render_template(
        "contracts/detail.html",
        contract=contract,
        side=side,
        fulfilment=fulfilment.fulfilment_of(contract, date.today()),
        realisations=rows,
        history=history_of(contract, rows),
    )
