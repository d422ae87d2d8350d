"""/api/v1/contracts: the contracts a token's user may see, registration by a procurement officer,
and one contract with its fulfilment today.

Choices where the brief is silent:
- Visible are the contracts of every authority the user is a member of (officer side) and of
  every contractor organisation they belong to (contractor side), in one list by end date, then id
  (stable pages). `status` in the list is the cached one (recomputed on every change and nightly);
  the detail computes it for today.
- POST without `authority_id` uses the user's only authority; with several, 422 asks to choose;
  an authority the user is not an officer of is 403 (authorities are public, their actions not).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from marketplace import clock
from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas.contracts import (
    ContractDetailSchema,
    ContractPageSchema,
    ContractQuerySchema,
    ContractRequestSchema,
    ContractToday,
    RegisteredContractSchema,
)
from marketplace.services import contracts, fulfilment, pso

blp = ComplianceBlueprint(
    "api_contracts",
    __name__,
    url_prefix="/contracts",
    description="Contracts with their SROI obligation and fulfilment",
)


@blp.route("")
class Contracts(MethodView):
    @blp.authenticated()
    @blp.arguments(ContractQuerySchema, location="query")
    @blp.response(200, ContractPageSchema)
    def get(self, args):
        """Contracts you can see

        For authority members their authority's contracts, for contractor members their own;
        filtered by cached `status`, `per_page` at most 100.
        """
        page = contracts.visible_to(
            current_user, args.get("status"), args["page"], args["per_page"]
        )
        return {
            "items": page.items,
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }

    @blp.authenticated(400, 403, 404)
    @blp.arguments(ContractRequestSchema)
    @blp.response(201, RegisteredContractSchema)
    def post(self, args):
        """Register a contract (procurement officer)

        The obligation is computed under the authority's policy in force on the award date and
        the contractor's PSO certificate then (docs/domain.md "The SROI obligation of a contract").
        """
        authority = contracts.registering_authority(current_user, args.pop("authority_id"))
        return contracts.register(authority, contracts.ContractData(**args), current_user)


@blp.route(f"/<{ID}:contract_id>")
@blp.authenticated(404)
@blp.response(200, ContractDetailSchema)
def contract_detail(contract_id: int):
    """A contract with its fulfilment today

    `fulfilment` holds approved, pending, remaining, expected-by-today and forecast cents, the
    percentage and status on `on_date`. 404 for contracts of others (ids cannot be probed).
    """
    contract, _side = contracts.contract_for_party(contract_id, current_user)
    today = clock.today()
    return ContractToday(
        contract, fulfilment.fulfilment_of(contract, today), today, pso.unverified_for(contract)
    )
