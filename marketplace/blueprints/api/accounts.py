"""/api/v1/me: who the token belongs to and their organisations."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_login import current_user
from flask_smorest import Blueprint

from marketplace.blueprints.api.auth import token_required

blp = Blueprint("api_accounts", __name__, url_prefix="/me", description="The token's user")


class OrganisationRefSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    verified = ma.fields.Boolean(attribute="is_verified")


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    organisations = ma.fields.List(ma.fields.Nested(OrganisationRefSchema))


@blp.route("")
@blp.doc(security=[{"bearerAuth": []}])
@blp.response(200, MeSchema)
@token_required
def me():
    return {
        "id": current_user.id,
        "email": current_user.email,
        "organisations": g.user_orgs,
    }
