"""The contract page, shared by both sides of a contract: the authority's officer (who decides on
realisations) and the contractor (who reports them). Anyone else gets a 404."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.formhelpers import page_arg
from marketplace.services import (
    charts,
    contracts,
    fulfilment,
    history,
    matches,
    pso,
    realisations,
    reports,
)

bp = Blueprint("contracts", __name__, url_prefix="/contracten")

# A contract can have a thousand realisations and three history rows for each: the whole page
# was 777 kB of HTML and took a second to render. Realisations and history page independently.
REALISATIONS_PER_PAGE = 50
HISTORY_PER_PAGE = 50


@bp.route("/<int:contract_id>")
@login_required
def detail(contract_id: int):
    contract, side = contracts.contract_for_party(contract_id, current_user)
    today = clock.today()
    # Only a due obligation has a course over time to draw.
    due = contract.obligation_status == "due"
    return render_template(
        "contracts/detail.html",
        contract=contract,
        side=side,
        fulfilment=fulfilment.fulfilment_of(contract, today),
        realisations=realisations.page_of_contract(
            contract, side, page_arg(), REALISATIONS_PER_PAGE
        ),
        drafts=realisations.of_contract(contract.id, side, "draft") if side == "contractor" else [],
        history=history.of_contract(contract, side, page_arg("history"), HISTORY_PER_PAGE),
        chart=charts.contract_chart(contract, today) if due else None,
        people=reports.people_of_contract(contract.id),
        unverified_certificate=pso.unverified_for(contract),
        gap=matches.closing_the_gap(contract) if side == "contractor" else None,
    )
