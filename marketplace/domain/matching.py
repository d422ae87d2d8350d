"""Explained matches between demand, offerings and suppliers (docs/domain.md "Matches and their
SROI value").

A match has a score from 0 to 100 and the reasons that earned it. Each reason is a stable code with
parameters (`Reason("same_region", {"region": "Twente"})`), so pages, e-mails and the API can
render it in the reader's language (`marketplace/labels.py: match_reason_label`) and tests can
assert on it. The score is the sum of the points below; the weights add up to 100:

| factor | constant, points | reason code |
|---|---|---|
| same sector | `SECTOR_POINTS` 35 | `same_sector` |
| same type (service, product, placement) | `TYPE_POINTS` 15 | `same_type` |
| same arbeidsmarktregio | `REGION_POINTS` 20 | `same_region` |
| else one side national | `NATIONAL_POINTS` 12 | `national` |
| else the same province | `PROVINCE_POINTS` 8 | `same_province` |
| the offering's FTE covers the demand's | `CAPACITY_POINTS` 10 | `capacity_fits` |
| purchase credit of the supplier's certification | `CREDIT_POINTS` 10 × credit | `certified` |
| a verified PSO level from trede 1 | `PSO_POINTS` 5 | `pso_level` |
| the other listing's age: 5 today, 0 at `RECENCY_DAYS` | `RECENCY_POINTS` 5 | `recent` |

Why these weights: a buyer first needs someone who does the work asked for (sector, then type) and
can do it where it is needed (region); among those, the one whose purchase counts most for the
buyer's SROI obligation, and who is certified, helps most; recency only breaks near-ties.

Choices where docs/domain.md is silent:
- Region: the same arbeidsmarktregio scores highest; an offering or demand for all of the country
  (`national`) fits any region a little less; another region in the same province (the province
  each region mostly lies in, `taxonomy.ARBEIDSMARKTREGIOS`) less again. Unknown regions score 0.
- Capacity counts only when both FTE figures are known: an offering without an FTE figure neither
  gains nor loses.
- The credit is the one the supplier's best certification earns on `today` under the credit table
  in use (the contract's invoice block when the demand serves a contract, else the defaults of
  docs/domain.md "Purchase credit by supplier certification"): points = 10 × credit_bp / 10000,
  rounded half up. The `certified` reason names that certification when it is not a PSO level (the
  PSO level has its own reason, `pso_level`, which also shows trede 1 and 2 that earn no credit).
- Recency: 5 points for a listing published today, falling linearly to 0 at 30 days (rounded half
  up); the `recent` reason shows up to 7 days old. Unpublished (None) earns nothing.
- A supplier profile (an organisation, not a listing) is matched on its sectors and regions and its
  certification; it has no type, FTE figure or publication date, so those factors score 0.
- Only matches of at least `MIN_SCORE` (20: a shared sector, or the same region) are shown; ties
  rank by the candidate's id, newest (highest) first, so a ranking never depends on input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache

from marketplace.domain.certification import (
    DEFAULT_INVOICE_BLOCK,
    PSO_CREDIT_CODES,
    SupplierFacts,
    best_certification,
    pso_level_on,
)
from marketplace.domain.money import round_half_up
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS
from marketplace.domain.valuation import Block, credit_bp_for

__all__ = [
    "CAPACITY_POINTS",
    "CREDIT_POINTS",
    "MIN_SCORE",
    "NATIONAL",
    "NATIONAL_POINTS",
    "PROVINCE_POINTS",
    "PSO_POINTS",
    "RECENCY_DAYS",
    "RECENCY_POINTS",
    "REGION_POINTS",
    "SECTOR_POINTS",
    "TYPE_POINTS",
    "ListingFacts",
    "Match",
    "ProfileFacts",
    "Reason",
    "Standing",
    "match_demand",
    "match_offering",
    "match_supplier",
    "rank",
    "standing_of",
]

SECTOR_POINTS = 35
TYPE_POINTS = 15
REGION_POINTS = 20
NATIONAL_POINTS = 12
PROVINCE_POINTS = 8
CAPACITY_POINTS = 10
CREDIT_POINTS = 10
PSO_POINTS = 5
RECENCY_POINTS = 5
RECENCY_DAYS = 30
RECENT_REASON_DAYS = 7
MIN_SCORE = 20
NATIONAL = "national"
# PSO levels worth a reason and points: from trede 1 up (aspirant and basistrede are not a level
# a buyer can rely on yet).
_PSO_REASON_LEVELS = ("trede_1", "trede_2", "trede_3", "pso_30_plus")
# Recency points by age in days: 5 × (30 - age) / 30, rounded half up, worked out once.
_RECENCY_BY_AGE = tuple(
    round_half_up(Fraction(RECENCY_POINTS * (RECENCY_DAYS - age), RECENCY_DAYS))
    for age in range(RECENCY_DAYS + 1)
)


@dataclass(frozen=True)
class ListingFacts:
    """What matching reads of a demand or an offering (its classification in docs/domain.md)."""

    id: int
    sector: str
    type: str
    region: str
    fte: Decimal | None = None
    published_on: date | None = None


@dataclass(frozen=True)
class ProfileFacts:
    """What matching reads of a supplier organisation's profile: its sectors and regions."""

    id: int
    sectors: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Standing:
    """What a supplier's certification is worth to one buyer on one day (`standing_of`)."""

    certification: str
    credit_bp: int
    pso_level: str | None


@dataclass(frozen=True)
class Reason:
    """Why a match scored: a stable `code` and its parameters (strings), rendered by labels.py."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """A candidate (listing or organisation `candidate_id`) with its score and reasons."""

    candidate_id: int
    score: int
    reasons: tuple[Reason, ...]


def standing_of(
    supplier: SupplierFacts, today: date, credit_block: Block | None = None
) -> Standing:
    """What `supplier`'s certification is worth to a buyer on `today`: its best certification and
    that certification's credit under `credit_block`'s table (the invoice block of the demand's
    contract; None: the defaults), and its PSO level. Computed once per supplier and table, then
    used for every pair it is in."""
    block = credit_block or DEFAULT_INVOICE_BLOCK
    certification = best_certification(supplier, today, block)
    return Standing(
        certification, credit_bp_for(block, certification), pso_level_on(supplier, today)
    )


def match_offering(
    demand: ListingFacts, offering: ListingFacts, supplier: Standing, today: date
) -> Match:
    """How well `offering` (by a supplier of `supplier` standing) answers `demand`, the offering
    being the candidate: its publication date counts for recency."""
    reasons, points = _listing_points(demand, offering, supplier)
    points += _recency(offering.published_on, today, reasons)
    return Match(offering.id, points, tuple(reasons))


def match_demand(
    offering: ListingFacts, supplier: Standing, demand: ListingFacts, today: date
) -> Match:
    """How well `offering` (by a supplier of `supplier` standing) answers `demand`, the demand
    being the candidate: its publication date counts for recency."""
    reasons, points = _listing_points(demand, offering, supplier)
    points += _recency(demand.published_on, today, reasons)
    return Match(demand.id, points, tuple(reasons))


def match_supplier(demand: ListingFacts, profile: ProfileFacts, supplier: Standing) -> Match:
    """How well a supplier organisation fits `demand` by its profile (sectors, regions) and its
    standing; type, capacity and recency do not apply to a profile."""
    reasons: list[Reason] = []
    points = 0
    if demand.sector in profile.sectors:
        reasons.append(Reason("same_sector"))
        points += SECTOR_POINTS
    region_points, region_reason = max(
        (_region(demand.region, region) for region in profile.regions),
        key=lambda pair: pair[0],
        default=(0, None),
    )
    if region_reason is not None:
        reasons.append(region_reason)
        points += region_points
    points += _certification(supplier, reasons)
    return Match(profile.id, points, tuple(reasons))


def rank(matches: Iterable[Match], limit: int) -> list[Match]:
    """The best `limit` matches of at least `MIN_SCORE`, highest score first, ties newest
    (highest candidate id) first."""
    shown = [m for m in matches if m.score >= MIN_SCORE]
    shown.sort(key=lambda m: (-m.score, -m.candidate_id))
    return shown[: max(limit, 0)]


def _listing_points(
    demand: ListingFacts, offering: ListingFacts, supplier: Standing
) -> tuple[list[Reason], int]:
    reasons: list[Reason] = []
    points = 0
    if demand.sector == offering.sector:
        reasons.append(Reason("same_sector"))
        points += SECTOR_POINTS
    if demand.type == offering.type:
        reasons.append(Reason("same_type", {"type": demand.type}))
        points += TYPE_POINTS
    region_points, region_reason = _region(demand.region, offering.region)
    if region_reason is not None:
        reasons.append(region_reason)
        points += region_points
    if demand.fte is not None and offering.fte is not None and offering.fte >= demand.fte > 0:
        reasons.append(Reason("capacity_fits", {"fte": _plain(offering.fte)}))
        points += CAPACITY_POINTS
    points += _certification(supplier, reasons)
    return reasons, points


def _region(wanted: str, offered: str) -> tuple[int, Reason | None]:
    """Points and reason for a demand's region against an offering's or supplier's region."""
    if wanted == offered and wanted in ARBEIDSMARKTREGIOS:
        return REGION_POINTS, Reason("same_region", {"region": wanted})
    if NATIONAL in (wanted, offered) and {wanted, offered} <= {NATIONAL, *ARBEIDSMARKTREGIOS}:
        return NATIONAL_POINTS, Reason("national")
    province = ARBEIDSMARKTREGIOS.get(wanted)
    if province is not None and province == ARBEIDSMARKTREGIOS.get(offered):
        return PROVINCE_POINTS, Reason("same_province", {"province": province})
    return 0, None


def _certification(supplier: Standing, reasons: list[Reason]) -> int:
    """Points for the credit the supplier's best certification earns and for its PSO level."""
    points = _credit_points(supplier.credit_bp)
    if supplier.certification != "none" and supplier.certification not in PSO_CREDIT_CODES.values():
        reasons.append(Reason("certified", {"certification": supplier.certification}))
    if supplier.pso_level in _PSO_REASON_LEVELS:
        reasons.append(Reason("pso_level", {"level": supplier.pso_level}))
        points += PSO_POINTS
    return points


@cache
def _credit_points(credit_bp: int) -> int:
    """CREDIT_POINTS × credit_bp / 10000, rounded half up; a table has a handful of credits."""
    return round_half_up(Fraction(CREDIT_POINTS * credit_bp, 10000))


def _recency(published_on: date | None, today: date, reasons: list[Reason]) -> int:
    if published_on is None:
        return 0
    age = max((today - published_on).days, 0)
    if age <= RECENT_REASON_DAYS:
        reasons.append(Reason("recent", {"days": str(age)}))
    return _RECENCY_BY_AGE[age] if age < len(_RECENCY_BY_AGE) else 0


def _plain(fte: Decimal) -> str:
    """An FTE figure without trailing zeros and never in exponent form: 3.00 -> "3"."""
    return format(fte.normalize(), "f")
