"""The SROI obligation of a contract (docs/domain.md "The SROI obligation of a contract")."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from marketplace.domain.obligation import (
    PSO_LEVELS,
    STEP_CODES,
    ContractTerms,
    Obligation,
    ObligationInputError,
    Policy,
    add_months,
    lasts_at_least,
    obligation_for,
    pso_counts,
)

# The docs/domain.md API example: Rijk-style 5% above € 250.000 and 6 months.
POLICY = Policy(
    threshold_cents=25_000_000,
    min_duration_months=6,
    percentage_bp=500,
    low_labour_share_bp=3000,
    low_labour_percentage_bp=200,
    cap_cents=None,
    pso_remaining_bp={"trede_1": 5000, "trede_2": 0, "trede_3": 0},
)
CONTRACT = ContractTerms(
    value_cents=120_000_000,
    award_date=date(2026, 2, 1),
    start=date(2026, 3, 1),
    end=date(2028, 2, 29),
    labour_share_bp=4000,
    pso_level="trede_1",
    pso_valid_until=date(2027, 1, 31),
)
NO_PSO = replace(CONTRACT, pso_level=None, pso_valid_until=None)


def test_api_example_trede_1_halves_the_obligation() -> None:
    result = obligation_for(CONTRACT, POLICY)
    assert result.obligation_cents == 3_000_000
    assert result.status == "due"
    assert result.percentage_bp == 500
    assert result.steps == (
        (
            "percentage",
            {"percentage_bp": 500, "value_cents": 120_000_000, "amount_cents": 6_000_000},
        ),
        ("pso_discount", {"level": "trede_1", "remaining_bp": 5000, "amount_cents": 3_000_000}),
    )


def test_without_pso_the_full_percentage_is_due() -> None:
    result = obligation_for(NO_PSO, POLICY)
    assert (result.obligation_cents, result.status) == (6_000_000, "due")
    assert result.steps == (
        (
            "percentage",
            {"percentage_bp": 500, "value_cents": 120_000_000, "amount_cents": 6_000_000},
        ),
    )


# threshold and duration ------------------------------------------------------------------------


def test_value_equal_to_the_threshold_applies() -> None:
    result = obligation_for(replace(NO_PSO, value_cents=25_000_000), POLICY)
    assert (result.obligation_cents, result.status) == (1_250_000, "due")


def test_value_one_cent_below_the_threshold_does_not_apply() -> None:
    result = obligation_for(replace(NO_PSO, value_cents=24_999_999), POLICY)
    assert result == Obligation(
        obligation_cents=0,
        status="not_applicable",
        percentage_bp=500,
        steps=(("below_threshold", {"value_cents": 24_999_999, "threshold_cents": 25_000_000}),),
    )


def test_1_january_to_30_june_is_six_months() -> None:
    terms = replace(NO_PSO, start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert obligation_for(terms, POLICY).status == "due"


def test_1_january_to_29_june_is_not_six_months() -> None:
    terms = replace(NO_PSO, start=date(2026, 1, 1), end=date(2026, 6, 29))
    result = obligation_for(terms, POLICY)
    assert (result.obligation_cents, result.status) == (0, "not_applicable")
    assert result.steps == (("too_short", {"months": 6}),)


def test_not_applicable_lists_every_reason() -> None:
    terms = replace(NO_PSO, value_cents=100, start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert obligation_for(terms, POLICY).steps == (
        ("below_threshold", {"value_cents": 100, "threshold_cents": 25_000_000}),
        ("too_short", {"months": 6}),
    )


def test_a_one_month_minimum_is_one_month_in_the_explanation() -> None:
    policy = replace(POLICY, min_duration_months=1)
    terms = replace(NO_PSO, start=date(2026, 1, 1), end=date(2026, 1, 30))
    assert obligation_for(terms, policy).steps == (("too_short", {"months": 1}),)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 1), 6, date(2026, 7, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 20), 0, date(2026, 5, 20)),
        (date(2026, 1, 1), 24, date(2028, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_lasts_at_least_from_a_month_end() -> None:
    # 31 August + 6 months = 28 February, so the period must run to 27 February inclusive
    assert lasts_at_least(date(2026, 8, 31), date(2027, 2, 27), 6)
    assert not lasts_at_least(date(2026, 8, 31), date(2027, 2, 26), 6)


def test_lasts_at_least_zero_months_is_always_true() -> None:
    assert lasts_at_least(date(2026, 1, 1), date(2026, 1, 1), 0)


# percentage, cap and PSO -----------------------------------------------------------------------


def test_low_labour_share_uses_the_lower_percentage() -> None:
    result = obligation_for(replace(NO_PSO, labour_share_bp=2000), POLICY)
    assert (result.obligation_cents, result.percentage_bp) == (2_400_000, 200)
    assert result.steps == (
        (
            "low_labour_share",
            {
                "labour_share_bp": 2000,
                "low_labour_share_bp": 3000,
                "percentage_bp": 200,
                "normal_percentage_bp": 500,
            },
        ),
        (
            "percentage",
            {"percentage_bp": 200, "value_cents": 120_000_000, "amount_cents": 2_400_000},
        ),
    )


def test_labour_share_equal_to_the_limit_keeps_the_normal_percentage() -> None:
    result = obligation_for(replace(NO_PSO, labour_share_bp=3000), POLICY)
    assert (result.obligation_cents, result.percentage_bp) == (6_000_000, 500)


def test_unknown_labour_share_keeps_the_normal_percentage() -> None:
    result = obligation_for(replace(NO_PSO, labour_share_bp=None), POLICY)
    assert result.percentage_bp == 500


def test_low_labour_rule_needs_both_policy_fields() -> None:
    policy = replace(POLICY, low_labour_percentage_bp=None)
    assert obligation_for(replace(NO_PSO, labour_share_bp=0), policy).percentage_bp == 500


def test_cap_limits_the_obligation() -> None:
    policy = replace(POLICY, cap_cents=5_000_000)
    result = obligation_for(NO_PSO, policy)
    assert (result.obligation_cents, result.status) == (5_000_000, "due")
    assert result.steps[-1] == ("capped", {"cap_cents": 5_000_000})


def test_cap_applies_before_the_pso_discount() -> None:
    # 60.000 capped to 50.000, then 50% -> 25.000 (PSO first would give 30.000 under the cap)
    policy = replace(POLICY, cap_cents=5_000_000)
    result = obligation_for(CONTRACT, policy)
    assert result.obligation_cents == 2_500_000
    assert result.steps[-1] == (
        "pso_discount",
        {"level": "trede_1", "remaining_bp": 5000, "amount_cents": 2_500_000},
    )


def test_cap_above_the_obligation_changes_nothing() -> None:
    result = obligation_for(NO_PSO, replace(POLICY, cap_cents=10_000_000))
    assert result.obligation_cents == 6_000_000
    assert len(result.steps) == 1


def test_cap_of_zero_means_no_cap() -> None:
    assert obligation_for(NO_PSO, replace(POLICY, cap_cents=0)).obligation_cents == 6_000_000


def test_pso_certificate_valid_on_the_award_date_counts() -> None:
    terms = replace(CONTRACT, pso_valid_until=CONTRACT.award_date)
    assert obligation_for(terms, POLICY).obligation_cents == 3_000_000


def test_pso_certificate_expired_before_the_award_date_does_not_count() -> None:
    terms = replace(CONTRACT, pso_valid_until=date(2026, 1, 31))
    result = obligation_for(terms, POLICY)
    assert (result.obligation_cents, result.status) == (6_000_000, "due")
    assert result.steps[-1] == (
        "pso_expired",
        {"level": "trede_1", "valid_until": "2026-01-31", "award_date": "2026-02-01"},
    )


def test_pso_level_without_validity_does_not_count() -> None:
    result = obligation_for(replace(CONTRACT, pso_valid_until=None), POLICY)
    assert result.obligation_cents == 6_000_000
    assert result.steps[-1] == ("pso_validity_unknown", {"level": "trede_1"})


def test_pso_level_not_in_the_policy_keeps_the_full_obligation() -> None:
    terms = replace(CONTRACT, pso_level="aspirant")
    result = obligation_for(terms, POLICY)
    assert (result.obligation_cents, result.status) == (6_000_000, "due")
    assert result.steps[-1] == (
        "pso_discount",
        {"level": "aspirant", "remaining_bp": 10000, "amount_cents": 6_000_000},
    )


@pytest.mark.parametrize("level", ["trede_2", "trede_3"])
def test_pso_level_with_nothing_remaining_is_exempt(level: str) -> None:
    result = obligation_for(replace(CONTRACT, pso_level=level), POLICY)
    assert (result.obligation_cents, result.status) == (0, "exempt")
    assert result.steps[-1] == (
        "pso_exempt",
        {"level": level, "remaining_bp": 0, "amount_cents": 0},
    )


def test_pso_30_plus_exempts() -> None:
    policy = replace(POLICY, pso_remaining_bp={"pso_30_plus": 0})
    result = obligation_for(replace(CONTRACT, pso_level="pso_30_plus"), policy)
    assert result.status == "exempt"
    assert result.steps[-1][0] == "pso_exempt"


def test_one_rounding_at_the_end() -> None:
    # 10.010 × 5% = 500,5 cents, × 50% = 250,25 -> 250 (rounding in between would give 251)
    policy = replace(POLICY, threshold_cents=0)
    terms = replace(CONTRACT, value_cents=10_010)
    assert obligation_for(terms, policy).obligation_cents == 250


def test_the_percentage_step_is_not_rounded_down_before_the_end() -> None:
    # 10.010 × 5% = 500,5 cents -> 501 (half up, once); truncating the step would give 500
    policy = replace(POLICY, threshold_cents=0)
    terms = replace(NO_PSO, value_cents=10_010)
    assert obligation_for(terms, policy).obligation_cents == 501


def test_a_sub_cent_amount_before_pso_is_not_applicable_not_exempt() -> None:
    # 9 cents × 5% = 0,45 cent rounds to 0 before PSO: nothing was due, so PSO exempts nothing
    policy = replace(POLICY, threshold_cents=0)
    exempting = replace(CONTRACT, value_cents=9, pso_level="trede_2")
    result = obligation_for(exempting, policy)
    assert (result.obligation_cents, result.status) == (0, "not_applicable")


def test_a_half_cent_before_pso_is_due_and_then_exempt() -> None:
    # 10 cents × 5% = 0,5 cent rounds to 1 before PSO: something was due, trede 2 exempts it
    policy = replace(POLICY, threshold_cents=0)
    result = obligation_for(replace(CONTRACT, value_cents=10, pso_level="trede_2"), policy)
    assert (result.obligation_cents, result.status) == (0, "exempt")


def test_a_sub_cent_amount_without_pso_is_not_applicable() -> None:
    result = obligation_for(replace(NO_PSO, value_cents=9), replace(POLICY, threshold_cents=0))
    assert (result.obligation_cents, result.status) == (0, "not_applicable")


def test_zero_percent_policy_is_not_applicable_not_exempt() -> None:
    result = obligation_for(CONTRACT, replace(POLICY, percentage_bp=0))
    assert (result.obligation_cents, result.status) == (0, "not_applicable")


def test_not_applicable_reports_the_policy_percentage() -> None:
    terms = replace(NO_PSO, value_cents=1, labour_share_bp=1000)
    assert obligation_for(terms, POLICY).percentage_bp == 200


def test_pso_counts() -> None:
    award = date(2026, 2, 1)
    assert pso_counts(date(2026, 2, 1), award)
    assert pso_counts(date(2027, 1, 31), award)
    assert not pso_counts(date(2026, 1, 31), award)
    assert not pso_counts(None, award)


def test_steps_are_plain_json_values() -> None:
    """A contract stores its steps as JSON: codes, whole numbers and ISO dates, nothing else."""
    terms = replace(CONTRACT, labour_share_bp=1000, pso_valid_until=date(2026, 1, 31))
    result = obligation_for(terms, replace(POLICY, cap_cents=1_000_000))
    assert [code for code, _params in result.steps] == [
        "low_labour_share",
        "percentage",
        "capped",
        "pso_expired",
    ]
    assert json.loads(json.dumps(result.steps)) == [list(step) for step in result.steps]


# input errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "policy", "code", "field"),
    [
        (replace(CONTRACT, value_cents=-1), POLICY, "negative_amount", "value_cents"),
        (replace(CONTRACT, end=date(2026, 2, 28)), POLICY, "end_before_start", "end"),
        (CONTRACT, replace(POLICY, percentage_bp=10001), "bp_out_of_range", "percentage_bp"),
        (CONTRACT, replace(POLICY, percentage_bp=-1), "bp_out_of_range", "percentage_bp"),
        (replace(CONTRACT, labour_share_bp=12000), POLICY, "bp_out_of_range", "labour_share_bp"),
        (
            CONTRACT,
            replace(POLICY, pso_remaining_bp={"trede_1": 20000}),
            "bp_out_of_range",
            "pso_remaining_bp",
        ),
        (replace(CONTRACT, pso_level="trede_9"), POLICY, "unknown_pso_level", "pso_level"),
        (
            CONTRACT,
            replace(POLICY, pso_remaining_bp={"gold": 0}),
            "unknown_pso_level",
            "pso_remaining_bp",
        ),
        (CONTRACT, replace(POLICY, cap_cents=-5), "negative_amount", "cap_cents"),
        (CONTRACT, replace(POLICY, threshold_cents=-5), "negative_amount", "threshold_cents"),
        (CONTRACT, replace(POLICY, min_duration_months=-1), "out_of_range", "min_duration_months"),
    ],
)
def test_invalid_input_is_refused(
    terms: ContractTerms, policy: Policy, code: str, field: str
) -> None:
    with pytest.raises(ObligationInputError) as caught:
        obligation_for(terms, policy)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert isinstance(caught.value, ValueError)


# properties ------------------------------------------------------------------------------------

values = st.integers(min_value=0, max_value=10**12)
basis_points = st.integers(min_value=0, max_value=10_000)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
policies = st.builds(
    Policy,
    threshold_cents=st.integers(min_value=0, max_value=10**9),
    min_duration_months=st.integers(min_value=0, max_value=36),
    percentage_bp=basis_points,
    low_labour_share_bp=st.none() | basis_points,
    low_labour_percentage_bp=st.none() | basis_points,
    cap_cents=st.none() | st.integers(min_value=0, max_value=10**9),
    pso_remaining_bp=st.dictionaries(st.sampled_from(PSO_LEVELS), basis_points),
)


@st.composite
def contracts(draw: st.DrawFn) -> ContractTerms:
    start = draw(days)
    end = draw(st.dates(min_value=start, max_value=date(2040, 12, 31)))
    return ContractTerms(
        value_cents=draw(values),
        award_date=draw(days),
        start=start,
        end=end,
        labour_share_bp=draw(st.none() | basis_points),
        pso_level=draw(st.none() | st.sampled_from(PSO_LEVELS)),
        pso_valid_until=draw(st.none() | days),
    )


@settings(max_examples=200)
@given(contracts(), policies)
def test_obligation_never_exceeds_the_cap_nor_the_percentage(
    terms: ContractTerms, policy: Policy
) -> None:
    result = obligation_for(terms, policy)
    assert result.obligation_cents >= 0
    if policy.cap_cents:
        assert result.obligation_cents <= policy.cap_cents
    assert result.obligation_cents * 10_000 <= terms.value_cents * result.percentage_bp + 5_000
    assert result.status in ("due", "not_applicable", "exempt")
    assert (result.status == "due") == (result.obligation_cents > 0)
    assert all(code in STEP_CODES for code, _params in result.steps)


@settings(max_examples=200)
@given(contracts(), policies, values)
def test_obligation_is_monotonic_in_value_above_the_threshold(
    terms: ContractTerms, policy: Policy, other_value: int
) -> None:
    low, high = sorted((terms.value_cents, other_value))
    assume(low >= policy.threshold_cents)
    low_result = obligation_for(replace(terms, value_cents=low), policy)
    high_result = obligation_for(replace(terms, value_cents=high), policy)
    assert low_result.obligation_cents <= high_result.obligation_cents


@settings(max_examples=200)
@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=3000))
def test_lasts_at_least_matches_add_months(start: date, months: int, length: int) -> None:
    end = date.fromordinal(start.toordinal() + length)
    boundary = add_months(start, months)
    assert lasts_at_least(start, end, months) == (end.toordinal() + 1 >= boundary.toordinal())
    # adding months never goes back in time and lands in the right calendar month
    assert boundary >= start
    assert (boundary.year * 12 + boundary.month) - (start.year * 12 + start.month) == months
