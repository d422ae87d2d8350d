"""/zoeken and /organisaties: search over demand, offerings and organisations, and the
directory of social enterprises and werkbedrijven (their profiles are the organisations' public
pages, /organisaties/<slug>, in blueprints/orgs).

Every filter is a GET argument, so a results page is a link to share and works without
JavaScript. Routes parse the arguments, call services/search.py or services/directory.py and
render (docs/architecture.md "Search").
"""

from __future__ import annotations

from flask import g, render_template, request, url_for

from marketplace.blueprints import limits
from marketplace.blueprints.formhelpers import page_arg
from marketplace.blueprints.market.routes import SIDES, bp
from marketplace.blueprints.pagination import ResultsPagination
from marketplace.labels import (
    certification_label,
    listing_type_label,
    pso_level_label,
    region_label,
    search_facet_labels,
    search_kind_label,
    search_sort_labels,
    sector_label,
)
from marketplace.services import memberships, search

# How each facet's values read on the page.
VALUE_LABELS = {
    "kind": search_kind_label,
    "sector": sector_label,
    "type": listing_type_label,
    "region": region_label,
    "certification": certification_label,
    "pso": pso_level_label,
}
DIRECTORY_FACETS = ("sector", "region", "certification", "pso")
DIRECTORY_SORTS = ("name", "relevance", "newest")
SEARCH_SORTS = ("relevance", "newest", "closing")


def hit_url(hit: search.Hit) -> str:
    """A result's page: the listing, or the organisation's profile."""
    if hit.kind == "organisation":
        return url_for("orgs.profile", slug=hit.organisation_slug)
    return url_for("market.detail", side=SIDES[hit.kind], listing_id=hit.ref_id)


def _facet_options(results: search.Results, facets: tuple[str, ...]) -> list[dict]:
    """Per facet: its label and its values with counts, chosen ones first kept even at 0."""
    chosen = results.filters.chosen()
    options = []
    for facet in facets:
        counts = dict(results.facets.get(facet, {}))
        counts.pop("", None)  # documents without a value (no PSO certificate)
        for value in chosen.get(facet, ()):
            counts.setdefault(value, 0)
        label = VALUE_LABELS[facet]
        values = sorted(counts.items(), key=lambda item: (-item[1], label(item[0]).lower()))
        options.append(
            {
                "name": facet,
                "label": search_facet_labels()[facet],
                "values": [
                    {
                        "value": v,
                        "label": label(v),
                        "count": n,
                        "chosen": v in chosen.get(facet, ()),
                    }
                    for v, n in values
                ],
            }
        )
    return [o for o in options if o["values"]]


def _render(template: str, results: search.Results, facets: tuple, sorts: tuple, **context):
    page = ResultsPagination(
        results.items, results.total, results.page, results.per_page, results.pages
    )
    return render_template(
        template,
        results=results,
        page=page,
        query=request.args.get("q", "")[:200],
        facet_options=_facet_options(results, facets),
        sort_options=[(s, search_sort_labels()[s]) for s in sorts],
        hit_url=hit_url,
        value_labels=VALUE_LABELS,
        **context,
    )


@bp.route("/zoeken")
@limits.search
def search_page():
    """One search box over demand, offerings and organisations, with filters and counts."""
    results = search.search(
        request.args.get("q"),
        search.Filters.from_args(request.args.to_dict(flat=False)),
        request.args.get("sort"),
        page_arg(),
        networks=memberships.access_of({o.id for o in g.user_orgs}).networks,
    )
    return _render("market/search.html", results, search.FACETS, SEARCH_SORTS)


@bp.route("/organisaties")
def directory_page():
    """The directory of social enterprises and werkbedrijven, with the search's filters."""
    args = request.args.to_dict(flat=False)
    args.pop("kind", None)
    results = search.directory(
        request.args.get("q"), search.Filters.from_args(args), request.args.get("sort"), page_arg()
    )
    return _render("market/directory.html", results, DIRECTORY_FACETS, DIRECTORY_SORTS)
