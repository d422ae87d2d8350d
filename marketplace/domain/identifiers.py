"""Dutch identifiers: KvK, BTW, postcode and the BSN eleven-test (used to refuse BSNs)."""

from __future__ import annotations

import re

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
