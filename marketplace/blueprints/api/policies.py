"""/api/v1/authorities/{id}/policies: an authority's SROI policy versions with their value
tables, read and added by the authority's own members (procurement officers).

A new version applies to contracts awarded from its `effective_from`; contracts already registered
keep theirs. An id that is not an authority is 404, and so is an authority the user is not a
member of: another authority's policies do not exist for them.
"""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from marketplace.blueprints.api.blueprint import ID, ComplianceBlueprint
from marketplace.blueprints.api.schemas.policies import PolicyRequestSchema, PolicyVersionSchema
from marketplace.models import Organisation
from marketplace.services import organisations, policies

blp = ComplianceBlueprint(
    "api_policies",
    __name__,
    url_prefix="/authorities",
    description="SROI policies and their value tables (bouwblokken)",
)


def _authority(authority_id: int) -> Organisation:
    authority = organisations.by_id(authority_id)
    policies.require_officer(current_user, authority)
    return authority


@blp.route(f"/<{ID}:authority_id>/policies")
class AuthorityPolicies(MethodView):
    @blp.authenticated(404)
    @blp.response(200, PolicyVersionSchema(many=True))
    def get(self, authority_id: int):
        """Policy versions of an authority, newest first"""
        return policies.policies_of(_authority(authority_id))

    @blp.authenticated(400, 404)
    @blp.arguments(PolicyRequestSchema)
    @blp.response(201, PolicyVersionSchema)
    def post(self, args, authority_id: int):
        """Add a policy version with its value table

        A version with the same `effective_from` as an existing one is refused (422,
        "duplicate_version"); the table needs at least one building block.
        """
        blocks = [policies.block_data(block) for block in args["blocks"]]
        data = policies.policy_data(args, blocks)
        return policies.create_policy(_authority(authority_id), data, current_user)
