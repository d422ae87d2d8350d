"""A supplier's best purchase-credit certification on a date (docs/domain.md "Matches and their
SROI value", "Purchase credit by supplier certification")."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.certification import (
    HeldCertification,
    HeldPsoCertificate,
    SupplierFacts,
    best_certification,
    certifications_on,
    pso_level_on,
)
from marketplace.domain.obligation import PSO_LEVELS
from marketplace.domain.valuation import CERTIFICATIONS, Block, credit_bp_for

DAY = date(2026, 12, 1)
INK = Block(code="INK", unit="invoice")


def held(code: str, valid_from=None, valid_until=None, verified=True) -> HeldCertification:
    return HeldCertification(code, valid_from, valid_until, verified)


def pso(level: str, valid_until=DAY, verified=True) -> HeldPsoCertificate:
    return HeldPsoCertificate(level, valid_until, verified)


def social_enterprise(*certifications, pso_certificates=()) -> SupplierFacts:
    return SupplierFacts("social_enterprise", True, tuple(certifications), tuple(pso_certificates))


def test_a_supplier_without_certification_is_none() -> None:
    assert best_certification(social_enterprise(), DAY) == "none"


def test_a_verified_werkbedrijf_counts_by_its_kind() -> None:
    assert best_certification(SupplierFacts("werkbedrijf", True), DAY) == "werkbedrijf"


def test_an_unverified_werkbedrijf_does_not_count_by_its_kind() -> None:
    assert best_certification(SupplierFacts("werkbedrijf", False), DAY) == "none"


def test_a_contractor_is_not_a_werkbedrijf_by_kind() -> None:
    assert best_certification(SupplierFacts("contractor", True), DAY) == "none"


def test_an_unverified_certification_does_not_count() -> None:
    supplier = social_enterprise(held("code_sociale_ondernemingen", verified=False))
    assert best_certification(supplier, DAY) == "none"


def test_a_certification_counts_from_its_first_to_its_last_valid_day() -> None:
    supplier = social_enterprise(held("social_enterprise_nl", DAY, DAY + timedelta(days=30)))
    assert best_certification(supplier, DAY - timedelta(days=1)) == "none"
    assert best_certification(supplier, DAY) == "social_enterprise_nl"
    assert best_certification(supplier, DAY + timedelta(days=30)) == "social_enterprise_nl"
    assert best_certification(supplier, DAY + timedelta(days=31)) == "none"


def test_a_certification_without_end_stays_valid() -> None:
    supplier = social_enterprise(held("social_enterprise_nl", DAY, None))
    assert best_certification(supplier, date(2099, 1, 1)) == "social_enterprise_nl"


def test_pso_trede_3_counts_as_its_credit_row_until_valid_until_included() -> None:
    supplier = social_enterprise(pso_certificates=[pso("trede_3", valid_until=DAY)])
    assert best_certification(supplier, DAY) == "pso_trede_3"
    assert best_certification(supplier, DAY + timedelta(days=1)) == "none"


def test_pso_30_plus_counts_as_pso_30_plus() -> None:
    supplier = social_enterprise(pso_certificates=[pso("pso_30_plus")])
    assert best_certification(supplier, DAY) == "pso_30_plus"


def test_lower_pso_levels_earn_no_credit_row() -> None:
    supplier = social_enterprise(pso_certificates=[pso("trede_2")])
    assert best_certification(supplier, DAY) == "none"
    assert pso_level_on(supplier, DAY) == "trede_2"


def test_an_unverified_pso_certificate_does_not_count() -> None:
    supplier = social_enterprise(pso_certificates=[pso("pso_30_plus", verified=False)])
    assert best_certification(supplier, DAY) == "none"
    assert pso_level_on(supplier, DAY) is None


def test_the_highest_pso_level_valid_that_day_counts() -> None:
    supplier = social_enterprise(
        pso_certificates=[
            pso("trede_3", valid_until=DAY - timedelta(days=1)),
            pso("trede_1", valid_until=DAY + timedelta(days=300)),
            pso("trede_2", valid_until=DAY + timedelta(days=10)),
        ]
    )
    assert pso_level_on(supplier, DAY) == "trede_2"


def test_the_highest_credit_wins_under_the_default_table() -> None:
    supplier = social_enterprise(held("social_enterprise_nl"), pso_certificates=[pso("trede_3")])
    assert best_certification(supplier, DAY) == "social_enterprise_nl"  # 50% over 30%


def test_a_policy_table_can_change_which_certification_counts() -> None:
    own_table = Block(
        code="INK",
        unit="invoice",
        credit_bp_by_certification={"pso_trede_3": 8000, "social_enterprise_nl": 2000},
    )
    supplier = social_enterprise(held("social_enterprise_nl"), pso_certificates=[pso("trede_3")])
    assert best_certification(supplier, DAY, own_table) == "pso_trede_3"


def test_equal_credits_go_to_the_earlier_row_of_the_table() -> None:
    supplier = SupplierFacts(
        "werkbedrijf", True, (held("code_sociale_ondernemingen"),), (pso("pso_30_plus"),)
    )
    assert certifications_on(supplier, DAY) == {
        "werkbedrijf",
        "code_sociale_ondernemingen",
        "pso_30_plus",
    }
    assert best_certification(supplier, DAY) == "code_sociale_ondernemingen"


def test_certifications_earning_nothing_are_still_named() -> None:
    only_werkbedrijf = Block(
        code="INK", unit="invoice", credit_bp_by_certification={"werkbedrijf": 10000}
    )
    supplier = social_enterprise(held("social_enterprise_nl"))
    assert best_certification(supplier, DAY, only_werkbedrijf) == "social_enterprise_nl"
    assert credit_bp_for(only_werkbedrijf, "social_enterprise_nl") == 0


def test_unknown_codes_are_ignored() -> None:
    supplier = social_enterprise(held("made_up"), held("none"), pso_certificates=[pso("trede_9")])
    assert certifications_on(supplier, DAY) == frozenset()
    assert best_certification(supplier, DAY) == "none"


_CODES = [c for c in CERTIFICATIONS if c != "none"]
_facts = st.builds(
    SupplierFacts,
    kind=st.sampled_from(["werkbedrijf", "social_enterprise", "contractor"]),
    verified=st.booleans(),
    certifications=st.lists(
        st.builds(
            HeldCertification,
            code=st.sampled_from(_CODES),
            valid_from=st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)),
            valid_until=st.none() | st.dates(date(2025, 1, 1), date(2027, 12, 31)),
            verified=st.booleans(),
        ),
        max_size=4,
    ).map(tuple),
    pso_certificates=st.lists(
        st.builds(
            HeldPsoCertificate,
            level=st.sampled_from(PSO_LEVELS),
            valid_until=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
            verified=st.booleans(),
        ),
        max_size=3,
    ).map(tuple),
)
_tables = st.none() | st.dictionaries(
    st.sampled_from(list(CERTIFICATIONS)), st.integers(0, 10000), max_size=6
)


@given(_facts, st.dates(date(2025, 1, 1), date(2027, 12, 31)), _tables)
def test_no_held_certification_earns_more_than_the_best(supplier, on, table) -> None:
    block = Block(code="INK", unit="invoice", credit_bp_by_certification=table)
    best = best_certification(supplier, on, block)
    held_codes = certifications_on(supplier, on)
    assert best == "none" if not held_codes else best in held_codes
    assert all(credit_bp_for(block, c) <= credit_bp_for(block, best) for c in held_codes)


@given(_facts, st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.randoms())
def test_the_order_of_the_facts_does_not_matter(supplier, on, random) -> None:
    certifications = list(supplier.certifications)
    pso_certificates = list(supplier.pso_certificates)
    random.shuffle(certifications)
    random.shuffle(pso_certificates)
    shuffled = SupplierFacts(
        supplier.kind, supplier.verified, tuple(certifications), tuple(pso_certificates)
    )
    assert best_certification(shuffled, on, INK) == best_certification(supplier, on, INK)
