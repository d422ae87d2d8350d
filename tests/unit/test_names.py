"""Organisation names that look like an existing organisation (flagged to the admin)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.names import name_key, similar, similar_names


@pytest.mark.parametrize(
    "other",
    [
        "Gemeente Emmen",
        "gemeente  emmen",
        "GEMEENTE EMMEN",
        "Gem. Emmen",
        "Emmen, gemeente",
        "Gemeente Émmen",
        "Gemeente Ernmen",
        "Gemeente Emmen B.V.",
    ],
)
def test_names_like_gemeente_emmen_are_similar(other):
    assert similar("Gemeente Emmen", other)


@pytest.mark.parametrize(
    "other", ["Gemeente Epe", "Gemeente Assen", "Emmen", "Provincie Drenthe", "", "..."]
)
def test_other_organisations_are_not_similar_to_gemeente_emmen(other):
    assert not similar("Gemeente Emmen", other)


def test_names_that_differ_in_a_number_are_different_organisations():
    assert not similar("Stichting Werk 12", "Stichting Werk 13")


def test_key_ignores_case_spacing_punctuation_legal_form_and_word_order():
    assert name_key("Gem.  Emmen B.V.") == name_key("emmen gemeente") == "emmen gemeente"
    assert name_key("V.O.F. De Hoek") == name_key("de hoek")


def test_similar_names_returns_the_keys_of_the_similar_ones_in_order():
    others = [(1, "Gemeente Emmen"), (2, "Gemeente Assen"), (3, "gemeente emmen")]
    assert similar_names("Gem. Emmen", others) == [1, 3]


@given(st.text(max_size=40), st.text(max_size=40))
def test_similarity_is_symmetric(a, b):
    assert similar(a, b) == similar(b, a)


@given(st.text(alphabet=st.characters(categories=["L", "Nd", "Zs"]), min_size=1, max_size=40))
def test_a_name_is_similar_to_itself_in_capitals(name):
    if name_key(name):
        assert similar(name, name.upper())
