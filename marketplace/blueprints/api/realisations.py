"""/api/v1 realisations: a contract's realisations (both sides), reporting one (contractor), and
approving or rejecting one (the contract's own authority).

Choices where the brief is silent:
- Officers do not see drafts: a draft is the contractor's unsent work.
- Deciding on a realisation of another authority's contract is 404, as for reading that contract
  (ids cannot be probed); a contractor deciding on its own realisation is 403.
- A decision on a realisation that is already decided is 409 with code "already_decided" and a
  message naming who decided it and when (of two officers deciding at once, one wins); on a draft
  it is 422 with code "wrong_state".
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas.realisations import (
    RealisationQuerySchema,
    RealisationRequestSchema,
    RejectSchema,
    ReportedRealisationSchema,
)
from marketplace.models import Realisation
from marketplace.services import contracts, realisations

blp = ComplianceBlueprint(
    "api_realisations",
    __name__,
    description="Realisations: the contractor's claims and the officer's decisions",
)


@blp.route(f"/contracts/<{ID}:contract_id>/realisations")
class ContractRealisations(MethodView):
    @blp.authenticated(404)
    @blp.arguments(RealisationQuerySchema, location="query")
    @blp.response(200, ReportedRealisationSchema(many=True))
    def get(self, args, contract_id: int):
        """Realisations of a contract, newest first

        Both sides see them; officers see no drafts.
        """
        contract, side = contracts.contract_for_party(contract_id, current_user)
        return realisations.of_contract(contract.id, side, args.get("state"))

    @blp.authenticated(400, 403, 404)
    @blp.arguments(RealisationRequestSchema)
    @blp.response(201, ReportedRealisationSchema)
    def post(self, args, contract_id: int):
        """Report a realisation (contractor)

        Valued with the contract's policy value table (docs/domain.md "Building blocks"); the
        breakdown lists the block first, then each bonus. Submitted for the officer's approval,
        or saved as a draft with `"draft": true`. Evidence files cannot be uploaded through the
        API: add them on the realisation's page.
        """
        contract, _side = contracts.contract_for_party(contract_id, current_user)
        draft = args.pop("draft")
        data = realisations.RealisationData(**args)
        return realisations.submit(contract, data, current_user, draft=draft)


def _realisation(realisation_id: int) -> Realisation:
    """The realisation, 404 unless the user is on one of its contract's sides."""
    realisation, _side = realisations.realisation_for_party(realisation_id, current_user)
    return realisation


@blp.route(f"/realisations/<{ID}:realisation_id>/approve", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.response(200, ReportedRealisationSchema)
def approve(realisation_id: int):
    """Approve a submitted realisation (the contract's authority)

    Its value then counts as realised; the contract's fulfilment is recomputed.
    """
    realisation = _realisation(realisation_id)
    realisations.approve([realisation.id], current_user)
    return realisation


@blp.route(f"/realisations/<{ID}:realisation_id>/reject", methods=["POST"])
@blp.authenticated(400, 403, 404, 409)
@blp.arguments(RejectSchema)
@blp.response(200, ReportedRealisationSchema)
def reject(args, realisation_id: int):
    """Reject a submitted realisation with a reason (the contract's authority)

    The contractor sees the reason.
    """
    realisation = _realisation(realisation_id)
    realisations.reject([realisation.id], current_user, args["reason"])
    return realisation
