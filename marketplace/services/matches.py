"""Explained matches with their SROI value, and closing a contract's gap (docs/domain.md
"Matches and their SROI value").

SQL selects a bounded set of candidates through the listings' match indexes: the newest open,
public listings of the other side (and, for a viewer with member features in networks, the
network-only demand of those networks) in the same sector and region, the same sector, the
same region, national, and the other regions of the province, at most `CANDIDATES` of each. The
domain (`domain/matching.py`) scores and ranks them; this module never weighs anything itself. A
page of matches therefore costs the same few queries at 10 and at 100,000 listings.

The SROI preview values the purchase as the `invoice` realisation it would become: the contract's
policy's invoice block, the supplier's best certification today, through
`realisations.invoice_value`, the path a submitted realisation is valued by.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Select, or_, select, union_all
from sqlalchemy.orm import joinedload, load_only

from marketplace import clock
from marketplace.domain import matching
from marketplace.domain.matching import ListingFacts, Match, ProfileFacts, Reason
from marketplace.domain.money import MAX_CENTS
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS
from marketplace.extensions import db
from marketplace.models import BuildingBlock, Contract, Listing, Organisation
from marketplace.services import certifications, policies, realisations
from marketplace.services.errors import ServiceError

# At most this many candidates, the newest, from each index range. A bound, not a guarantee: with
# more than 30 open listings in the same sector and region, an older one among them that would
# score a few points more (capacity, PSO) is not seen; the newest ones, nearly as good, are. The
# bound keeps one page of matches well under 30 ms at 100,000 listings (bench/).
CANDIDATES = {
    "sector_region": 30,
    "sector": 20,
    "region": 15,
    "national": 10,
    "province_region": 4,
}
SUPPLIER_CANDIDATES = 30
DEFAULT_LIMIT = 10
SUPPLIER_KINDS = ("social_enterprise", "werkbedrijf")
_LISTING_COLUMNS = (
    "organisation_id",
    "kind",
    "title",
    "sector",
    "type",
    "region",
    "amount_cents",
    "fte",
    "published_at",
    "contract_id",
    "status",
)
_ORGANISATION_COLUMNS = ("name", "slug", "kind", "verified_at", "city", "arbeidsmarktregio")
_PROFILE_COLUMNS = (*_ORGANISATION_COLUMNS, "sectors", "regions")
# The statuses of a listing that is still looking for the other side.
MATCHED_STATUSES = ("draft", "open", "paused", "in_conversation")


@dataclass(frozen=True)
class SroiPreview:
    """What buying from a supplier adds to a contract: "a purchase of € `amount_cents` counts for
    € `value_cents` on `contract` (policy of `authority`)". `contract_shown` is False for a viewer
    who may not see the contract itself; they see its authority's policy only."""

    contract: Contract
    authority: Organisation
    amount_cents: int
    value_cents: int
    certification: str
    contract_shown: bool

    @property
    def closes_gap(self) -> bool:
        return self.value_cents >= self.contract.remaining_cents > 0


@dataclass(frozen=True)
class ListingMatch:
    """Another listing that fits, its score and reasons, and its SROI preview if any."""

    listing: Listing
    score: int
    reasons: tuple[Reason, ...]
    sroi_preview: SroiPreview | None


@dataclass(frozen=True)
class SupplierMatch:
    """A supplier organisation whose profile fits a demand."""

    organisation: Organisation
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Matches:
    """The ranked listings of the other side and, for a demand, the ranked suppliers."""

    listings: list[ListingMatch]
    suppliers: list[SupplierMatch]


@dataclass(frozen=True)
class Gap:
    """What a contract still owes and the offerings that would close it ("Zo dicht je het
    tekort"), with what a new demand for it is pre-filled with."""

    contract: Contract
    remaining_cents: int
    sector: str | None
    region: str | None
    offerings: list[ListingMatch]

    @property
    def new_demand(self) -> dict[str, str | int]:
        """The query of the new-demand form pre-filled from the contract: the contract, its
        sector and region, and the remaining obligation as the budget."""
        prefill: dict[str, str | int] = {"contract": self.contract.id}
        if self.sector:
            prefill["sector"] = self.sector
        if self.region:
            prefill["region"] = self.region
        if self.remaining_cents > 0:
            prefill["budget"] = self.remaining_cents
        return prefill


def matches_of(
    listing: Listing,
    viewer_orgs: Collection[int] | None = (),
    limit: int = DEFAULT_LIMIT,
    networks: Collection[int] = (),
) -> Matches | None:
    """The matches a listing's page shows: those of a demand or of an offering while it can
    still be answered (draft, open, paused, in conversation); None once it is closed, expired
    or matched. `viewer_orgs`: the ids of the viewer's organisations (None or empty: nobody's,
    as for a visitor or a job, which then see no contract named); `networks`: where the
    viewer may use member features, whose network-only demand an offering's matches include."""
    if listing.status not in MATCHED_STATUSES:
        return None
    if listing.kind == "demand":
        return matches_for_demand(listing, limit, viewer_orgs or ())
    return matches_for_offering(listing, limit, viewer_orgs or (), networks)


def matches_for_demand(
    demand: Listing, limit: int = DEFAULT_LIMIT, viewer_orgs: Collection[int] = ()
) -> Matches:
    """The open offerings and the suppliers that best fit `demand`, ranked, with the SROI preview
    of each offering when the demand serves a contract. The contract itself is named only to a
    viewer who belongs to the contractor (`viewer_orgs`: the ids of the viewer's
    organisations)."""
    today = clock.today()
    wanted = _facts(demand)
    offerings = _candidates("offering", wanted, exclude_org=demand.organisation_id)
    profiles = _supplier_candidates(wanted, exclude_org=demand.organisation_id)
    contract = demand.contract
    block = _invoice_blocks([contract]).get(contract.policy_id) if contract else None
    rules = policies.block_rules(block) if block else None
    facts = certifications.supplier_facts([o.organisation for o in offerings] + profiles)
    standing = {org_id: matching.standing_of(f, today, rules) for org_id, f in facts.items()}

    ranked = matching.rank(
        (
            matching.match_offering(wanted, _facts(o), standing[o.organisation_id], today)
            for o in offerings
        ),
        limit,
    )
    by_id = {o.id: o for o in offerings}
    shown = contract is not None and contract.contractor_id in viewer_orgs
    listings = [
        _listing_match(
            m,
            by_id[m.candidate_id],
            _preview(demand, by_id[m.candidate_id], contract, block, standing[offering_org], shown),
        )
        for m in ranked
        for offering_org in [by_id[m.candidate_id].organisation_id]
    ]
    supplier_ranked = matching.rank(
        (matching.match_supplier(wanted, _profile(p), standing[p.id]) for p in profiles),
        limit,
    )
    by_org = {p.id: p for p in profiles}
    suppliers = [SupplierMatch(by_org[m.candidate_id], m.score, m.reasons) for m in supplier_ranked]
    return Matches(listings, suppliers)


def matches_for_offering(
    offering: Listing,
    limit: int = DEFAULT_LIMIT,
    viewer_orgs: Collection[int] = (),
    networks: Collection[int] = (),
) -> Matches:
    """The open demand that `offering` best answers, ranked, each with the SROI preview of buying
    the offering when the demand serves a contract; the network-only demand of `networks` too."""
    today = clock.today()
    offered = _facts(offering)
    demands = _candidates("demand", offered, offering.organisation_id, networks)
    supplier = certifications.supplier_facts([offering.organisation])[offering.organisation_id]
    blocks = _invoice_blocks([d.contract for d in demands])
    # The supplier's standing under each demand's contract's credit table (None: the defaults).
    standing = {
        policy_id: matching.standing_of(supplier, today, policies.block_rules(b))
        for policy_id, b in blocks.items()
    } | {None: matching.standing_of(supplier, today)}

    def standing_for(demand: Listing) -> matching.Standing:
        policy_id = demand.contract.policy_id if demand.contract else None
        return standing.get(policy_id, standing[None])

    ranked = matching.rank(
        (matching.match_demand(offered, standing_for(d), _facts(d), today) for d in demands),
        limit,
    )
    by_id = {d.id: d for d in demands}
    listings = []
    for m in ranked:
        demand = by_id[m.candidate_id]
        contract = demand.contract
        preview = (
            _preview(
                demand,
                offering,
                contract,
                blocks.get(contract.policy_id),
                standing_for(demand),
                contract.contractor_id in viewer_orgs,
            )
            if contract is not None
            else None
        )
        listings.append(_listing_match(m, demand, preview))
    return Matches(listings, [])


def closing_the_gap(contract: Contract, limit: int = 5) -> Gap:
    """The open offerings that best fit what `contract` still owes, each with what buying it
    would add (docs/domain.md "Matches and their SROI value"). The caller has checked that the
    viewer belongs to the contract's contractor."""
    return gaps_of([contract], limit)[0]


def gaps_of(contracts_: list[Contract], limit: int = 5) -> list[Gap]:
    """`closing_the_gap` for each of a contractor's contracts, in a few queries whatever their
    number: one per distinct sector and region among them, and four more. The sector is that of
    the newest demand serving the contract, else the contractor's first sector; the region is the
    authority's arbeidsmarktregio, else the contractor's."""
    sectors = _gap_sectors(contracts_)
    blocks = _invoice_blocks(list(contracts_))
    wanted = {
        c.id: ListingFacts(
            0,
            sectors.get(c.id) or "",
            "",
            c.authority.arbeidsmarktregio or c.contractor.arbeidsmarktregio or "",
        )
        for c in contracts_
    }
    open_ = [c for c in contracts_ if c.remaining_cents > 0 and c.policy_id in blocks]
    keys = {(wanted[c.id].sector, wanted[c.id].region, c.contractor_id) for c in open_}
    candidates = {
        (sector, region, contractor): _candidates(
            "offering", ListingFacts(0, sector, "", region), contractor
        )
        for sector, region, contractor in keys
    }
    facts = certifications.supplier_facts(
        [o.organisation for offerings in candidates.values() for o in offerings]
    )
    today = clock.today()
    gaps = []
    for c in contracts_:
        w = wanted[c.id]
        items: list[ListingMatch] = []
        if c in open_:
            offerings = candidates[w.sector, w.region, c.contractor_id]
            rules = policies.block_rules(blocks[c.policy_id])
            standing = {
                org_id: matching.standing_of(facts[org_id], today, rules)
                for org_id in {o.organisation_id for o in offerings}
            }
            ranked = matching.rank(
                (
                    matching.match_offering(w, _facts(o), standing[o.organisation_id], today)
                    for o in offerings
                ),
                limit,
            )
            by_id = {o.id: o for o in offerings}
            for m in ranked:
                offering = by_id[m.candidate_id]
                preview = _preview(
                    None,
                    offering,
                    c,
                    blocks[c.policy_id],
                    standing[offering.organisation_id],
                    True,
                )
                if preview is not None and preview.value_cents > 0:
                    items.append(_listing_match(m, offering, preview))
        gaps.append(Gap(c, c.remaining_cents, w.sector or None, w.region or None, items))
    return gaps


def _listing_match(m: Match, listing: Listing, preview: SroiPreview | None) -> ListingMatch:
    return ListingMatch(listing, m.score, m.reasons, preview)


def _facts(listing: Listing) -> ListingFacts:
    published = listing.published_at.date() if listing.published_at else None
    return ListingFacts(
        listing.id, listing.sector, listing.type, listing.region, listing.fte, published
    )


def _profile(org: Organisation) -> ProfileFacts:
    """An organisation's sectors and regions: its own arbeidsmarktregio and those it serves."""
    regions = ((org.arbeidsmarktregio,) if org.arbeidsmarktregio else ()) + tuple(org.regions or ())
    return ProfileFacts(org.id, tuple(org.sectors or ()), regions)


def _regions_near(region: str) -> tuple[list[str], list[str]]:
    """The regions whose listings fit `region` a little ("national"), and the province's other
    regions (all regions for a national listing: it fits every region)."""
    if region == matching.NATIONAL:
        return [], list(ARBEIDSMARKTREGIOS)
    province = ARBEIDSMARKTREGIOS.get(region)
    others = [r for r, p in ARBEIDSMARKTREGIOS.items() if p == province and r != region]
    return [matching.NATIONAL], others


def _candidates(
    kind: str, near: ListingFacts, exclude_org: int, networks: Collection[int] = ()
) -> list[Listing]:
    """The bounded candidate set of open, public listings of `kind` around `near` (and the
    network-only ones of `networks`), in one query: the newest few of each of the ranges in
    `CANDIDATES` (same sector and region, same sector, same region, national, each other region
    of the province), each read in index order."""
    seen = Listing.visibility == "public"
    if networks:
        seen = or_(seen, Listing.network_id.in_(sorted(networks)))
    base = select(Listing.id).where(
        Listing.kind == kind,
        Listing.status == "open",
        seen,
        Listing.organisation_id != exclude_org,
    )

    def newest(limit: int, *where) -> Select:
        return base.where(*where).order_by(Listing.published_at.desc()).limit(limit)

    national, province = _regions_near(near.region)
    ranges: list[Select] = []
    if near.sector:
        ranges.append(
            newest(
                CANDIDATES["sector_region"],
                Listing.sector == near.sector,
                Listing.region == near.region,
            )
        )
        ranges.append(newest(CANDIDATES["sector"], Listing.sector == near.sector))
    if near.region:
        ranges.append(newest(CANDIDATES["region"], Listing.region == near.region))
    ranges += [newest(CANDIDATES["national"], Listing.region == r) for r in national]
    if near.region != matching.NATIONAL:
        ranges += [newest(CANDIDATES["province_region"], Listing.region == r) for r in province]
    if not ranges:
        return []
    ids = union_all(*(select(r.subquery().c.id) for r in ranges)).subquery()
    # Only the columns matching and the match list read: hundreds of rows are loaded per page.
    related = [
        load_only(*(getattr(Listing, c) for c in _LISTING_COLUMNS)),
        joinedload(Listing.organisation).load_only(
            *(getattr(Organisation, c) for c in _ORGANISATION_COLUMNS)
        ),
    ]
    if kind == "demand":
        related.append(joinedload(Listing.contract))
    return list(
        db.session.scalars(
            select(Listing).options(*related).where(Listing.id.in_(select(ids.c.id)))
        ).unique()
    )


def _supplier_candidates(near: ListingFacts, exclude_org: int) -> list[Organisation]:
    """Verified social enterprises and werkbedrijven in the demand's region or province (any
    region for a national demand), newest first, at most `SUPPLIER_CANDIDATES`."""
    national, province = _regions_near(near.region)
    regions = [near.region, *province] if near.region in ARBEIDSMARKTREGIOS else province
    return list(
        db.session.scalars(
            select(Organisation)
            .options(load_only(*(getattr(Organisation, c) for c in _PROFILE_COLUMNS)))
            .where(
                Organisation.kind.in_(SUPPLIER_KINDS),
                Organisation.verified_at.is_not(None),
                Organisation.arbeidsmarktregio.in_(regions),
                Organisation.id != exclude_org,
            )
            .order_by(Organisation.id.desc())
            .limit(SUPPLIER_CANDIDATES)
        )
    )


def _invoice_blocks(contracts: list[Contract | None]) -> dict[int, BuildingBlock]:
    return realisations.invoice_blocks({c.policy_id for c in contracts if c is not None})


def _gap_sectors(contracts_: list[Contract]) -> dict[int, str]:
    """The sector each contract's gap is looked for in, by contract id: its newest demand's,
    else its contractor's first."""
    newest: dict[int, str] = {}
    if contracts_:
        for contract_id, sector in db.session.execute(
            select(Listing.contract_id, Listing.sector)
            .where(Listing.contract_id.in_([c.id for c in contracts_]), Listing.kind == "demand")
            .order_by(Listing.created_at.desc(), Listing.id.desc())
        ):
            newest.setdefault(contract_id, sector)
    return {
        c.id: newest.get(c.id) or next(iter(c.contractor.sectors or []), "") for c in contracts_
    }


def _preview(
    demand: Listing | None,
    offering: Listing,
    contract: Contract | None,
    block: BuildingBlock | None,
    supplier: matching.Standing,
    contract_shown: bool,
) -> SroiPreview | None:
    """The SROI preview of buying `offering` for `contract` from a supplier whose standing was
    taken under `block`'s credit table: X is the offering's price, else the demand's budget, else
    (for a viewer who may see the contract) the purchase that closes the remaining obligation at
    this supplier's credit; Y is that invoice's value."""
    if contract is None or block is None:
        return None
    amount = offering.amount_cents or (demand.amount_cents if demand else None)
    if not amount and contract_shown:
        amount = _closing_amount(contract.remaining_cents, supplier.credit_bp)
    if not amount:
        return None
    try:
        value = realisations.invoice_value(block, amount, supplier.certification).value_cents
    except ServiceError:
        return None  # a policy table the officer must correct: no preview rather than a 500
    return SroiPreview(
        contract, block.policy.authority, amount, value, supplier.certification, contract_shown
    )


def _closing_amount(remaining_cents: int, credit_bp: int) -> int | None:
    """The smallest purchase whose credit covers `remaining_cents` (rounded up to a cent, at
    most `MAX_CENTS`); None when nothing remains or the supplier earns no credit."""
    if remaining_cents <= 0 or credit_bp <= 0:
        return None
    return min(math.ceil(Fraction(remaining_cents * 10000, credit_bp)), MAX_CENTS)
