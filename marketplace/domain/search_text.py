"""Dutch search text: words, stems and safe full-text queries (docs/architecture.md "Search").

The same words and stems go into the index and into a query, on both database engines:
PostgreSQL's `dutch` text-search configuration and, on SQLite, FTS5 fed with stems computed
here by Snowball's `dutch_porter`, the algorithm PostgreSQL's `dutch` uses ("schoonmaken" and
"schoonmaak" both become `schoonmak`). The newer Snowball `dutch` stemmer differs from it
(kantoren → kantoor), so it is not used.

Choices where the rules are silent:
- A word is a run of letters and digits (Unicode); everything else separates words, so quotes,
  operators (`NEAR(`, `title:`, `*`, `-`), NUL, emoji and markup never reach a query engine.
  Words are lower-cased; accents are kept (PostgreSQL's `dutch` keeps them too).
- A query is at most `MAX_QUERY_CHARS` characters and `MAX_TERMS` words of at most
  `MAX_WORD_CHARS` characters; the rest is ignored, so a pasted essay costs no more than a line.
- Every query word matches a document when its stem is one of the document's stems **or** it is
  the beginning of one of the document's words: the prefix gives type-ahead ("schoonm") and finds
  compounds that stemming does not split ("schoonmaak" finds "schoonmaakbedrijf"). All words
  must match (AND).
- A query with text but no words left (only quotes or emoji) finds nothing; an empty query
  finds everything (browsing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MAX_WORD_CHARS",
    "QueryTerm",
    "SearchQuery",
    "document_terms",
    "fts5_match",
    "parse_query",
    "stem",
    "words",
]

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_WORD_CHARS = 40
# A document is indexed on its first this many characters (a description is at most a few pages).
MAX_DOCUMENT_CHARS = 20_000

# Letters and digits of any script; "_" is a word character to `\w` but an operator nowhere here.
_WORD = re.compile(r"[^\W_]+")
_STEMMER_ALGORITHM = "dutch_porter"


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_ALGORITHM)


def words(text: str, *, limit: int | None = None) -> list[str]:
    """The lower-cased words of `text`, each cut to `MAX_WORD_CHARS`, at most `limit` of them."""
    found = []
    for match in _WORD.finditer(text.lower()):
        found.append(match.group()[:MAX_WORD_CHARS])
        if limit is not None and len(found) >= limit:
            break
    return found


def stem(word: str) -> str:
    """The `dutch_porter` stem of one lower-case word (as PostgreSQL's `dutch` makes it)."""
    return _stemmer().stemWord(word)


def document_terms(*texts: str) -> str:
    """What the SQLite index holds for a document: its distinct stems and words, space-separated.

    Stems serve the stemmed match, the words the prefix match (see the module's choices)."""
    found = words(" ".join(texts)[:MAX_DOCUMENT_CHARS])
    unique = dict.fromkeys(found)
    stems = dict.fromkeys(_stemmer().stemWords(list(unique)))
    return " ".join(dict.fromkeys([*stems, *unique]))


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query: the word as typed (lower-cased) and its stem."""

    word: str
    stem: str


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query. `blank`: nothing was typed (browse everything); `terms` empty while not
    blank: something was typed but no word survived, so nothing matches."""

    terms: tuple[QueryTerm, ...]
    blank: bool

    @property
    def finds_nothing(self) -> bool:
        return not self.blank and not self.terms


def parse_query(text: str | None) -> SearchQuery:
    """Tokenise user text into at most `MAX_TERMS` distinct words with their stems; never raises."""
    text = (text or "")[:MAX_QUERY_CHARS]
    found = list(dict.fromkeys(words(text, limit=MAX_TERMS)))
    return SearchQuery(
        terms=tuple(QueryTerm(w, stem(w)) for w in found),
        blank=not text.strip(),
    )


def _fts5_string(value: str) -> str:
    """An FTS5 string literal: double quotes, inner ones doubled (the words hold none, but the
    quoting must not depend on that)."""
    return '"' + value.replace('"', '""') + '"'


def fts5_match(query: SearchQuery) -> str:
    """The SQLite FTS5 MATCH expression for a query with terms: per word its stem or a prefix
    of a word, all words required. Built only from quoted words, so no user text is syntax."""
    return " AND ".join(f"({_fts5_string(t.stem)} OR {_fts5_string(t.word)}*)" for t in query.terms)
