"""The search index: one row per public listing or listed organisation, with its filter values
as columns of its own (docs/architecture.md "Search"). Written only by services/search.py.

A filter value that is one per document is a plain column (`kind`, `type`, `pso`); sector,
region and certification may be several per document (an organisation's sectors and regions,
the certifications behind a listing), so they are `FacetValues` lists: a `text[]` with a GIN
index on PostgreSQL, a JSON array on SQLite. A listing's `sectors` is `[sector]` and its
`regions` `[region]`: filtering reads the lists for every kind, counting reads the scalar column
for listings and the lists only for organisations (cheaper than unnesting every row).

`terms` is the full text as the engine needs it: a PostgreSQL `tsvector` (the `dutch` stems
plus the `simple` words, for prefixes) with a GIN index, or on SQLite the stems and words of
domain/search_text.py, which the FTS5 table `search_fts` indexes (external content, kept in
step by triggers). Those engine objects are not SQLAlchemy tables: `ENGINE_OBJECTS` names them
for Alembic's comparison, and `create_all` makes them through the DDL events below. A future
SQLite batch migration of `search_documents` recreates the table and so drops the triggers: it
must run `SQLITE_FTS_DDL` again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from marketplace.extensions import db


class SearchTerms(TypeDecorator):
    """`tsvector` on PostgreSQL, the space-separated stems and words as text elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class FacetValues(TypeDecorator):
    """A list of filter values: `varchar(60)[]` on PostgreSQL (GIN-indexed, `&&` to filter,
    `unnest` to count), a JSON array elsewhere (`json_each` for both)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String(60)))
        return dialect.type_descriptor(JSON())


def _gin(name: str, column: str) -> Index:
    return Index(name, column, postgresql_using="gin").ddl_if(dialect="postgresql")


class SearchDocument(db.Model):
    """What a search result shows and sorts on, copied from the listing or organisation so that
    a results page reads one table."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        _gin("ix_search_documents_terms", "terms"),
        _gin("ix_search_documents_sectors", "sectors"),
        _gin("ix_search_documents_regions", "regions"),
        _gin("ix_search_documents_certifications", "certifications"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(300), default="")
    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_slug: Mapped[str] = mapped_column(String(140))
    sector: Mapped[str] = mapped_column(String(40), default="")
    type: Mapped[str] = mapped_column(String(20), default="")
    region: Mapped[str] = mapped_column(String(60), default="")
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    volume: Mapped[str] = mapped_column(String(80), default="")
    closes_on: Mapped[date | None] = mapped_column(index=True)
    published_at: Mapped[datetime] = mapped_column(index=True)
    terms: Mapped[str] = mapped_column(SearchTerms())
    # The filter values (see the module's docstring); "" is no PSO level.
    pso: Mapped[str] = mapped_column(String(20), default="", index=True)
    sectors: Mapped[list[str]] = mapped_column(FacetValues(), default=list)
    regions: Mapped[list[str]] = mapped_column(FacetValues(), default=list)
    certifications: Mapped[list[str]] = mapped_column(FacetValues(), default=list)
    # A network-only listing's network: found only by its members (services/search.py); NULL
    # for everything anyone may find. A copy of the listing's column, like the others.
    network_id: Mapped[int | None]


SQLITE_FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "terms, content='search_documents', content_rowid='id')",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, terms) VALUES ('delete', old.id, old.terms); "
    "INSERT INTO search_fts(rowid, terms) VALUES (new.id, new.terms); END",
)
SQLITE_FTS_DROP = ("DROP TABLE IF EXISTS search_fts",)
# FTS5's own tables (the triggers go with search_documents), and the PostgreSQL-only indexes.
ENGINE_OBJECTS = frozenset(
    {
        "search_fts",
        "search_fts_data",
        "search_fts_idx",
        "search_fts_docsize",
        "search_fts_config",
        "ix_search_documents_terms",
        "ix_search_documents_sectors",
        "ix_search_documents_regions",
        "ix_search_documents_certifications",
    }
)


def described_by_models(object_, name: str | None, type_: str, reflected: bool, other) -> bool:
    """Alembic's `include_object`: leave out the search engine's own objects, which the
    migrations make per backend and the models describe for one backend only (or not at all)."""
    return name not in ENGINE_OBJECTS


for statement in SQLITE_FTS_DDL:
    event.listen(
        SearchDocument.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite")
    )
for statement in SQLITE_FTS_DROP:
    event.listen(
        SearchDocument.__table__, "before_drop", DDL(statement).execute_if(dialect="sqlite")
    )
