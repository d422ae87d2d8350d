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
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, or_, select

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
from marketplace.extensions import db
from marketplace.models import Contract, Organisation, User
from marketplace.services import contracts, fulfilment, organisations, pso
from marketplace.services.errors import Forbidden, ServiceError

blp = ComplianceBlueprint(
    "api_contracts",
    __name__,
    url_prefix="/contracts",
    description="Contracts with their SROI obligation and fulfilment",
)


def _visible(user: User, status: str | None) -> Select:
    """Contracts on the officer side or the contractor side of the user's organisations."""
    orgs = organisations.organisations_of(user)
    authority_ids = [o.id for o in orgs if o.kind == "authority"]
    contractor_ids = [o.id for o in orgs if o.kind in contracts.CONTRACTOR_KINDS]
    query = select(Contract).where(
        or_(Contract.authority_id.in_(authority_ids), Contract.contractor_id.in_(contractor_ids))
    )
    if status:
        query = query.where(Contract.status == status)
    return query.order_by(Contract.end_date, Contract.id)


def _authority_for(user: User, authority_id: int | None) -> Organisation:
    authorities = [o for o in organisations.organisations_of(user) if o.kind == "authority"]
    if authority_id is None:
        if len(authorities) == 1:
            return authorities[0]
        if not authorities:
            raise Forbidden(_("Only procurement officers of an authority register contracts."))
        msg = _("You are an officer of several authorities: choose one.")
        raise ServiceError(msg, {"authority_id": msg}, code="authority_required")
    for authority in authorities:
        if authority.id == authority_id:
            return authority
    raise Forbidden(_("You are not a procurement officer of this authority."))


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
        page = db.paginate(
            _visible(current_user, args.get("status")),
            page=args["page"],
            per_page=args["per_page"],
            error_out=False,
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
        authority = _authority_for(current_user, args.pop("authority_id"))
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
