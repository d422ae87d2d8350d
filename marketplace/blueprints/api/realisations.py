"""/api/v1 realisations: a contract's realisations (both sides), reporting one (contractor),
approving, rejecting or asking about one (the contract's own authority), and the contractor's
side of the rounds: changing a draft, deleting it, correcting a rejected or questioned one and
sending it again with the answer (docs/domain.md, services/realisations.py).

Choices where the brief is silent:
- Officers do not see drafts: a draft is the contractor's unsent work.
- Deciding on a realisation of another authority's contract is 404, as for reading that contract
  (ids cannot be probed); a contractor deciding on its own realisation is 403.
- A realisation's own routes (read, change, send, delete) hide a draft from the officer (404);
  the officer changing or sending a realisation it can see is 403 (the contractor's action).
- A decision on a realisation that is already decided is 409 with code "already_decided" and a
  message naming who decided it and when (of two officers deciding at once, one wins); on a draft
  it is 422 with code "wrong_state".
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas.realisations import (
    AskSchema,
    RealisationQuerySchema,
    RealisationRequestSchema,
    RealisationUpdateSchema,
    RejectSchema,
    ReportedRealisationSchema,
    SendSchema,
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


@blp.route(f"/realisations/<{ID}:realisation_id>/ask", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.arguments(AskSchema)
@blp.response(200, ReportedRealisationSchema)
def ask(args, realisation_id: int):
    """Ask for more information instead of deciding (the contract's authority)

    "Vraag om aanvulling": the realisation goes back to the contractor with the question
    (state `questioned`), who answers it and sends it again.
    """
    realisation = _realisation(realisation_id)
    realisations.ask([realisation.id], current_user, args["question"])
    return realisation


def _seen(realisation_id: int) -> Realisation:
    """The realisation, 404 unless the user is on one of its contract's sides, and for the
    officer unless it was sent (a draft is the contractor's own)."""
    realisation, _side = realisations.realisation_seen_by(realisation_id, current_user)
    return realisation


@blp.route(f"/realisations/<{ID}:realisation_id>")
class RealisationItem(MethodView):
    @blp.authenticated(404)
    @blp.response(200, ReportedRealisationSchema)
    def get(self, realisation_id: int):
        """One realisation, with the officer's question and the contractor's answer

        Both sides see it; officers see no drafts.
        """
        return _seen(realisation_id)

    @blp.authenticated(403, 404, 409, 422)
    @blp.arguments(RealisationUpdateSchema(partial=True))
    @blp.response(200, ReportedRealisationSchema)
    def patch(self, args, realisation_id: int):
        """Change a draft, or correct a rejected or questioned realisation (contractor)

        Only the fields given change; the others stay as saved. A draft stays a draft unless
        `"draft": false` sends it; a rejected or questioned realisation is sent again (a
        questioned one with an `answer`). Sent, it is checked completely and for double
        counting, and the officers are told. Its history (the earlier decisions) stays.
        """
        realisation = _seen(realisation_id)
        draft, answer = args.pop("draft", None), args.pop("answer", "")
        return realisations.amend(realisation, args, current_user, draft=draft, answer=answer)

    @blp.authenticated(403, 404, 409, 422)
    @blp.response(204)
    def delete(self, realisation_id: int):
        """Delete a draft (contractor)

        Only a draft: nothing was sent. Its evidence files go with it.
        """
        realisations.delete_draft(_seen(realisation_id), current_user)


@blp.route(f"/realisations/<{ID}:realisation_id>/submit", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.arguments(SendSchema)
@blp.response(200, ReportedRealisationSchema)
def submit(args, realisation_id: int):
    """Send a draft, or a rejected or questioned realisation, as it is saved (contractor)

    A questioned one needs the `answer` to the officer's question. Checked completely and for
    double counting now; the officers are told.
    """
    realisation = _seen(realisation_id)
    return realisations.submit_draft(realisation, current_user, args["answer"])
