"""Organisation names: which registrations look like an organisation that already exists.

Anyone can register an organisation; an admin verifies it before it may act (docs/domain.md
"Who uses it": the platform admin verifies organisations). A new "Gemeente Emmen" next to the
real one is the clearest sign of an impostor, so the admin's verification page flags names that
are equal or nearly equal after normalising.

Choices where the rules are silent:
- The key ignores case, accents, punctuation, spacing and word order, expands the usual
  abbreviations of public bodies ("gem." for gemeente, "prov." for provincie, "min." for
  ministerie) and drops legal forms (B.V., N.V., V.O.F.), which say nothing about who it is.
- Keys that are equal are similar; otherwise names are similar when difflib's ratio of their
  words, in their order or sorted, reaches `SIMILAR_RATIO` (0.88: "gemeente emmen" and
  "gemeente ernmen" are, "gemeente emmen" and "gemeente epe" are not), unless their numbers
  differ ("Stichting 1" and "Stichting 2" are not).
- A flag is a hint for the admin, not a refusal: similar names can be different organisations
  (Gemeente Ede and Gemeente Epe, two "Groen B.V."s), so the admin decides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from difflib import SequenceMatcher
from typing import TypeVar

__all__ = ["SIMILAR_RATIO", "name_key", "similar", "similar_names"]

SIMILAR_RATIO = 0.88

ABBREVIATIONS = {
    "gem": "gemeente",
    "gmte": "gemeente",
    "prov": "provincie",
    "min": "ministerie",
    "ws": "waterschap",
    "hhs": "hoogheemraadschap",
}
LEGAL_FORMS = {"bv", "nv", "vof", "cv", "ua", "ba"}

# Dots inside an initialism ("b.v.", "v.o.f.") join its letters; other punctuation separates words.
_INITIALISM_DOT = re.compile(r"(?<=\b[a-z])\.(?=[a-z]\b)")

K = TypeVar("K", bound=Hashable)


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    text = _INITIALISM_DOT.sub("", text)
    words = [ABBREVIATIONS.get(w, w) for w in re.findall(r"[a-z0-9]+", text)]
    return [w for w in words if w not in LEGAL_FORMS]


def name_key(name: str) -> str:
    """The comparable form of an organisation name: "Gem.  Emmen B.V." -> "emmen gemeente"."""
    return " ".join(sorted(_words(name)))


def _close(a: str, b: str) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= SIMILAR_RATIO
        and matcher.quick_ratio() >= SIMILAR_RATIO
        and matcher.ratio() >= SIMILAR_RATIO
    )


def similar(a: str, b: str) -> bool:
    """Whether two names probably mean the same organisation (see the module's choices)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    if sorted(wa) == sorted(wb):
        return True
    if {w for w in wa if w.isdigit()} != {w for w in wb if w.isdigit()}:
        return False
    return _close(" ".join(wa), " ".join(wb)) or _close(" ".join(sorted(wa)), " ".join(sorted(wb)))


def similar_names(name: str, others: Iterable[tuple[K, str]]) -> list[K]:
    """The keys of `others` (key, name) whose name is similar to `name`, in the order given."""
    return [key for key, other in others if similar(name, other)]
