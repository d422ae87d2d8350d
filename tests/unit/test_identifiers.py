"""The comparison key of candidate references and invoice numbers (docs/domain.md "Realisations,
approval and no double counting"): two spellings of one identifier have one key."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.identifiers import identifier_key

INVISIBLE_AND_SEPARATORS = [
    "-",
    "_",
    ".",
    "/",
    " ",
    "\u00a0",  # no-break space
    "\u2009",  # thin space
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u00ad",  # soft hyphen
    "\u2010",  # hyphen
    "\u2011",  # non-breaking hyphen
    "\u2012",  # figure dash
    "\u2013",  # en dash
    "\u2014",  # em dash
    "\u2212",  # minus sign
    "\ufe63",  # small hyphen-minus
    "\uff0d",  # fullwidth hyphen-minus
]


@pytest.mark.parametrize(
    "spelling",
    ["dup-same", "DUP-SAME", "Dup_Same", "dupsame", "DUP.SAME", "dup same", "ｄｕｐ－ｓａｍｅ"],
)
def test_spellings_of_one_candidate_have_one_key(spelling):
    assert identifier_key(spelling) == "dupsame"


@pytest.mark.parametrize(
    "spelling",
    [
        "f-2026-001",
        "F2026001",
        "F-2026-001",
        "F\u20132026\u2013001",  # en dashes
        "F2026\u200b001",  # zero-width space
        "F 2026 001",
        "F/2026/001",
        "\ufeffF2026001\u200b",
    ],
)
def test_spellings_of_one_invoice_number_have_one_key(spelling):
    assert identifier_key(spelling) == "f2026001"


@pytest.mark.parametrize(
    ("one", "other"),
    [("F2026001", "F2026010"), ("KAND-1", "KAND-11"), ("A-1", "A-7"), ("0001", "001")],
)
def test_different_identifiers_keep_different_keys(one, other):
    assert identifier_key(one) != identifier_key(other)


def test_nothing_but_separators_has_an_empty_key():
    assert identifier_key(" -\u200b– ") == ""


identifiers = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
)
ascii_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@given(identifiers)
def test_the_key_of_a_key_is_itself(value):
    key = identifier_key(value)
    assert identifier_key(key) == key


@given(identifiers)
def test_a_key_holds_no_separator_space_or_invisible_character(value):
    for ch in identifier_key(value):
        assert ch not in "-_./\\"
        assert unicodedata.category(ch) not in ("Pd", "Zs", "Cf", "Cc")


@given(ascii_words, st.lists(st.sampled_from(INVISIBLE_AND_SEPARATORS), max_size=6), st.data())
def test_separators_and_invisible_characters_anywhere_do_not_change_the_key(word, extra, data):
    spelled = list(word)
    for ch in extra:
        spelled.insert(data.draw(st.integers(0, len(spelled))), ch)
    assert identifier_key("".join(spelled)) == identifier_key(word)


@given(ascii_words)
def test_case_does_not_change_the_key(word):
    assert identifier_key(word.upper()) == identifier_key(word.lower()) == word.lower()
