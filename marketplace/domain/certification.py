"""A supplier's purchase-credit certification on a date (docs/domain.md "Purchase credit by
supplier certification").

An `invoice` realisation counts the invoice amount times a credit that depends on how the supplier
is certified. A supplier may hold several certifications at once (a werkbedrijf that is also in the
Code Sociale Ondernemingen register and holds PSO trede 3); `best_certification` names the one
that earns the most under the credit table in use, so the marketplace's SROI preview and the deal's
invoice realisation both record the certification that counts.

Choices where docs/domain.md is silent:
- Only verified facts count, as for PSO certificates in docs/domain.md "PSO": an organisation
  counts as `werkbedrijf` by its kind only once the platform has verified the organisation; a
  recorded certification (register entry, membership) only once someone verified it.
- A recorded certification is valid from `valid_from` up to and including `valid_until` (no
  `valid_until`: open-ended), like a PSO certificate's `valid_until` in docs/domain.md "PSO".
- A PSO certificate counts on a date up to and including its `valid_until`, and only when
  verified and not rejected. `pso_30_plus` earns the `pso_30_plus` credit and `trede_3` the
  `pso_trede_3` credit; the lower levels are in no credit table and earn nothing here (they still
  show as a PSO level in the marketplace, `pso_level_on`). A company with several certificates
  counts its highest level valid that day.
- Several certifications earning the same credit: the first in the order of docs/domain.md's table
  (`code_sociale_ondernemingen`, `werkbedrijf`, `pso_30_plus`, `social_enterprise_nl`,
  `pso_trede_3`), so the answer never depends on the order the facts were given in.
- A supplier that holds certifications which all earn 0% under the table in use is still named by
  the best of them (not `none`): the value is 0 either way and the realisation records what the
  supplier really holds. With no certification at all the answer is `none`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marketplace.domain.obligation import PSO_LEVELS
from marketplace.domain.valuation import CERTIFICATIONS, Block, credit_bp_for

__all__ = [
    "DEFAULT_INVOICE_BLOCK",
    "PSO_CREDIT_CODES",
    "RECORDED_CODES",
    "HeldCertification",
    "HeldPsoCertificate",
    "SupplierFacts",
    "best_certification",
    "certifications_on",
    "pso_level_on",
    "recordable_codes",
]

# The PSO levels that have a row in the credit table, and that row's code.
PSO_CREDIT_CODES = {"pso_30_plus": "pso_30_plus", "trede_3": "pso_trede_3"}
# The certifications an organisation records itself (the others come from a PSO certificate).
RECORDED_CODES = ("code_sociale_ondernemingen", "social_enterprise_nl", "werkbedrijf")
# An invoice block without a table of its own: the defaults of docs/domain.md.
DEFAULT_INVOICE_BLOCK = Block(code="invoice", unit="invoice")


@dataclass(frozen=True)
class HeldCertification:
    """A recorded certification (`code_sociale_ondernemingen`, `social_enterprise_nl`,
    `werkbedrijf`) with its validity and whether it was verified."""

    code: str
    valid_from: date | None
    valid_until: date | None
    verified: bool


@dataclass(frozen=True)
class HeldPsoCertificate:
    """A PSO certificate: level, `valid_until`, and whether it was verified (and not rejected)."""

    level: str
    valid_until: date
    verified: bool


@dataclass(frozen=True)
class SupplierFacts:
    """What the platform knows about a supplier's certification: its organisation kind and
    whether the organisation is verified, its recorded certifications and its PSO certificates."""

    kind: str
    verified: bool
    certifications: tuple[HeldCertification, ...] = ()
    pso_certificates: tuple[HeldPsoCertificate, ...] = ()


def recordable_codes(kind: str) -> tuple[str, ...]:
    """The certifications an organisation of `kind` can record: not a PSO level (that is a PSO
    certificate, docs/domain.md "PSO") and not what its kind already says (a werkbedrijf counts
    as `werkbedrijf` by its verified kind, see `certifications_on`)."""
    return tuple(code for code in RECORDED_CODES if not (kind == "werkbedrijf" == code))


def pso_level_on(supplier: SupplierFacts, on: date) -> str | None:
    """The supplier's highest verified PSO level valid on `on` (docs/domain.md "PSO": a
    certificate counts while verified and up to and including `valid_until`), or None."""
    levels = [
        c.level
        for c in supplier.pso_certificates
        if c.verified and c.valid_until >= on and c.level in PSO_LEVELS
    ]
    return max(levels, key=PSO_LEVELS.index) if levels else None


def certifications_on(supplier: SupplierFacts, on: date) -> frozenset[str]:
    """Every credit-table code (docs/domain.md "Purchase credit by supplier certification") the
    supplier holds on `on`: a verified werkbedrijf by its kind, verified recorded certifications
    valid that day, and its PSO level when that level has a row in the table."""
    held = {
        c.code
        for c in supplier.certifications
        if c.verified
        and c.code in CERTIFICATIONS
        and (c.valid_from is None or c.valid_from <= on)
        and (c.valid_until is None or on <= c.valid_until)
    }
    if supplier.kind == "werkbedrijf" and supplier.verified:
        held.add("werkbedrijf")
    level = pso_level_on(supplier, on)
    if level in PSO_CREDIT_CODES:
        held.add(PSO_CREDIT_CODES[level])
    held.discard("none")
    return frozenset(held)


def best_certification(supplier: SupplierFacts, on: date, block: Block | None = None) -> str:
    """The supplier's certification that earns the highest purchase credit on `on` under the
    invoice `block`'s credit table (None: docs/domain.md's default table); `none` when it holds
    none. Ties go to the earlier row of docs/domain.md's table.

    The answer is what an `invoice` realisation records as `supplier_certification`, so that
    `valuation.valuate(block, ...)` gives the invoice its credit.
    """
    table_block = block or DEFAULT_INVOICE_BLOCK
    held = certifications_on(supplier, on)
    if not held:
        return "none"
    return max(
        sorted(held, key=CERTIFICATIONS.index),
        key=lambda code: credit_bp_for(table_block, code),
    )
