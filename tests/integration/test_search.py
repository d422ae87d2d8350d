"""Search over demand, offerings and organisations, the same on SQLite (FTS5) and
PostgreSQL (tsvector): Dutch stems, prefixes, filters with counts, sorting, paging, visibility,
hostile text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.extensions import db
from marketplace.models import Listing
from marketplace.models._types import utcnow
from marketplace.services import organisations, search
from marketplace.services.search import Filters
from tests.factories import make_network, make_org, make_user, make_verified_certificate
from tests.querycount import counting_statements
from tests.unit.test_search_text import HOSTILE


def listed(org, kind="offering", status="open", network_id=None, **fields) -> Listing:
    """A listing of `org` as the listings service stores it, indexed in the same transaction;
    for the members of `network_id` only when given."""
    values = {
        "title": "Schoonmaak van kantoren",
        "description": "Dagelijkse schoonmaak door een vast team.",
        "sector": "schoonmaak",
        "type": "service",
        "region": "Drenthe",
        "volume": "2 fte",
        "published_at": utcnow(),
        **fields,
    }
    listing = Listing(
        organisation_id=org.id,
        kind=kind,
        status=status,
        visibility="public" if network_id is None else "network",
        network_id=network_id,
        **values,
    )
    db.session.add(listing)
    db.session.flush()
    search.index_listing(listing)
    db.session.commit()
    return listing


def directory_org(name="Sociaal Werkbedrijf Test", kind="werkbedrijf", **fields):
    """An organisation the platform verified, so the directory lists it."""
    org = make_org(kind, name=name, **fields)
    organisations.verify(org, make_user(admin=True))
    return org


@pytest.fixture
def supplier(app):
    return directory_org(
        "Schoon & Groen Werkbedrijf",
        sectors=["schoonmaak", "groenvoorziening"],
        description="Wij doen schoonmaak en groenonderhoud met mensen met een afstand.",
    )


def titles(results) -> list[str]:
    return [hit.title for hit in results.items]


def test_a_dutch_form_finds_another_form_of_the_same_word(supplier):
    listed(supplier, title="Schoonmaak van kantoren", description="Vast team.")
    assert titles(search.search("schoonmaken", Filters(kind=("offering",)))) == [
        "Schoonmaak van kantoren"
    ]


@pytest.mark.parametrize("typed", ["schoonm", "Schoon", "kanto"])
def test_the_beginning_of_a_word_finds_it_for_type_ahead(supplier, typed):
    listed(supplier, title="Schoonmaak van kantoren", description="Vast team.")
    assert titles(search.search(typed, Filters(kind=("offering",)))) == ["Schoonmaak van kantoren"]


def test_every_word_must_match(supplier):
    listed(supplier, title="Schoonmaak van kantoren", description="Vast team.")
    listed(supplier, title="Groenonderhoud parken", sector="groenvoorziening", description="-")
    assert titles(search.search("schoonmaak parken")) == []
    assert titles(search.search("groenonderhoud parken")) == ["Groenonderhoud parken"]


def test_only_open_public_listings_are_found(supplier):
    other = directory_org("Ander Werkbedrijf")
    listed(supplier, title="Schoonmaak open")
    listed(supplier, title="Schoonmaak in gesprek", status="in_conversation")
    for status in ("draft", "paused", "closed", "matched", "expired"):
        listed(supplier, title=f"Schoonmaak {status}", status=status)
    listed(other, "demand", title="Schoonmaak alleen netwerk", network_id=make_network().id)

    found = search.search("schoonmaak", Filters(kind=("offering", "demand")))

    assert sorted(titles(found)) == ["Schoonmaak in gesprek", "Schoonmaak open"]
    assert found.total == 2


def test_a_listing_leaves_the_index_when_paused_and_returns_when_reopened(supplier):
    listing = listed(supplier, title="Schoonmaak van kantoren")
    listing.status = "paused"
    search.index_listing(listing)
    db.session.commit()
    assert search.search("schoonmaak", Filters(kind=("offering",))).total == 0

    listing.status = "open"
    search.index_listing(listing)
    db.session.commit()
    assert search.search("schoonmaak", Filters(kind=("offering",))).total == 1


def test_verified_social_enterprises_and_werkbedrijven_are_in_the_directory_only(app):
    directory_org("Werkbedrijf Emmen", kind="werkbedrijf")
    directory_org("Sociale Onderneming Assen", kind="social_enterprise")
    make_org("social_enterprise", name="Nog Niet Geverifieerd")
    directory_org("Aannemer Bouw", kind="contractor")

    found = search.directory("", Filters())

    assert titles(found) == ["Sociale Onderneming Assen", "Werkbedrijf Emmen"]
    assert {hit.kind for hit in found.items} == {"organisation"}


def test_filters_narrow_and_each_facet_counts_without_its_own_filter(supplier):
    buyer = make_org("contractor", name="Aannemer", verified=True)
    listed(buyer, "demand", title="Schoonmaak gezocht", region="Twente")
    listed(supplier, title="Schoonmaak aangeboden")
    listed(supplier, title="Groen aangeboden", sector="groenvoorziening", type="placement")

    found = search.search("", Filters(kind=("demand", "offering"), sector=("schoonmaak",)))

    assert sorted(titles(found)) == ["Schoonmaak aangeboden", "Schoonmaak gezocht"]
    assert found.total == 2
    assert found.facets["sector"] == {"schoonmaak": 2, "groenvoorziening": 1}
    assert found.facets["kind"] == {"demand": 1, "offering": 1, "organisation": 1}
    assert found.facets["region"] == {"Twente": 1, "Drenthe": 1}
    assert found.facets["type"] == {"service": 2}


def test_an_organisation_counts_under_each_of_its_sectors_and_regions(app):
    directory_org(
        "Breed Werkbedrijf",
        sectors=["schoonmaak", "groenvoorziening"],
        regions=["Twente"],
    )
    assert titles(search.directory("", Filters(sector=("groenvoorziening",)))) == [
        "Breed Werkbedrijf"
    ]
    assert titles(search.directory("", Filters(region=("Twente",)))) == ["Breed Werkbedrijf"]
    facets = search.directory("", Filters()).facets
    assert facets["sector"] == {"schoonmaak": 1, "groenvoorziening": 1}
    assert facets["region"] == {"Drenthe": 1, "Twente": 1}


def test_certification_and_pso_level_filter_listings_by_their_organisation(supplier):
    make_verified_certificate(supplier, "trede_2", date.today() + timedelta(days=300))
    plain = directory_org("Gewone Sociale Onderneming", kind="social_enterprise")
    listed(supplier, title="Schoonmaak werkbedrijf")
    listed(plain, title="Schoonmaak sociale onderneming")

    assert titles(search.search("", Filters(kind=("offering",), pso=("trede_2",)))) == [
        "Schoonmaak werkbedrijf"
    ]
    werkbedrijf = search.search("", Filters(kind=("offering",), certification=("werkbedrijf",)))
    assert titles(werkbedrijf) == ["Schoonmaak werkbedrijf"]
    assert werkbedrijf.facets["pso"] == {"trede_2": 1}


def test_sort_by_newest_and_by_closing_date(supplier):
    day = date(2027, 1, 1)
    listed(supplier, title="Later sluitend", expires_on=day + timedelta(days=30))
    listed(supplier, title="Zonder datum")
    listed(supplier, title="Eerst sluitend", expires_on=day)
    offerings = Filters(kind=("offering",))

    assert titles(search.search("", offerings, "closing")) == [
        "Eerst sluitend",
        "Later sluitend",
        "Zonder datum",
    ]
    assert titles(search.search("", offerings, "newest")) == [
        "Eerst sluitend",
        "Zonder datum",
        "Later sluitend",
    ]


def test_relevance_puts_the_better_match_first(supplier):
    listed(supplier, title="Groenonderhoud", sector="groenvoorziening", description="ook schoon")
    listed(supplier, title="Schoonmaak", description="Schoonmaak, schoonmaken en nog eens schoon")
    found = search.search("schoonmaak", Filters(kind=("offering",)))
    assert found.sort == "relevance"
    assert titles(found)[0] == "Schoonmaak"


def test_pages_split_the_results(supplier):
    for n in range(5):
        listed(supplier, title=f"Schoonmaak {n}")
    first = search.search("schoonmaak", Filters(kind=("offering",)), "newest", 1, per_page=2)
    last = search.search("schoonmaak", Filters(kind=("offering",)), "newest", 3, per_page=2)
    assert (first.total, first.pages, len(first.items), len(last.items)) == (5, 3, 2, 1)
    assert titles(first) == ["Schoonmaak 4", "Schoonmaak 3"]


def test_counts_follow_a_new_listing_at_once_in_this_process(supplier):
    listed(supplier, title="Schoonmaak een")
    assert search.search("schoonmaak", Filters(kind=("offering",))).total == 1
    listed(supplier, title="Schoonmaak twee")
    assert search.search("schoonmaak", Filters(kind=("offering",))).total == 2


def test_the_counts_by_kind_are_kept_and_follow_a_new_listing_at_once(supplier):
    assert search.counts_by_kind() == {"organisation": 1}
    with counting_statements(db.engine) as statements:
        assert search.counts_by_kind() == {"organisation": 1}
    listed(supplier, title="Schoonmaak een")

    assert statements.count == 0
    assert search.counts_by_kind() == {"organisation": 1, "offering": 1}


def test_reindexing_rebuilds_the_same_index(supplier, runner):
    listed(supplier, title="Schoonmaak van kantoren")
    listed(supplier, title="Verborgen", status="draft")
    before = search.search("schoonm", Filters())

    result = runner.invoke(args=["reindex-search"])

    assert result.exit_code == 0, result.output
    assert "offering: 1" in result.output
    after = search.search("schoonm", Filters())
    assert (titles(after), after.total) == (titles(before), before.total)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_finds_nothing_or_something_but_never_fails(supplier, text):
    listed(supplier, title="Schoonmaak van kantoren")
    found = search.search(text, Filters(kind=(text[:60],), sector=(text[:60],)))
    assert found.total >= 0
    assert search.search(text).total >= 0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_any_text_searches_without_error(supplier, text):
    search.search(text)
    search.directory(text, Filters(region=(text,)))


def test_the_listings_service_indexes_every_save(supplier):
    from marketplace import clock
    from marketplace.services import listings
    from tests.factories import make_listing

    listing = make_listing(supplier, title="Schoonmaak via de dienst")
    offerings = Filters(kind=("offering",))
    assert titles(search.search("schoonmaak", offerings)) == ["Schoonmaak via de dienst"]

    listings.move(listing, supplier.members[0].user, "pause", clock.today())

    assert search.search("schoonmaak", offerings).total == 0


def documents_by_hand(text=None) -> list[dict]:
    """Every indexed document matching `text`'s words with its filter values, read plainly, to
    count by hand what search() counts in SQL."""
    from sqlalchemy import select

    from marketplace.domain.search_text import parse_query
    from marketplace.models import SearchDocument

    query = parse_query(text)
    stmt = select(SearchDocument).where(*search._matching(query, Filters()))
    return [
        {
            "kind": (d.kind,),
            "type": (d.type,),
            "pso": (d.pso,),
            "sector": tuple(d.sectors),
            "region": tuple(d.regions),
            "certification": tuple(d.certifications),
        }
        for d in db.session.scalars(stmt)
    ]


def counts_by_hand(documents: list[dict], filters: Filters) -> tuple[int, dict]:
    """The total and, per facet, the documents holding each value among those matching every
    other chosen facet (a facet's own choice does not narrow its counts)."""
    chosen = filters.chosen()

    def matches(doc, skip=None):
        return all(set(doc[f]) & set(v) for f, v in chosen.items() if f != skip)

    facets: dict[str, dict[str, int]] = {}
    for facet in search.FACETS:
        for doc in documents:
            if matches(doc, skip=facet):
                for value in set(doc[facet]) - {""}:
                    facets.setdefault(facet, {})[value] = facets.get(facet, {}).get(value, 0) + 1
    return sum(1 for doc in documents if matches(doc)), facets


@pytest.fixture
def market(app):
    """A small marketplace of the bench's shape: listings of every kind, type, sector and
    region, organisations with several sectors and regions, certifications and PSO levels."""
    from bench.seed import seed_market

    seed_market(400, 30)


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("", {}),
        ("team", {}),
        ("", {"kind": ("offering",), "sector": ("schoonmaak",)}),
        ("team", {"region": ("Twente", "Drenthe", "Groningen"), "certification": ("werkbedrijf",)}),
        ("", {"kind": ("organisation",), "sector": ("groenvoorziening", "schoonmaak")}),
        ("", {"pso": ("trede_1", "trede_2", "trede_3", "pso_30_plus"), "type": ("service",)}),
        ("schoonm", {"kind": ("demand", "organisation"), "region": ("Twente", "Groot Amsterdam")}),
    ],
)
def test_the_total_and_every_facet_count_equal_those_counted_by_hand(market, text, chosen):
    filters = Filters(**chosen)
    total, facets = counts_by_hand(documents_by_hand(text), filters)

    found = search.search(text, filters)

    assert (found.total, found.total_exact, found.facets_exact) == (total, True, True)
    assert found.facets == (facets if total else {})


def test_a_query_past_the_count_limit_says_more_and_estimates_its_counts(market, monkeypatch):
    """Past COUNT_LIMIT the total says "more than" and the facet counts are those of the first
    FACET_SAMPLE documents scaled up: on PostgreSQL to the planner's estimate of all matches, on
    SQLite (no estimate) to the documents read; either way marked as estimates."""
    from tests import backends

    documents = documents_by_hand("team")
    limit = len(documents) // 4
    monkeypatch.setattr(search, "COUNT_LIMIT", limit)
    monkeypatch.setattr(search, "FACET_SAMPLE", len(documents) // 10)

    found = search.search("team")

    assert (found.total, found.total_exact, found.facets_exact) == (limit, False, False)
    by_kind = sum(found.facets["kind"].values())
    if backends.backend() == "postgresql":
        assert abs(by_kind - len(documents)) <= len(documents) * 0.25
    else:  # scaled from the sample to the documents read, give or take rounding
        assert abs(by_kind - (limit + 1)) <= 3
    assert search.search("team", Filters(kind=("demand",))).total_exact is False


def test_a_filtered_facet_past_the_limit_is_estimated_and_the_total_stays_exact(
    market, monkeypatch
):
    documents = documents_by_hand("")
    demand = sum(1 for doc in documents if doc["kind"] == ("demand",))
    monkeypatch.setattr(search, "COUNT_LIMIT", demand + 1)

    found = search.search("", Filters(kind=("demand",)))

    assert (found.total, found.total_exact, found.facets_exact) == (demand, True, False)


def test_the_nightly_rebuild_drops_a_pso_level_that_lapsed(supplier):
    import time_machine

    from marketplace import clock
    from marketplace.services import jobs

    make_verified_certificate(supplier, "trede_3", clock.today() + timedelta(days=1))
    listed(supplier, title="Schoonmaak met PSO")
    by_level = Filters(kind=("offering",), pso=("trede_3",))
    assert search.search("", by_level).total == 1

    with time_machine.travel(clock.today() + timedelta(days=3), tick=False):
        jobs.nightly_reindex_search()
        assert search.search("", by_level).total == 0


def test_counts_are_kept_in_redis_for_every_process_and_forgotten_on_a_write(
    supplier, app, monkeypatch
):
    """With a Redis, a count made by one process serves the others (here: this process with its
    memory emptied and counting forbidden), until a write to the index moves the version."""
    from tests import backends

    if not backends.redis_url():
        pytest.skip("TEST_REDIS_URL is not set: the shared counts need a Redis server")
    monkeypatch.setitem(app.config, "REDIS_URL", backends.redis_url())
    monkeypatch.setitem(app.config, "REDIS_PREFIX", backends.redis_prefix() + "counts-")
    app.extensions.pop("search_cache_redis", None)
    offerings = Filters(kind=("offering",), sector=("schoonmaak", "groenvoorziening"))
    listed(supplier, title="Schoonmaak een")
    assert search.search("schoonmaak", offerings).total == 1

    counted = search._count
    monkeypatch.setattr(search, "_count", lambda *_: pytest.fail("counted again"))
    app.extensions.pop("search_counts", None)
    same = Filters(kind=("offering",), sector=("groenvoorziening", "schoonmaak"))
    assert search.search("schoonmaak", same).total == 1

    monkeypatch.setattr(search, "_count", counted)
    listed(supplier, title="Schoonmaak twee")
    assert search.search("schoonmaak", offerings).total == 2


def test_a_redis_that_does_not_answer_leaves_the_counts_to_memory(supplier, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # discard: refused
    app.extensions.pop("search_cache_redis", None)
    offerings = Filters(kind=("offering",))
    listed(supplier, title="Schoonmaak een")
    assert search.search("schoonmaak", offerings).total == 1
    listed(supplier, title="Schoonmaak twee")
    assert search.search("schoonmaak", offerings).total == 2
    app.extensions.pop("search_cache_redis", None)
