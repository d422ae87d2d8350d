"""domain/inputs.py: the rules' inputs built from values named like their fields, as the
calculator page, the calculator API and the policy service hand them over."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketplace.domain.inputs import (
    block_from,
    field_names,
    policy_from,
    realisation_from,
    terms_from,
)
from marketplace.domain.obligation import ContractTerms, Policy, obligation_for
from marketplace.domain.valuation import Block, RealisationInput, valuate


def test_a_policy_takes_the_fields_named_like_its_own_and_ignores_the_rest():
    values = {
        "name": "SROI-beleid 2026",
        "csrf_token": "x",
        "threshold_cents": 25_000_000,
        "min_duration_months": 6,
        "percentage_bp": 500,
        "cap_cents": 4_000_000,
        "pso_remaining_bp": {"trede_1": 5000},
    }
    assert policy_from(values) == Policy(
        threshold_cents=25_000_000,
        min_duration_months=6,
        percentage_bp=500,
        cap_cents=4_000_000,
        pso_remaining_bp={"trede_1": 5000},
    )


def test_a_null_value_means_the_same_as_an_absent_one():
    policy = policy_from(
        {
            "threshold_cents": 0,
            "min_duration_months": 0,
            "percentage_bp": 500,
            "low_labour_share_bp": None,
            "pso_remaining_bp": None,
        }
    )
    assert policy.low_labour_share_bp is None
    assert policy.pso_remaining_bp == {}


def test_an_input_shares_no_mapping_with_the_values_it_came_from():
    bonuses = {"age_50_plus": 1_000_000}
    block = block_from(
        {"code": "PW", "unit": "fte_year", "rate_cents": 4_000_000, "bonuses": bonuses}
    )
    bonuses["statushouder"] = 1
    assert block.bonuses == {"age_50_plus": 1_000_000}


def test_a_realisations_attributes_become_a_frozenset():
    realisation = realisation_from({"hours_per_week": Decimal(24), "attributes": ["age_50_plus"]})
    assert realisation.attributes == frozenset({"age_50_plus"})
    assert realisation_from({}).attributes == frozenset()


def test_the_worked_examples_come_out_the_same_through_the_inputs():
    # docs/domain.md "Worked examples of valuation" (PW) and "The calculator API" (obligation).
    block = block_from(
        {
            "code": "PW",
            "unit": "fte_year",
            "rate_cents": 4_000_000,
            "min_hours_per_week": Decimal(12),
            "max_days": 730,
            "bonuses": {"age_50_plus": 1_000_000},
        }
    )
    realisation = realisation_from(
        {
            "start": date(2026, 1, 1),
            "end": date(2026, 6, 30),
            "hours_per_week": Decimal(24),
            "attributes": ["age_50_plus"],
        }
    )
    assert valuate(block, realisation).value_cents == 1_652_968
    terms = terms_from(
        {
            "value_cents": 120_000_000,
            "award_date": date(2026, 2, 1),
            "start": date(2026, 3, 1),
            "end": date(2028, 2, 29),
        }
    )
    policy = policy_from(
        {"threshold_cents": 25_000_000, "min_duration_months": 6, "percentage_bp": 500}
    )
    assert obligation_for(terms, policy).obligation_cents == 6_000_000


def test_field_names_are_the_dataclasses_own():
    assert field_names(Policy)[:3] == ("threshold_cents", "min_duration_months", "percentage_bp")
    assert "label" not in field_names(Block)
    assert "supplier_certification" in field_names(RealisationInput)
    assert "pso_level" in field_names(ContractTerms)
