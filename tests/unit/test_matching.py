"""Explained matches: weights, reasons and ranking (docs/domain.md "Matches and their SROI
value")."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.certification import HeldCertification, HeldPsoCertificate, SupplierFacts
from marketplace.domain.matching import (
    CAPACITY_POINTS,
    CREDIT_POINTS,
    MIN_SCORE,
    NATIONAL_POINTS,
    PROVINCE_POINTS,
    PSO_POINTS,
    RECENCY_POINTS,
    REGION_POINTS,
    SECTOR_POINTS,
    TYPE_POINTS,
    ListingFacts,
    Match,
    ProfileFacts,
    Reason,
    match_demand,
    match_offering,
    match_supplier,
    rank,
    standing_of,
)
from marketplace.domain.taxonomy import ARBEIDSMARKTREGIOS, SECTORS
from marketplace.domain.valuation import Block

TODAY = date(2026, 12, 1)
LONG_AGO = TODAY - timedelta(days=365)
UNCERTIFIED = standing_of(SupplierFacts("social_enterprise", True), TODAY)
DEMAND = ListingFacts(1, "schoonmaak", "service", "Twente", Decimal("3"), TODAY)
OFFERING = ListingFacts(2, "schoonmaak", "service", "Twente", Decimal("3"), LONG_AGO)


def codes(match: Match) -> list[str]:
    return [reason.code for reason in match.reasons]


def test_the_weights_add_up_to_a_hundred() -> None:
    assert (
        SECTOR_POINTS
        + TYPE_POINTS
        + REGION_POINTS
        + CAPACITY_POINTS
        + CREDIT_POINTS
        + PSO_POINTS
        + RECENCY_POINTS
        == 100
    )


def test_a_perfect_match_scores_a_hundred_with_every_reason() -> None:
    werkbedrijf = SupplierFacts(
        "werkbedrijf", True, pso_certificates=(HeldPsoCertificate("trede_2", TODAY, True),)
    )
    match = match_offering(
        DEMAND, replace(OFFERING, published_on=TODAY), standing_of(werkbedrijf, TODAY), TODAY
    )
    assert match.score == 100
    assert match.reasons == (
        Reason("same_sector"),
        Reason("same_type", {"type": "service"}),
        Reason("same_region", {"region": "Twente"}),
        Reason("capacity_fits", {"fte": "3"}),
        Reason("certified", {"certification": "werkbedrijf"}),
        Reason("pso_level", {"level": "trede_2"}),
        Reason("recent", {"days": "0"}),
    )


def test_sector_type_and_region_score_their_points() -> None:
    match = match_offering(DEMAND, replace(OFFERING, fte=None), UNCERTIFIED, TODAY)
    assert match.score == SECTOR_POINTS + TYPE_POINTS + REGION_POINTS
    assert codes(match) == ["same_sector", "same_type", "same_region"]


def test_a_national_offering_fits_any_region_less_than_the_same_region() -> None:
    national = match_offering(DEMAND, replace(OFFERING, region="national"), UNCERTIFIED, TODAY)
    assert Reason("national") in national.reasons
    same = match_offering(DEMAND, OFFERING, UNCERTIFIED, TODAY)
    assert same.score - national.score == REGION_POINTS - NATIONAL_POINTS


def test_a_national_demand_fits_a_regional_offering() -> None:
    match = match_offering(replace(DEMAND, region="national"), OFFERING, UNCERTIFIED, TODAY)
    assert Reason("national") in match.reasons


def test_another_region_in_the_same_province_is_a_weaker_reason() -> None:
    match = match_offering(DEMAND, replace(OFFERING, region="Regio Zwolle"), UNCERTIFIED, TODAY)
    assert Reason("same_province", {"province": "Overijssel"}) in match.reasons
    plain = match_offering(DEMAND, replace(OFFERING, region="Zuid-Limburg"), UNCERTIFIED, TODAY)
    assert match.score - plain.score == PROVINCE_POINTS
    assert "same_province" not in codes(plain)


def test_capacity_fits_when_the_offering_covers_the_demands_fte() -> None:
    bigger = match_offering(DEMAND, replace(OFFERING, fte=Decimal("4.50")), UNCERTIFIED, TODAY)
    assert Reason("capacity_fits", {"fte": "4.5"}) in bigger.reasons
    smaller = match_offering(DEMAND, replace(OFFERING, fte=Decimal("2")), UNCERTIFIED, TODAY)
    assert "capacity_fits" not in codes(smaller)
    assert bigger.score - smaller.score == CAPACITY_POINTS


def test_capacity_without_figures_neither_gains_nor_loses() -> None:
    unknown = match_offering(replace(DEMAND, fte=None), OFFERING, UNCERTIFIED, TODAY)
    assert "capacity_fits" not in codes(unknown)


def test_a_round_fte_figure_is_shown_without_exponent() -> None:
    match = match_offering(DEMAND, replace(OFFERING, fte=Decimal("10.00")), UNCERTIFIED, TODAY)
    assert Reason("capacity_fits", {"fte": "10"}) in match.reasons


def test_credit_points_follow_the_credit_table_in_use() -> None:
    member = SupplierFacts(
        "social_enterprise", True, (HeldCertification("social_enterprise_nl", None, None, True),)
    )
    by_default = match_offering(DEMAND, OFFERING, standing_of(member, TODAY), TODAY)
    assert Reason("certified", {"certification": "social_enterprise_nl"}) in by_default.reasons
    base = match_offering(DEMAND, OFFERING, UNCERTIFIED, TODAY).score
    assert by_default.score - base == CREDIT_POINTS // 2
    full = Block("INK", "invoice", credit_bp_by_certification={"social_enterprise_nl": 10000})
    with_table = standing_of(member, TODAY, full)
    assert match_offering(DEMAND, OFFERING, with_table, TODAY).score - base == CREDIT_POINTS


def test_pso_trede_3_shows_as_pso_level_with_its_credit() -> None:
    supplier = SupplierFacts(
        "social_enterprise", True, pso_certificates=(HeldPsoCertificate("trede_3", TODAY, True),)
    )
    match = match_offering(DEMAND, OFFERING, standing_of(supplier, TODAY), TODAY)
    assert Reason("pso_level", {"level": "trede_3"}) in match.reasons
    assert "certified" not in codes(match)
    base = match_offering(DEMAND, OFFERING, UNCERTIFIED, TODAY).score
    assert match.score - base == PSO_POINTS + 3  # 30% of 10 credit points


def test_an_expired_pso_certificate_gives_no_reason() -> None:
    supplier = SupplierFacts(
        "social_enterprise",
        True,
        pso_certificates=(HeldPsoCertificate("trede_3", TODAY - timedelta(days=1), True),),
    )
    expired = standing_of(supplier, TODAY)
    assert "pso_level" not in codes(match_offering(DEMAND, OFFERING, expired, TODAY))


def test_recency_counts_the_candidates_publication() -> None:
    new_offering = replace(OFFERING, published_on=TODAY - timedelta(days=3))
    old_demand = replace(DEMAND, published_on=LONG_AGO)
    match = match_offering(old_demand, new_offering, UNCERTIFIED, TODAY)
    assert Reason("recent", {"days": "3"}) in match.reasons
    reverse = match_demand(new_offering, UNCERTIFIED, old_demand, TODAY)
    assert "recent" not in codes(reverse)
    assert match.score - reverse.score == RECENCY_POINTS  # 5 × 27/30 = 4.5, half up: 5


def test_a_supplier_profile_matches_on_its_sectors_and_best_region() -> None:
    profile = ProfileFacts(7, ("groenvoorziening", "schoonmaak"), ("Regio Zwolle", "Twente"))
    match = match_supplier(DEMAND, profile, standing_of(SupplierFacts("werkbedrijf", True), TODAY))
    assert match.candidate_id == 7
    assert match.reasons == (
        Reason("same_sector"),
        Reason("same_region", {"region": "Twente"}),
        Reason("certified", {"certification": "werkbedrijf"}),
    )
    assert match.score == SECTOR_POINTS + REGION_POINTS + CREDIT_POINTS


def test_a_supplier_profile_without_regions_scores_no_region() -> None:
    match = match_supplier(DEMAND, ProfileFacts(7, ("schoonmaak",), ()), UNCERTIFIED)
    assert match.score == SECTOR_POINTS


def test_rank_hides_weak_matches_and_orders_by_score_then_newest() -> None:
    matches = [Match(1, 50, ()), Match(2, MIN_SCORE - 1, ()), Match(3, 50, ()), Match(4, 90, ())]
    assert [m.candidate_id for m in rank(matches, 10)] == [4, 3, 1]
    assert [m.candidate_id for m in rank(matches, 2)] == [4, 3]
    assert rank(matches, 0) == []


regions = st.sampled_from([*ARBEIDSMARKTREGIOS, "national"])
listings = st.builds(
    ListingFacts,
    id=st.integers(1, 10**6),
    sector=st.sampled_from(list(SECTORS)),
    type=st.sampled_from(["service", "product", "placement"]),
    region=regions,
    fte=st.none() | st.decimals(0, 100, places=2),
    published_on=st.none() | st.dates(TODAY - timedelta(days=100), TODAY),
)
suppliers = st.builds(
    SupplierFacts,
    kind=st.sampled_from(["werkbedrijf", "social_enterprise"]),
    verified=st.booleans(),
    certifications=st.lists(
        st.builds(
            HeldCertification,
            code=st.sampled_from(["code_sociale_ondernemingen", "social_enterprise_nl"]),
            valid_from=st.none(),
            valid_until=st.none(),
            verified=st.booleans(),
        ),
        max_size=2,
    ).map(tuple),
    pso_certificates=st.lists(
        st.builds(
            HeldPsoCertificate,
            level=st.sampled_from(["trede_1", "trede_2", "trede_3", "pso_30_plus"]),
            valid_until=st.just(TODAY),
            verified=st.booleans(),
        ),
        max_size=2,
    ).map(tuple),
).map(lambda facts: standing_of(facts, TODAY))


@given(listings, listings, suppliers)
def test_a_score_is_between_0_and_100(demand, offering, supplier) -> None:
    assert 0 <= match_offering(demand, offering, supplier, TODAY).score <= 100
    assert 0 <= match_demand(offering, supplier, demand, TODAY).score <= 100


@given(listings, listings, suppliers)
def test_sharing_the_sector_type_or_region_never_lowers_the_score(demand, offering, supplier):
    score = match_offering(demand, offering, supplier, TODAY).score
    for better in (
        replace(offering, sector=demand.sector),
        replace(offering, type=demand.type),
        replace(offering, region=demand.region),
        replace(offering, fte=max(demand.fte or 0, offering.fte or 0) or None),
    ):
        assert match_offering(demand, better, supplier, TODAY).score >= score


@given(listings, listings, suppliers, st.integers(0, 60))
def test_a_newer_candidate_never_scores_lower(demand, offering, supplier, days) -> None:
    newer = replace(offering, published_on=TODAY - timedelta(days=days))
    older = replace(offering, published_on=TODAY - timedelta(days=days + 1))
    assert (
        match_offering(demand, newer, supplier, TODAY).score
        >= match_offering(demand, older, supplier, TODAY).score
    )


@given(listings, suppliers)
def test_demand_and_offering_see_the_same_match_but_their_own_candidates_recency(
    listing, supplier
) -> None:
    demand = replace(listing, id=1, published_on=TODAY)
    offering = replace(listing, id=2, published_on=TODAY)
    forward = match_offering(demand, offering, supplier, TODAY)
    backward = match_demand(offering, supplier, demand, TODAY)
    assert (forward.score, forward.reasons) == (backward.score, backward.reasons)


@given(
    st.lists(st.builds(Match, st.integers(1, 50), st.integers(0, 100), st.just(())), max_size=30),
    st.integers(0, 40),
    st.randoms(),
)
def test_rank_is_sorted_bounded_and_independent_of_input_order(matches, limit, random) -> None:
    ranked = rank(matches, limit)
    assert len(ranked) <= limit
    assert all(m.score >= MIN_SCORE for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    shuffled = list(matches)
    random.shuffle(shuffled)
    assert [(m.candidate_id, m.score) for m in rank(shuffled, limit)] == [
        (m.candidate_id, m.score) for m in ranked
    ]
