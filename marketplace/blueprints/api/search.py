"""/api/v1/search and /api/v1/organisations: search over demand, offerings and organisations,
and the directory of verified social enterprises and werkbedrijven (docs/architecture.md
"Search"). Public: no token needed, and only what anyone may find is ever in the results.
Text that is no query (quotes, operators, emoji) finds nothing; it is never an error."""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from marketplace.blueprints import limits
from marketplace.blueprints.api.blueprint import ComplianceBlueprint
from marketplace.blueprints.api.schemas.search import (
    DirectoryQuerySchema,
    SearchPageSchema,
    SearchQuerySchema,
)
from marketplace.services import memberships, search

blp = ComplianceBlueprint(
    "api_search", __name__, description="Search and the directory of social enterprises"
)


def _page(results: search.Results) -> dict:
    return {
        "items": results.items,
        "total": results.total,
        "facets": results.facets,
        "total_exact": results.total_exact,
        "facets_exact": results.facets_exact,
        "page": results.page,
        "per_page": results.per_page,
    }


def _filters(args: dict) -> search.Filters:
    return search.Filters.from_args({f: args.get(f, ()) for f in search.FACETS})


@blp.route("/search")
class Search(MethodView):
    decorators = [limits.search]  # one count with the search page

    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, SearchPageSchema)
    def get(self, args):
        """Demand, offerings and organisations matching the words and filters"""
        return _page(
            search.search(
                args["q"],
                _filters(args),
                args.get("sort"),
                args["page"],
                args["per_page"],
                memberships.access_of({o.id for o in g.user_orgs}).networks,
            )
        )


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(DirectoryQuerySchema, location="query")
    @blp.response(200, SearchPageSchema)
    def get(self, args):
        """The directory: verified social enterprises and werkbedrijven, by name by default"""
        return _page(
            search.directory(
                args["q"], _filters(args), args.get("sort"), args["page"], args["per_page"]
            )
        )
