"""Dutch search text: words, stems, and queries built so that no user text is query syntax."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.search_text import (
    MAX_TERMS,
    MAX_WORD_CHARS,
    document_terms,
    fts5_match,
    parse_query,
    stem,
    words,
)

HOSTILE = [
    '"',
    '""',
    "'",
    "NEAR(",
    "NEAR(a b",
    "title:",
    "title:schoonmaak",
    "*",
    "schoon*",
    "-",
    "^",
    "a AND OR NOT",
    "(((",
    "\x00",
    "\x00schoon\x00",
    "🧹🧽",
    "<script>alert(1)</script>",
    "x" * 10_000,
    "schoonmaak " * 5_000,
    "\ud800",
    "'; DROP TABLE listings; --",
    ":*",
    "a:* & !b | c <-> d",
]


@pytest.mark.parametrize(
    ("one", "other"),
    [("schoonmaken", "schoonmaak"), ("kantoren", "kantoor"), ("groenvoorziening", "groen")],
)
def test_dutch_forms_share_a_stem_like_postgresqls_dutch(one, other):
    """dutch_porter, PostgreSQL's algorithm: kantoren and kantoor share `kantor`."""
    if other == "groen":
        assert stem(one) != stem(other)
    else:
        assert stem(one) == stem(other)


def test_words_are_lower_case_letters_and_digits_only():
    assert words('Schoonmaak, "groen"-onderhoud & 3 fte! café') == [
        "schoonmaak",
        "groen",
        "onderhoud",
        "3",
        "fte",
        "café",
    ]


def test_underscore_separates_words():
    assert words("title_schoonmaak") == ["title", "schoonmaak"]


def test_a_query_keeps_at_most_max_terms_distinct_words_of_bounded_length():
    query = parse_query(" ".join(f"woord{i}" for i in range(20)) + " " + "z" * 100)
    assert len(query.terms) == MAX_TERMS
    assert parse_query("a" * 100).terms[0].word == "a" * MAX_WORD_CHARS
    assert [t.word for t in parse_query("groen groen Groen").terms] == ["groen"]


def test_blank_query_browses_and_wordless_query_finds_nothing():
    assert parse_query("   ").blank and not parse_query("   ").finds_nothing
    assert parse_query(None).blank
    assert parse_query('"*"').finds_nothing
    assert parse_query("🧹").finds_nothing


def test_document_terms_hold_stems_and_words_for_prefix_matching():
    terms = document_terms("Schoonmaken van kantoren", "Schoonmaak").split()
    assert {"schoonmak", "kantor", "schoonmaken", "kantoren", "schoonmaak"} <= set(terms)
    assert len(terms) == len(set(terms))


def test_fts5_expression_quotes_every_word():
    assert fts5_match(parse_query("Schoonmaken kantoor")) == (
        '("schoonmak" OR "schoonmaken"*) AND ("kantor" OR "kantoor"*)'
    )


def _fts5_connection(text: str = "Schoonmaak van kantoren") -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(terms)")
    connection.execute("INSERT INTO t(terms) VALUES (?)", (document_terms(text),))
    return connection


def _found(connection: sqlite3.Connection, text: str) -> bool:
    match = fts5_match(parse_query(text))
    return connection.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()[0]


@pytest.mark.parametrize("text", ["schoonmaken", "schoonm", "Schoonmaak", "kantoor", "kantoren"])
def test_fts5_finds_by_stem_and_by_prefix(text):
    assert _found(_fts5_connection(), text)


def test_fts5_finds_a_compound_by_its_first_word_but_not_by_another_form_of_it():
    """Stemming does not split compounds; the prefix finds them from the word as it starts."""
    compound = _fts5_connection("Schoonmaakbedrijf")
    assert _found(compound, "schoonmaak")
    assert not _found(compound, "schoonmaken")


def test_every_word_must_match():
    assert not _found(_fts5_connection(), "schoonmaak groen")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_parses_and_fts5_accepts_the_expression(text):
    query = parse_query(text)
    if query.terms:
        _fts5_connection().execute(
            "SELECT count(*) FROM t WHERE t MATCH ?", (fts5_match(query),)
        ).fetchone()


@given(st.text(max_size=300))
def test_any_text_parses_and_gives_a_valid_fts5_expression(text):
    query = parse_query(text)
    assert len(query.terms) <= MAX_TERMS
    document_terms(text)
    if query.terms:
        _fts5_connection().execute(
            "SELECT count(*) FROM t WHERE t MATCH ?", (fts5_match(query),)
        ).fetchone()
