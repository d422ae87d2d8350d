"""Dutch identifiers: KvK, BTW, postcode and the BSN eleven-test (used to refuse BSNs); and the
comparison key that makes two spellings of one reference or invoice number count as one.

Choices where the rules are silent:
- Two references are the same when they differ only in case, width or compatibility forms
  (NFKC), invisible characters (format characters such as a zero-width space or a soft hyphen),
  spaces of any kind, and separators: `-`, `_`, `.`, `/`, `\\` and every dash. So `dup-same`,
  `DUP_SAME` and `dupsame` are one candidate, and `f-2026-001`, `F2026001`, `F–2026–001` and
  `F 2026<zero-width space>001` one invoice. Letters and digits are never changed: `F2026001`
  and `F2026010` stay two invoices.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum.exceptions import ValidationError
from stdnum.nl import bsn, btw, postcode

_KVK = re.compile(r"^\d{8}$")


def normalise_kvk(value: str) -> str:
    """A KvK number is 8 digits, a sequence number without a check digit (form check only)."""
    digits = re.sub(r"[\s.]", "", value or "")
    if not _KVK.match(digits):
        raise ValueError("kvk")
    return digits


def normalise_btw(value: str) -> str:
    """NL + 9 digits + B + 2 digits, with the checksum python-stdnum knows (mod 11 or mod 97)."""
    compact = re.sub(r"[\s.]", "", value or "").upper()
    try:
        number = btw.validate(compact)
    except ValidationError as exc:
        raise ValueError("btw") from exc
    return "NL" + number


def normalise_postcode(value: str) -> str:
    """'1234ab' -> '1234 AB'; refuses SA/SD/SS and a leading zero."""
    try:
        return postcode.validate(value or "")
    except ValidationError as exc:
        raise ValueError("postcode") from exc


def looks_like_bsn(value: str) -> bool:
    """True when the value (digits only, 8 or 9 long) passes the BSN eleven-test."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    return digits.isdigit() and len(digits) in (8, 9) and bsn.is_valid(digits)


# Separators a person types between the parts of a number; dashes (Unicode category Pd) and
# spaces and format characters (Zs, Zl, Zp, Cf, Cc) are dropped by category as well.
_SEPARATORS = frozenset("-_./\\\u2212\u2043")  # and the minus sign, the hyphen bullet
_DROPPED_CATEGORIES = frozenset({"Pd", "Zs", "Zl", "Zp", "Cf", "Cc"})


def identifier_key(value: str) -> str:
    """The comparison key of a candidate reference or an invoice number (docs/domain.md
    "Realisations, approval and no double counting": one candidate's period counts once, one
    invoice counts once): NFKC, case-folded, without invisible characters, spaces and
    separators. Stored next to the value, so the database can hold the rule; "" when nothing is
    left."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    kept = "".join(
        ch
        for ch in folded
        if ch not in _SEPARATORS and unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    # Dropping a space can bring a letter and a combining mark together ("O¯"): compose again.
    return unicodedata.normalize("NFKC", kept)
