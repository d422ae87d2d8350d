"""Search over demand, offerings and organisations: one interface, two engines
(docs/architecture.md "Search").

The index (models/search.py) holds what may be found: listings that are open or in
conversation, and verified social enterprises and werkbedrijven. A network-only listing's row
carries its network (`network_id`): the shared search reads only rows without one, and a
viewer whose organisations have member features in networks (`networks`) also those of their
networks, through one more condition on the same statements. `index_listing` and
`index_organisation` put a row in or take it out in the caller's transaction; the listings and
organisations services call them on every save, so the index never shows a draft.

Choices where the rules are silent:
- Relevance on PostgreSQL ranks the `RANK_CANDIDATES` newest matches with `ts_rank` (a broad
  word matches tens of thousands of listings; ranking them all costs more than the page), SQLite
  ranks every match with FTS5's bm25. Without words the sort is newest first.
- The total and the facet counts come from one statement over at most `COUNT_LIMIT` + 1 matching
  documents per part (the matches, and per chosen facet the matches of the other filters), read
  once from the table and grouped per facet from there. Below the limit every count is exact;
  past it the total says "more than 10.000", and that part's facet counts are those of its first
  `FACET_SAMPLE` documents scaled up to PostgreSQL's estimate of the whole (one `EXPLAIN`; the
  page marks them "about"): grouping is the dear part, and a broad word's counts are estimates
  anyway. SQLite has no estimate to ask: its counts past the limit are scaled to the documents
  read, also marked "about".
- The total and the facet counts of a query and its filters are kept `COUNTS_SECONDS` seconds
  (services/search_cache.py: in Redis, shared by the processes, when the app has one; else in
  the process), the results themselves never are. A write to the index forgets them in every
  process sharing the Redis (in this process only without one: the others see new counts at
  most that much later).
- A facet's counts ignore that facet's own filter (choosing "Schoonmaak" still shows how many
  "Groen" would give), and apply all the other filters.
- Pages stop at `MAX_PAGE`: past a thousand results, a narrower query finds faster than paging.
- The front page, a profile's offerings and the counts by kind show what anyone may find: no
  network-only rows, whoever looks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import (
    CTE,
    ClauseElement,
    ColumnElement,
    Executable,
    Integer,
    Select,
    String,
    TextClause,
    case,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles

from marketplace import clock
from marketplace.domain import certification
from marketplace.domain.search_text import SearchQuery, document_terms, fts5_match, parse_query
from marketplace.domain.taxonomy import SECTORS
from marketplace.extensions import db
from marketplace.models import (
    Listing,
    Organisation,
    OrganisationCertification,
    PsoCertificate,
    SearchDocument,
)
from marketplace.services import search_cache

FACETS = ("kind", "sector", "type", "region", "certification", "pso")
# Facets with one value per document are columns of their own; the others are lists
# (models/search.py), of which a listing's sector and region are also a column.
SINGLE_VALUED = ("kind", "type", "pso")
LISTS = {"sector": "sectors", "region": "regions", "certification": "certifications"}
LISTING_COLUMNS = ("sector", "region")
KINDS = ("demand", "offering", "organisation")
SORTS = ("relevance", "newest", "closing", "name")
# Listings anyone may find, and the organisations the directory lists.
FINDABLE_STATUSES = ("open", "in_conversation")
DIRECTORY_KINDS = ("social_enterprise", "werkbedrijf")
PER_PAGE = 20
MAX_PAGE = 50
RANK_CANDIDATES = 500
COUNTS_SECONDS = 60
# Past this, the total says "more than" and the facet counts are estimated from a sample.
COUNT_LIMIT = 10_000
FACET_SAMPLE = 1_000
# A filter takes this many values per facet, each this long; more is not a real filter.
MAX_FILTER_VALUES = 40
MAX_FILTER_CHARS = 60
SUMMARY_CHARS = 280

_fts = table("search_fts", column("rowid"), column("rank"))
_documents = SearchDocument.__table__


@dataclass(frozen=True)
class Filters:
    """Chosen values per facet: a document matches one of the values of every facet given."""

    kind: tuple[str, ...] = ()
    sector: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    certification: tuple[str, ...] = ()
    pso: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args: Mapping[str, Iterable[str]]) -> Filters:
        """From query arguments (facet → values), bounded in number and length; never fails.
        Unknown values stay: they match nothing, as a filter for an unknown sector should."""
        chosen = {}
        for name in FACETS:
            values = [v.strip() for v in args.get(name, ()) if v and v.strip()]
            kept = dict.fromkeys(v for v in values if len(v) <= MAX_FILTER_CHARS)
            chosen[name] = tuple(kept)[:MAX_FILTER_VALUES]
        return cls(**chosen)

    def chosen(self) -> dict[str, tuple[str, ...]]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def storable(self) -> Filters | None:
        """The filters without values no database can hold (a NUL byte, a lone surrogate);
        None when a facet keeps no value, since such a filter matches nothing."""
        kept = {}
        for facet, values in self.chosen().items():
            kept[facet] = tuple(v for v in values if _storable(v))
            if not kept[facet]:
                return None
        return Filters(**kept)

    def without(self, facet: str) -> Filters:
        return Filters(**{**self.chosen(), facet: ()})


def _storable(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Hit:
    """One result as a page shows it: enough to link to it and describe it without another
    query. `ref_id` is the listing's or the organisation's id."""

    kind: str
    ref_id: int
    title: str
    summary: str
    organisation_name: str
    organisation_slug: str
    sector: str
    type: str
    region: str
    amount_cents: int | None
    volume: str
    closes_on: date | None
    published_at: datetime
    network_id: int | None = None


@dataclass(frozen=True)
class Results:
    """A page of results. `total_exact`: False when there are more than `total` (COUNT_LIMIT);
    `facets_exact`: False when some facet counts were estimated (more than COUNT_LIMIT
    documents to count)."""

    items: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    page: int
    per_page: int
    sort: str
    filters: Filters = field(default_factory=Filters)
    total_exact: bool = True
    facets_exact: bool = True

    @property
    def pages(self) -> int:
        return min(max(math.ceil(self.total / self.per_page), 1), MAX_PAGE)


def search(
    text_: str | None,
    filters: Filters = Filters(),  # noqa: B008 (frozen, so a shared default is safe)
    sort: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    networks: frozenset[int] = frozenset(),
) -> Results:
    """One page of documents matching the words of `text_` (domain/search_text.py) and the
    filters, with the total and the facet counts; network-only listings of `networks` (where
    the viewer may use member features) too. Hostile text finds nothing; it never raises."""
    query = parse_query(text_)
    sort = sort if sort in SORTS else ("relevance" if query.terms else "newest")
    if sort == "relevance" and not query.terms:
        sort = "newest"
    page = min(max(page, 1), MAX_PAGE)
    storable = filters.storable()
    if query.finds_nothing or storable is None:
        return Results([], 0, {}, page, per_page, sort, filters)
    filters = storable
    seen = _Seen(frozenset(networks))
    counts = _counts(query, filters, seen)
    items = _page(query, filters, seen, sort, page, per_page) if counts.total else []
    return Results(
        items,
        counts.total,
        counts.facets,
        page,
        per_page,
        sort,
        filters,
        counts.total_exact,
        counts.facets_exact,
    )


def directory(
    text_: str | None,
    filters: Filters = Filters(),  # noqa: B008
    sort: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Results:
    """The directory: `search` over organisations only, by name unless asked otherwise."""
    listed = Filters(**{**filters.chosen(), "kind": ("organisation",)})
    has_words = bool(parse_query(text_).terms)
    return search(text_, listed, sort or ("relevance" if has_words else "name"), page, per_page)


def newest(kind: str, limit: int = 5, organisation_id: int | None = None) -> list[Hit]:
    """The newest findable documents of one kind (the front page), or of one organisation (its
    open offerings on its directory profile)."""
    stmt = _hit_select().where(SearchDocument.kind == kind, SearchDocument.network_id.is_(None))
    if organisation_id is not None:
        stmt = stmt.where(SearchDocument.organisation_id == organisation_id)
    rows = db.session.execute(
        stmt.order_by(SearchDocument.published_at.desc(), SearchDocument.id.desc()).limit(limit)
    )
    return [Hit(**row._mapping) for row in rows]


def matching_count(text_: str | None) -> int:
    """How many documents match the words of `text_`, counted in full (no COUNT_LIMIT): for the
    benchmark to show its broad query is broad; a page never needs it."""
    query = parse_query(text_)
    if query.finds_nothing:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(SearchDocument).where(*_matching(query, Filters()))
    )


def counts_by_kind() -> dict[str, int]:
    """How many documents of each kind anyone can find now: the front page's directory size.
    Counting the whole index is the front page's dearest statement, so the counts are kept like
    a query's (COUNTS_SECONDS, forgotten on every write to the index)."""
    key = ["counts by kind"]
    value, version = search_cache.kept(key)
    if value is not None:
        return value
    rows = db.session.execute(
        select(SearchDocument.kind, func.count())
        .where(SearchDocument.network_id.is_(None))
        .group_by(SearchDocument.kind)
    )
    counts = {kind: n for kind, n in rows}
    search_cache.keep(key, counts, version, COUNTS_SECONDS)
    return counts


# --- reading ---------------------------------------------------------------------------------


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _tsquery(query: SearchQuery) -> ColumnElement:
    """Per word: its `dutch` stems or a `simple` prefix of a word; all words required. The words
    are bound parameters of letters and digits only (domain/search_text.py), so `:*` is the
    only syntax `to_tsquery` sees."""
    dutch = literal_column("'dutch'::regconfig")
    simple = literal_column("'simple'::regconfig")
    parts = [
        func.plainto_tsquery(dutch, t.word).op("||")(func.to_tsquery(simple, t.word + ":*"))
        for t in query.terms
    ]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


def _fts5_condition(query: SearchQuery) -> ColumnElement:
    """`search_fts MATCH :expression`, the expression built from quoted words only."""
    return literal_column("search_fts").op("MATCH")(fts5_match(query))


@dataclass(frozen=True)
class _Seen:
    """Which rows a viewer may find: those of no network, and those of `networks`."""

    networks: frozenset[int] = frozenset()

    def condition(self) -> ColumnElement:
        public = SearchDocument.network_id.is_(None)
        if not self.networks:
            return public
        return or_(public, SearchDocument.network_id.in_(sorted(self.networks)))


# What anyone may find: the shared search.
PUBLIC = _Seen()


def _filter_conditions(filters: Filters) -> list[ColumnElement]:
    """One condition per chosen facet: the document holds one of its values."""
    return [_holds(facet, values) for facet, values in filters.chosen().items()]


def _holds(facet: str, values: tuple[str, ...]) -> ColumnElement:
    if facet in SINGLE_VALUED:
        return getattr(SearchDocument, facet).in_(values)
    listed = getattr(SearchDocument, LISTS[facet])
    if _postgres():
        return listed.op("&&")(literal(list(values), ARRAY(String(60))))
    each = func.json_each(listed).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value.in_(values)))


def _matching(query: SearchQuery, filters: Filters, seen: _Seen = PUBLIC) -> list[ColumnElement]:
    """The conditions on `search_documents` for the words, the filters and what the viewer
    may find."""
    conditions = [*_filter_conditions(filters), seen.condition()]
    if query.terms and _postgres():
        conditions.append(SearchDocument.terms.op("@@")(_tsquery(query)))
    elif query.terms:
        conditions.append(SearchDocument.id.in_(select(_fts.c.rowid).where(_fts5_condition(query))))
    return conditions


def _hit_select() -> Select:
    return select(*(getattr(SearchDocument, f.name) for f in fields(Hit)))


def _page(
    query: SearchQuery, filters: Filters, seen: _Seen, sort: str, page: int, per_page: int
) -> list[Hit]:
    conditions = _matching(query, filters, seen)
    offset = (page - 1) * per_page
    stmt = _hit_select().where(*conditions)
    if sort == "relevance" and _postgres():
        # The newest candidates with everything a result shows and their rank, in one pass;
        # then the best of them.
        candidates = (
            _hit_select()
            .add_columns(func.ts_rank(SearchDocument.terms, _tsquery(query)).label("rank"))
            .where(*conditions)
            .order_by(SearchDocument.published_at.desc())
            .limit(max(RANK_CANDIDATES, offset + per_page))
            .subquery()
        )
        stmt = select(*(candidates.c[f.name] for f in fields(Hit))).order_by(
            candidates.c.rank.desc(), candidates.c.published_at.desc()
        )
    elif sort == "relevance":
        stmt = (
            _hit_select()
            .join(_fts, _fts.c.rowid == SearchDocument.id)
            .where(_fts5_condition(query), *_filter_conditions(filters), seen.condition())
            .order_by(_fts.c.rank, SearchDocument.published_at.desc())
        )
    elif sort == "closing":
        stmt = stmt.order_by(
            SearchDocument.closes_on.is_(None), SearchDocument.closes_on, SearchDocument.id
        )
    elif sort == "name":
        stmt = stmt.order_by(func.lower(SearchDocument.title), SearchDocument.id)
    else:
        stmt = stmt.order_by(SearchDocument.published_at.desc(), SearchDocument.id.desc())
    rows = db.session.execute(stmt.limit(per_page).offset(offset))
    return [Hit(**row._mapping) for row in rows]


@dataclass(frozen=True)
class _Counts:
    total: int
    total_exact: bool
    facets: dict[str, dict[str, int]]
    facets_exact: bool


def _counts(query: SearchQuery, filters: Filters, seen: _Seen) -> _Counts:
    """The total and the facet counts, kept COUNTS_SECONDS (services/search_cache.py) under the
    words and the chosen values in a fixed order."""
    key = [
        [t.word for t in query.terms],
        {f: sorted(v) for f, v in filters.chosen().items()},
        sorted(seen.networks),
    ]
    value, version = search_cache.kept(key)
    if value is not None:
        return _Counts(**value)
    counts = _count(query, filters, seen)
    search_cache.keep(key, asdict(counts), version, COUNTS_SECONDS)
    return counts


@dataclass(frozen=True)
class _Part:
    """Documents to count some facets over: those matching the words and `filters`."""

    facets: tuple[str, ...]
    filters: Filters


def _parts(filters: Filters) -> list[_Part]:
    """The matches (the total and the facets nobody filtered on), then per chosen facet the
    documents matching the other filters, whose values of that facet are its counts."""
    chosen = filters.chosen()
    parts = [_Part(tuple(f for f in FACETS if f not in chosen), filters)]
    return parts + [_Part((facet,), filters.without(facet)) for facet in chosen]


def _count(query: SearchQuery, filters: Filters, seen: _Seen) -> _Counts:
    """All counts in one statement: each part reads at most COUNT_LIMIT + 1 documents once (a
    CTE) and groups them per facet; a part that reached the limit is scaled up to the
    planner's estimate of its size."""
    parts = _parts(filters)
    selects = []
    for index, part in enumerate(parts):
        documents = _documents_of(query, part, seen, f"part_{index}")
        selects.append(_row(index, "", literal(""), documents))
        grouped = _grouped_documents(documents, f"grouped_{index}")
        for facet in part.facets:
            selects += _value_counts(index, facet, grouped)
    sizes: dict[int, int] = {}
    found: dict[int, dict[str, dict[str, int]]] = {}
    for index, facet, value, n in db.session.execute(union_all(*selects)):
        if not facet:
            sizes[index] = n
        elif value:  # "" is no value: no PSO level, an organisation's type
            by_value = found.setdefault(index, {}).setdefault(facet, {})
            by_value[value] = by_value.get(value, 0) + n
    total = sizes[0]
    if not total:
        return _Counts(0, True, {}, True)
    capped = [index for index, size in sizes.items() if size > COUNT_LIMIT]
    estimates = _estimates(query, seen, [parts[i] for i in capped]) if capped else []
    read, sampled = COUNT_LIMIT + 1, min(FACET_SAMPLE, COUNT_LIMIT + 1)
    scale = {i: max(e, read) / sampled for i, e in zip(capped, estimates, strict=True)}
    facets = {
        facet: {v: round(n * scale.get(index, 1)) for v, n in by_value.items()}
        for index, by_facet in found.items()
        for facet, by_value in by_facet.items()
    }
    return _Counts(min(total, COUNT_LIMIT), total <= COUNT_LIMIT, facets, not capped)


def _documents_of(query: SearchQuery, part: _Part, seen: _Seen, name: str) -> CTE:
    """At most COUNT_LIMIT + 1 matching documents with the columns the part counts."""
    wanted = {"kind"}
    for facet in part.facets:
        wanted.add(facet if facet in SINGLE_VALUED else LISTS[facet])
        if facet in LISTING_COLUMNS:
            wanted.add(facet)
    columns = [getattr(SearchDocument, c) for c in sorted(wanted)]
    stmt = select(*columns).where(*_matching(query, part.filters, seen)).limit(COUNT_LIMIT + 1)
    return stmt.cte(name)


def _grouped_documents(documents: CTE, name: str) -> CTE:
    """The documents whose values are grouped: all of them, or the first FACET_SAMPLE when
    there are more than COUNT_LIMIT (the counts are then scaled up)."""
    size = select(func.count()).select_from(documents).scalar_subquery()
    limit = case((size > COUNT_LIMIT, FACET_SAMPLE), else_=COUNT_LIMIT + 1)
    return select(documents).limit(limit).cte(name)


def _row(index: int, facet: str, value: ColumnElement, documents, *group_by) -> Select:
    """One line of the counts: part, facet, value, number of documents."""
    return (
        select(literal(index, Integer), literal(facet, String), value, func.count())
        .select_from(documents)
        .group_by(*group_by)
    )


def _value_counts(index: int, facet: str, documents: CTE) -> list[Select]:
    """Per value of `facet`, how many of `documents` hold it: grouped on the column when one
    per document; for a list, each value of it, except that listings, with one sector and
    region, are grouped on their column and only organisations' lists are unnested."""
    if facet in SINGLE_VALUED:
        column_ = documents.c[facet]
        return [_row(index, facet, column_, documents, column_)]
    each = _each_value(documents.c[LISTS[facet]])
    unnested = _row(index, facet, each.c.value, documents, each.c.value).join(each, true())
    if facet not in LISTING_COLUMNS:
        return [unnested]
    column_ = documents.c[facet]
    organisation = documents.c.kind == "organisation"
    return [
        _row(index, facet, column_, documents, column_).where(~organisation),
        unnested.where(organisation),
    ]


def _each_value(listed: ColumnElement):
    """The values of a list column as a table with a `value` column, per row of its table."""
    if _postgres():
        return func.unnest(listed).table_valued("value").render_derived()
    return func.json_each(listed).table_valued("value")


class _Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON)` of a statement, its parameters bound as the statement's own."""

    inherit_cache = False

    def __init__(self, statement: Select) -> None:
        self.statement = statement


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler, **kw) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def _estimates(query: SearchQuery, seen: _Seen, parts: list[_Part]) -> list[int]:
    """The planner's estimate of each part's number of documents, in one statement; on
    SQLite, which has none, the limit (so nothing is scaled)."""
    if not _postgres():
        return [COUNT_LIMIT + 1] * len(parts)
    selects = [
        select(literal_column("1"))
        .select_from(SearchDocument)
        .where(*_matching(query, p.filters, seen))
        for p in parts
    ]
    stmt = selects[0] if len(selects) == 1 else union_all(*selects)
    plan = db.session.execute(_Explain(stmt)).scalar_one()[0]["Plan"]
    if len(parts) == 1:
        return [int(plan["Plan Rows"])]
    children = plan.get("Plans", [])
    if len(children) != len(parts):  # a plan of another shape: its total for each
        return [int(plan["Plan Rows"])] * len(parts)
    return [int(child["Plan Rows"]) for child in children]


# --- writing ---------------------------------------------------------------------------------


def _forget_counts() -> None:
    search_cache.forget()


def _remove(*conditions: ColumnElement) -> None:
    """Take the documents matching `conditions` out of the index."""
    db.session.execute(delete(SearchDocument).where(*conditions))


@dataclass(frozen=True)
class _Entry:
    """A document to write: its columns (filter values included) and the text its `terms`
    come from."""

    values: dict
    text: str


def _write(entries: list[_Entry]) -> None:
    """Insert documents: one statement however many there are. On PostgreSQL the database
    makes the vector from the text; elsewhere domain/search_text.py."""
    if not entries:
        return
    if _postgres():
        db.session.execute(_postgres_insert(), {"rows": _json_rows(entries)})
    else:
        rows = [{**e.values, "terms": document_terms(e.text)} for e in entries]
        db.session.execute(insert(SearchDocument), rows)


_COPIED = [c for c in _documents.columns if c.name not in ("id", "terms")]


def _json_rows(entries: list[_Entry]) -> str:
    return json.dumps(
        [{**e.values, "search_text": e.text} for e in entries], default=lambda v: v.isoformat()
    )


def _postgres_insert() -> TextClause:
    """One INSERT ... SELECT over the rows as JSON, the vector made in the database: SQLAlchemy
    would send the rows one statement each with the vector as an expression."""
    dialect = db.session.get_bind().dialect
    names = ", ".join(c.name for c in _COPIED)
    types = ", ".join(f"{c.name} {c.type.compile(dialect)}" for c in _COPIED)
    return text(
        f"INSERT INTO search_documents ({names}, terms) SELECT {names}, "
        "to_tsvector('dutch'::regconfig, search_text) || "
        "to_tsvector('simple'::regconfig, search_text) "
        f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({types}, search_text text)"
    )


@dataclass(frozen=True)
class _Standing:
    """An organisation's certification facets on a day (domain/certification.py)."""

    certifications: tuple[str, ...]
    pso: str | None


def _standings(orgs: list[Organisation], today: date) -> dict[int, _Standing]:
    """Certifications (not the PSO credit codes: PSO has a facet of its own) and PSO level of
    each organisation, in two queries however many there are."""
    ids = [o.id for o in orgs]
    held: dict[int, list] = {i: [] for i in ids}
    pso: dict[int, list] = {i: [] for i in ids}
    for c in db.session.scalars(
        select(OrganisationCertification).where(OrganisationCertification.organisation_id.in_(ids))
    ):
        held[c.organisation_id].append(
            certification.HeldCertification(
                c.code, c.valid_from, c.valid_until, c.verified_at is not None
            )
        )
    for p in db.session.scalars(
        select(PsoCertificate).where(PsoCertificate.organisation_id.in_(ids))
    ):
        pso[p.organisation_id].append(
            certification.HeldPsoCertificate(
                p.level, p.valid_until, p.verified_at is not None and p.rejected_at is None
            )
        )
    found = {}
    pso_codes = set(certification.PSO_CREDIT_CODES.values())
    for org in orgs:
        facts = certification.SupplierFacts(
            org.kind, org.is_verified, tuple(held[org.id]), tuple(pso[org.id])
        )
        codes = certification.certifications_on(facts, today) - pso_codes
        found[org.id] = _Standing(tuple(sorted(codes)), certification.pso_level_on(facts, today))
    return found


def _listing_findable(listing: Listing) -> bool:
    """Open or in conversation; a network-only one is written with its network."""
    return listing.status in FINDABLE_STATUSES


def in_directory(org: Organisation) -> bool:
    return org.kind in DIRECTORY_KINDS and org.is_verified


def _listing_entry(listing: Listing, org: Organisation, standing: _Standing) -> _Entry:
    return _Entry(
        {
            "kind": listing.kind,
            "ref_id": listing.id,
            "organisation_id": org.id,
            "title": listing.title[:200],
            "summary": (listing.description or "")[:SUMMARY_CHARS],
            "organisation_name": org.name[:200],
            "organisation_slug": org.slug,
            "sector": listing.sector,
            "type": listing.type,
            "region": listing.region,
            "amount_cents": listing.amount_cents,
            "volume": listing.volume or "",
            "closes_on": listing.expires_on or listing.wanted_by,
            "published_at": listing.published_at or listing.created_at,
            "pso": standing.pso or "",
            "sectors": [listing.sector],
            "regions": [listing.region],
            "certifications": list(standing.certifications),
            "network_id": listing.network_id,
        },
        " ".join(
            (
                listing.title,
                listing.description or "",
                org.name,
                SECTORS.get(listing.sector, ""),
                listing.region,
                listing.volume or "",
            )
        ),
    )


def _organisation_entry(org: Organisation, standing: _Standing) -> _Entry:
    found = [org.arbeidsmarktregio, *(org.regions or [])]
    regions = list(dict.fromkeys(r[:60] for r in found if r))
    sectors = list(dict.fromkeys(s for s in org.sectors or [] if s))
    return _Entry(
        {
            "kind": "organisation",
            "ref_id": org.id,
            "organisation_id": org.id,
            "title": org.name[:200],
            "summary": (org.description or "")[:SUMMARY_CHARS],
            "organisation_name": org.name[:200],
            "organisation_slug": org.slug,
            "sector": sectors[0] if sectors else "",
            "type": "",
            "region": regions[0] if regions else "",
            "amount_cents": None,
            "volume": (org.capacity or "")[:80],
            "closes_on": None,
            "published_at": org.verified_at or org.created_at,
            "pso": standing.pso or "",
            "sectors": sectors,
            "regions": regions,
            "certifications": list(standing.certifications),
            "network_id": None,
        },
        " ".join(
            (
                org.name,
                org.description or "",
                org.city or "",
                " ".join(SECTORS.get(s, "") for s in sectors),
                " ".join(regions),
                org.capacity or "",
            )
        ),
    )


def index_listing(listing: Listing) -> None:
    """Put the listing in the index as it is now, or take it out when nobody else may find it
    (draft, paused, closed...). In the caller's transaction: no commit."""
    db.session.flush()
    _remove(SearchDocument.kind == listing.kind, SearchDocument.ref_id == listing.id)
    if _listing_findable(listing):
        org = listing.organisation
        _write([_listing_entry(listing, org, _standings([org], clock.today())[org.id])])
    _forget_counts()


def index_organisation(org: Organisation) -> None:
    """Put the organisation in the directory as it is now (or take it out), and rewrite its
    findable listings, which show its name and certifications. In the caller's transaction."""
    db.session.flush()
    standing = _standings([org], clock.today())[org.id]
    _remove(SearchDocument.organisation_id == org.id)
    entries = [_organisation_entry(org, standing)] if in_directory(org) else []
    findable = _findable_listings().where(Listing.organisation_id == org.id)
    entries += [_listing_entry(listing, org, standing) for listing in db.session.scalars(findable)]
    _write(entries)
    _forget_counts()


def _findable_listings() -> Select:
    return select(Listing).where(Listing.status.in_(FINDABLE_STATUSES))


def reindex_all(batch: int = 1000) -> dict[str, int]:
    """Rebuild the whole index from the listings and organisations (`flask reindex-search`), in
    one transaction, so searches see the old index until the new one is complete; written
    `batch` documents per statement."""
    today = clock.today()
    db.session.execute(delete(SearchDocument))
    orgs = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    standings = {}
    for start in range(0, len(orgs), batch):
        standings.update(_standings(orgs[start : start + batch], today))
    listed = [_organisation_entry(o, standings[o.id]) for o in orgs if in_directory(o)]
    written = {"organisation": len(listed), "demand": 0, "offering": 0}
    for start in range(0, len(listed), batch):
        _write(listed[start : start + batch])
    by_id = {o.id: o for o in orgs}
    listings = db.session.scalars(
        _findable_listings().order_by(Listing.id).execution_options(yield_per=batch)
    )
    for chunk in listings.partitions():
        _write(
            [
                _listing_entry(x, by_id[x.organisation_id], standings[x.organisation_id])
                for x in chunk
            ]
        )
        for listing in chunk:
            written[listing.kind] += 1
    db.session.commit()
    _forget_counts()
    return written
