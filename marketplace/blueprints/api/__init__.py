"""The JSON API under /api/v1 (flask-smorest: the OpenAPI document is generated from the code)."""

from __future__ import annotations

from flask import Flask

from marketplace.blueprints.api.envelope import EnvelopeApi

# The API's flask-smorest object lives with the API, not in extensions.py: its error envelope is
# part of the web layer, which the extensions module may not import.
api = EnvelopeApi()


def register_api(app: Flask) -> None:
    from marketplace.blueprints import limits
    from marketplace.blueprints.api.accounts import blp as accounts_blp
    from marketplace.blueprints.api.calculator import blp as calculator_blp
    from marketplace.blueprints.api.contracts import blp as contracts_blp
    from marketplace.blueprints.api.deals import blp as deals_blp
    from marketplace.blueprints.api.listings import blp as listings_blp
    from marketplace.blueprints.api.matches import blp as matches_blp
    from marketplace.blueprints.api.policies import blp as policies_blp
    from marketplace.blueprints.api.realisations import blp as realisations_blp
    from marketplace.blueprints.api.search import blp as search_blp
    from marketplace.extensions import csrf

    api.init_app(app)
    for blueprint in (
        accounts_blp,
        calculator_blp,
        contracts_blp,
        realisations_blp,
        policies_blp,
        matches_blp,
        listings_blp,
        search_blp,
        deals_blp,
    ):
        csrf.exempt(blueprint)
        limits.limit_api(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
