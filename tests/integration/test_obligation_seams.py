"""Contracts registered through the service under every branch of the obligation rule, and invoice
realisations under a policy's own credit table: the stored figures against numbers worked out by
hand (docs/domain.md "The SROI obligation of a contract", "Purchase credit by supplier
certification"), not against the domain function itself."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.labels import obligation_explanation
from marketplace.models import Contract, Organisation, User
from marketplace.services import realisations
from tests.factories import make_contract, make_policy, make_verified_certificate

AWARD = date(2026, 2, 1)


@pytest.fixture
def officer(authority: Organisation) -> User:
    """The authority's officer, under a policy with every optional rule set:
    5% from € 250.000 and 6 months; 2% below a labour share of 30%; at most € 40.000;
    PSO trede 1 leaves 50%, trede 2 0%; invoices: werkbedrijf 80%, Social Enterprise NL 25%."""
    make_policy(
        authority,
        low_labour_share_bp=3000,
        low_labour_percentage_bp=200,
        cap_cents=4_000_000,
        pso_remaining_bp={"trede_1": 5000, "trede_2": 0},
        credit_bp_by_certification={"werkbedrijf": 8000, "social_enterprise_nl": 2500},
    )
    return authority.members[0].user


def register(authority, contractor, officer, **fields) -> Contract:
    contract = make_contract(authority, contractor, officer, award_date=AWARD, **fields)
    db.session.expire_all()  # read back what was stored
    return db.session.get(Contract, contract.id)


def test_a_contract_above_the_cap_owes_the_cap(authority, contractor, officer):
    # € 1.200.000 × 5% = € 60.000, above the cap of € 40.000
    contract = register(authority, contractor, officer, labour_share_bp=4000)

    assert (contract.obligation_cents, contract.obligation_status) == (4_000_000, "due")
    assert obligation_explanation(contract.obligation_steps) == (
        "5% van € 1.200.000,00 = € 60.000,00; Begrensd op het maximum van € 40.000,00"
    )


def test_a_low_labour_share_owes_the_lower_percentage_rounded_once(authority, contractor, officer):
    # 123.456.789 cents × 2% = 2.469.135,78 -> 2.469.136 (below the cap)
    contract = register(
        authority, contractor, officer, value_cents=123_456_789, labour_share_bp=2999
    )

    assert (contract.obligation_cents, contract.obligation_status) == (2_469_136, "due")
    assert "2% van € 1.234.567,89 = € 24.691,36" in obligation_explanation(
        contract.obligation_steps
    )


def test_a_labour_share_on_the_limit_keeps_the_normal_percentage(authority, contractor, officer):
    # a share equal to the limit is not below it: 30.000.000 × 5% = 1.500.000 (2% would be 600.000)
    contract = register(
        authority, contractor, officer, value_cents=30_000_000, labour_share_bp=3000
    )

    assert contract.obligation_cents == 1_500_000


def test_a_verified_certificate_valid_until_the_award_date_counts(authority, contractor, officer):
    make_verified_certificate(contractor, "trede_1", valid_until=AWARD)

    # min(€ 60.000, cap € 40.000) × 50% = € 20.000: the cap first, then PSO
    contract = register(authority, contractor, officer)

    assert (contract.obligation_cents, contract.obligation_status) == (2_000_000, "due")
    assert (contract.pso_level, contract.pso_valid_until) == ("trede_1", AWARD)
    assert obligation_explanation(contract.obligation_steps).endswith(
        "PSO trede 1: 50% → € 20.000,00"
    )


def test_a_certificate_that_ended_the_day_before_the_award_does_not_count(
    authority, contractor, officer
):
    make_verified_certificate(contractor, "trede_1", valid_until=date(2026, 1, 31))

    contract = register(authority, contractor, officer)

    assert (contract.obligation_cents, contract.obligation_status) == (4_000_000, "due")
    assert contract.pso_level is None


def test_a_verified_trede_2_on_the_award_date_exempts(authority, contractor, officer):
    make_verified_certificate(contractor, "trede_2", valid_until=AWARD)

    contract = register(authority, contractor, officer)

    assert (contract.obligation_cents, contract.obligation_status) == (0, "exempt")


def invoice(number: str, cents: int, certification: str) -> realisations.RealisationData:
    return realisations.RealisationData(
        block_code="INK",
        invoice_excl_vat_cents=cents,
        invoice_number=number,
        supplier_name="Werkbedrijf Emmen",
        supplier_kvk="12345678",
        supplier_certification=certification,
    )


def test_invoices_are_valued_with_the_policys_credit_table(authority, contractor, officer):
    contract = register(authority, contractor, officer, labour_share_bp=4000)  # owes 4.000.000
    owner = contractor.members[0].user

    werkbedrijf = realisations.submit(contract, invoice("F-1", 1_234_567, "werkbedrijf"), owner)
    member = realisations.submit(contract, invoice("F-2", 1_234_567, "social_enterprise_nl"), owner)
    unlisted = realisations.submit(
        contract, invoice("F-3", 1_234_567, "code_sociale_ondernemingen"), owner
    )

    # 1.234.567 × 80% = 987.653,6 -> 987.654; × 25% = 308.641,75 -> 308.642; not listed: 0
    # (the default table would have given 100% and 50%)
    assert [werkbedrijf.value_cents, member.value_cents, unlisted.value_cents] == [
        987_654,
        308_642,
        0,
    ]

    realisations.approve([werkbedrijf.id, member.id], officer)

    db.session.expire_all()
    contract = db.session.get(Contract, contract.id)
    # 987.654 + 308.642 = 1.296.296 approved of 4.000.000: 32,41% -> 32.4
    assert (contract.approved_cents, contract.pending_cents) == (1_296_296, 0)
    assert float(contract.percent) == 32.4
