"""/api/v1 proposals and deals: a supplier proposes on a demand, the demand's poster accepts or
declines, the buyer enters the invoice of a deal, which answers with the realisation it created.

Choices where the brief is silent:
- A proposal or deal of which the user is neither side is 404, like one that does not exist; a
  side acting for the other (the supplier accepting its own proposal, the poster withdrawing it)
  is 403. Either side writes in the thread, as on the proposal's page.
- Two accepts at once: one deal, 409 with code "demand_matched" or "proposal_decided" for the
  other. An invoice entered twice: 409 "deal_delivered".
- The supplier is the token user's organisation of kind social enterprise or werkbedrijf, or
  `organisation_id` when the user belongs to several.
"""

from __future__ import annotations

from flask import g
from flask_login import current_user

from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas.deals import (
    AcceptRequestSchema,
    DealSchema,
    InvoiceRequestSchema,
    MessageRequestSchema,
    MessageSchema,
    ProposalRequestSchema,
    ProposalSchema,
)
from marketplace.blueprints.layout import member_ids
from marketplace.services import deals, proposals

blp = ComplianceBlueprint(
    "api_deals", __name__, description="Proposals on demand, and the deals they become"
)


@blp.route(f"/demands/<{ID}:listing_id>/proposals", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.arguments(ProposalRequestSchema)
@blp.response(201, ProposalSchema)
def propose(args, listing_id: int):
    """Propose on an open demand (a verified social enterprise or werkbedrijf)

    One proposal under discussion per supplier per demand (409 `proposal_exists`). Attachments
    are added on the proposal's page.
    """
    demand = proposals.open_demand(listing_id, current_user, member_ids())
    supplier = proposals.supplier_for(g.user_orgs, args.pop("organisation_id"))
    return proposals.propose(demand, supplier, proposals.ProposalData(**args), current_user)


@blp.route(f"/proposals/<{ID}:proposal_id>/accept", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.arguments(AcceptRequestSchema)
@blp.response(201, DealSchema)
def accept(args, proposal_id: int):
    """Accept a proposal (the demand's poster): records the deal

    The demand becomes matched; the other proposals under discussion are declined and their
    suppliers told. Of two accepts at once one wins, the other gets 409.
    """
    proposal, _side = proposals.proposal_for_party(proposal_id, current_user)
    return deals.accept(proposal, current_user, args["start_date"], args["end_date"])


@blp.route(f"/proposals/<{ID}:proposal_id>/decline", methods=["POST"])
@blp.authenticated(403, 404, 409)
@blp.response(200, ProposalSchema)
def decline(proposal_id: int):
    """Decline a proposal (the demand's poster); the supplier is told politely"""
    proposal, _side = proposals.proposal_for_party(proposal_id, current_user)
    return proposals.decline(proposal, current_user)


@blp.route(f"/proposals/<{ID}:proposal_id>/withdraw", methods=["POST"])
@blp.authenticated(403, 404, 409)
@blp.response(200, ProposalSchema)
def withdraw(proposal_id: int):
    """Withdraw a proposal (the supplier that made it); the demand's poster is told"""
    proposal, _side = proposals.proposal_for_party(proposal_id, current_user)
    return proposals.withdraw(proposal, current_user)


@blp.route(f"/proposals/<{ID}:proposal_id>/messages", methods=["POST"])
@blp.authenticated(404, 422)
@blp.arguments(MessageRequestSchema)
@blp.response(201, MessageSchema)
def post_message(args, proposal_id: int):
    """Write in a proposal's thread (either side); the other side is told"""
    proposal, _side = proposals.proposal_for_party(proposal_id, current_user)
    return proposals.post_message(proposal, args["body"], current_user)


@blp.route(f"/deals/<{ID}:deal_id>")
@blp.authenticated(404)
@blp.response(200, DealSchema)
def deal(deal_id: int):
    """A deal, for its two sides, with the realisation its invoice created"""
    found, _side = deals.deal_for_party(deal_id, current_user)
    return found


@blp.route(f"/deals/<{ID}:deal_id>/invoice", methods=["POST"])
@blp.authenticated(403, 404, 409, 422)
@blp.arguments(InvoiceRequestSchema)
@blp.response(201, DealSchema)
def invoice(args, deal_id: int):
    """Mark a deal delivered with its invoice (the buyer)

    On a deal with a contract the invoice becomes an `invoice` realisation on it, submitted for
    the officer's approval, valued with the supplier's certification on the invoice date:
    `realisation.id` and `realisation.value_cents` in the answer. The same invoice counts once
    (422 on `invoice_number`).
    """
    found, _side = deals.deal_for_party(deal_id, current_user)
    return deals.deliver(found, deals.InvoiceData(**args), current_user)
