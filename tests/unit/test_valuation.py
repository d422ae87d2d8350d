"""Valuation of realisations against building blocks (docs/domain.md "Building blocks")."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.valuation import (
    BONUS_ATTRIBUTES,
    CERTIFICATIONS,
    DEFAULT_CREDIT_BP,
    UNITS,
    Block,
    Line,
    RealisationInput,
    Valuation,
    ValuationError,
    valuate,
)

VALUE_TABLES = "marketplace/data/value-tables.json"
PW = Block(
    code="PW",
    unit="fte_year",
    rate_cents=4_000_000,
    min_hours_per_week=Decimal(12),
    max_days=730,
    bonuses={"age_50_plus": 1_000_000, "statushouder": 1_000_000, "permanent_contract": 1_000_000},
)
WEP = Block(code="WEP", unit="month", rate_cents=75_000)
MA = Block(code="MA", unit="hour", rate_cents=10_000)
INK = Block(code="INK", unit="invoice")
TRAINING = Block(code="OPL", unit="cost")
DIPLOMA = Block(code="DIP", unit="fixed", rate_cents=50_000)

JAN_1 = date(2026, 1, 1)
JUN_30 = date(2026, 6, 30)


def fte(
    hours: Decimal | str | int,
    start: date = JAN_1,
    end: date = JUN_30,
    attributes: frozenset[str] = frozenset(),
) -> RealisationInput:
    return RealisationInput(
        start=start, end=end, hours_per_week=Decimal(hours), attributes=attributes
    )


def invoice(cents: int, certification: str | None) -> RealisationInput:
    return RealisationInput(invoice_excl_vat_cents=cents, supplier_certification=certification)


def error_of(block: Block, realisation: RealisationInput) -> ValuationError:
    with pytest.raises(ValuationError) as caught:
        valuate(block, realisation)
    return caught.value


# fte_year ------------------------------------------------------------------------------------


def test_worked_example_pw_with_age_50_plus_bonus() -> None:
    # docs/domain.md: 4.000.000 × 24/36 × 181/365 = 1.322.374,43 -> 1.322.374 and
    # 1.000.000 × 24/36 × 181/365 = 330.593,61 -> 330.594
    block = Block("PW", "fte_year", rate_cents=4_000_000, bonuses={"age_50_plus": 1_000_000})
    result = valuate(block, fte(24, attributes=frozenset({"age_50_plus"})))
    assert result == Valuation(1_652_968, (Line("PW", 1_322_374), Line("age_50_plus", 330_594)))


def test_api_example_with_min_hours_and_max_days() -> None:
    result = valuate(PW, fte(24, attributes=frozenset({"age_50_plus"})))
    assert result.value_cents == 1_652_968
    assert [line.code for line in result.lines] == ["PW", "age_50_plus"]


def test_days_are_inclusive_one_day_period() -> None:
    # 4.000.000 × 36/36 × 1/365 = 10.958,90
    assert valuate(PW, fte(36, start=JAN_1, end=JAN_1)).value_cents == 10_959


def test_hours_with_two_decimals_are_exact() -> None:
    # 4.000.000 × 15.5/36 × 365/365 = 1.722.222,22
    result = valuate(PW, fte("15.5", end=date(2026, 12, 31)))
    assert result.value_cents == 1_722_222


def test_hours_above_a_full_fte_count_as_36() -> None:
    assert valuate(PW, fte(48)).value_cents == valuate(PW, fte(36)).value_cents
    # a full year at full time is exactly the rate
    assert valuate(PW, fte(40, end=date(2026, 12, 31))).value_cents == 4_000_000


def test_max_days_caps_the_period() -> None:
    # 4.000.000 × 12/36 × 730/365 = 2.666.666,67; a 731st day adds nothing
    two_years = fte(12, start=JAN_1, end=JAN_1 + timedelta(days=729))
    longer = fte(12, start=JAN_1, end=JAN_1 + timedelta(days=1000))
    assert valuate(PW, two_years).value_cents == 2_666_667
    assert valuate(PW, longer).value_cents == 2_666_667


@pytest.mark.parametrize("unit", ["fte_year", "month"])
def test_max_days_of_zero_is_an_invalid_block(unit: str) -> None:
    # A block that counts no day at all is a mistake in the table, not a block worth € 0.
    block = Block("PW", unit, rate_cents=4_000_000, max_days=0)
    error = error_of(block, fte(24))
    assert (error.code, error.field) == ("invalid_block", "max_days")


def test_max_days_of_one_counts_one_day() -> None:
    # 4.000.000 × 36/36 × 1/365 = 10.958,90 -> 10.959
    block = Block("PW", "fte_year", rate_cents=4_000_000, max_days=1)
    assert valuate(block, fte(36)).value_cents == 10_959


def test_no_max_days_means_no_limit() -> None:
    block = Block("PW", "fte_year", rate_cents=4_000_000)
    # 4.000.000 × 12/36 × 731/365 = 2.670.319,63
    assert valuate(block, fte(12, start=JAN_1, end=JAN_1 + timedelta(days=730))).value_cents == (
        2_670_320
    )


def test_hours_below_the_block_minimum_are_refused() -> None:
    error = error_of(PW, fte("11.99"))
    assert (error.code, error.field) == ("below_min_hours", "hours_per_week")
    assert error.params == {"minimum": "12"}


def test_hours_equal_to_the_minimum_are_accepted() -> None:
    # 4.000.000 × 12/36 × 181/365 = 661.187,21
    assert valuate(PW, fte(12)).value_cents == 661_187


def test_each_bonus_the_candidate_has_adds_its_own_line_in_block_order() -> None:
    attributes = frozenset({"permanent_contract", "age_50_plus", "statushouder"})
    result = valuate(PW, fte(24, attributes=attributes))
    assert result.lines == (
        Line("PW", 1_322_374),
        Line("age_50_plus", 330_594),
        Line("statushouder", 330_594),
        Line("permanent_contract", 330_594),
    )
    assert result.value_cents == 1_322_374 + 3 * 330_594


def test_bonus_not_listed_on_the_block_or_not_held_adds_nothing() -> None:
    block = Block("PW", "fte_year", rate_cents=4_000_000, bonuses={"age_50_plus": 1_000_000})
    result = valuate(block, fte(24, attributes=frozenset({"statushouder", "unknown_attr"})))
    assert result.lines == (Line("PW", 1_322_374),)


def test_lines_round_each_on_their_own() -> None:
    # 1.006.524 × 1/36 × 1/365 = 76,6 -> 77 for the block and for the bonus: 154 in all,
    # where rounding the sum (153,2) would give 153
    block = Block("X", "fte_year", rate_cents=1_006_524, bonuses={"age_50_plus": 1_006_524})
    result = valuate(block, fte(1, end=JAN_1, attributes=frozenset({"age_50_plus"})))
    assert result.lines == (Line("X", 77), Line("age_50_plus", 77))
    assert result.value_cents == 154


def test_zero_bonus_line_is_left_out_but_block_line_is_kept() -> None:
    block = Block("X", "fte_year", rate_cents=1, bonuses={"age_50_plus": 1})
    result = valuate(block, fte(1, end=JAN_1, attributes=frozenset({"age_50_plus"})))
    assert result == Valuation(0, (Line("X", 0),))


@pytest.mark.parametrize("hours", ["0", "-1", "168.01", "200"])
def test_hours_per_week_out_of_range(hours: str) -> None:
    error = error_of(PW, fte(hours))
    assert (error.code, error.field) == ("hours_out_of_range", "hours_per_week")


def test_hours_per_week_of_168_is_allowed() -> None:
    assert valuate(PW, fte(168)).value_cents == valuate(PW, fte(36)).value_cents


def test_more_than_two_decimals_is_refused_but_trailing_zeros_are_fine() -> None:
    error = error_of(PW, fte("12.345"))
    assert (error.code, error.field) == ("too_many_decimals", "hours_per_week")
    assert valuate(PW, fte("24.000")).value_cents == valuate(PW, fte(24)).value_cents


def test_float_hours_are_read_as_their_decimal_text() -> None:
    realisation = RealisationInput(start=JAN_1, end=JUN_30, hours_per_week=15.5)
    assert valuate(PW, realisation) == valuate(PW, fte("15.5"))


def test_non_numeric_hours_are_refused() -> None:
    realisation = RealisationInput(start=JAN_1, end=JUN_30, hours_per_week="24,5")
    assert error_of(PW, realisation).code == "invalid_number"


def test_end_before_start_is_refused() -> None:
    error = error_of(PW, fte(24, start=JUN_30, end=JAN_1))
    assert (error.code, error.field) == ("end_before_start", "end")


@pytest.mark.parametrize(
    ("realisation", "field"),
    [
        (RealisationInput(end=JUN_30, hours_per_week=Decimal(24)), "start"),
        (RealisationInput(start=JAN_1, hours_per_week=Decimal(24)), "end"),
        (RealisationInput(start=JAN_1, end=JUN_30), "hours_per_week"),
    ],
)
def test_fte_year_missing_fields(realisation: RealisationInput, field: str) -> None:
    error = error_of(PW, realisation)
    assert (error.code, error.field) == ("missing_field", field)


def test_block_without_rate_is_refused() -> None:
    error = error_of(Block("PW", "fte_year"), fte(24))
    assert (error.code, error.field) == ("missing_field", "rate_cents")


def test_negative_rate_is_refused() -> None:
    error = error_of(Block("PW", "fte_year", rate_cents=-1), fte(24))
    assert (error.code, error.field) == ("negative_amount", "rate_cents")


# month, hour, fixed, cost ----------------------------------------------------------------------


def test_month_unit() -> None:
    # 75.000 × 181 × 12/365 = 446.301,37
    result = valuate(WEP, RealisationInput(start=JAN_1, end=JUN_30))
    assert result == Valuation(446_301, (Line("WEP", 446_301),))


def test_month_unit_respects_max_days_and_ignores_bonuses() -> None:
    block = Block("WEP", "month", rate_cents=75_000, max_days=30, bonuses={"age_50_plus": 1})
    realisation = RealisationInput(start=JAN_1, end=JUN_30, attributes=frozenset({"age_50_plus"}))
    # 75.000 × 30 × 12/365 = 73.972,60
    assert valuate(block, realisation) == Valuation(73_973, (Line("WEP", 73_973),))


def test_month_unit_needs_a_period() -> None:
    assert error_of(WEP, RealisationInput(start=JAN_1)).field == "end"


def test_hour_unit_with_decimal_hours() -> None:
    # € 100 × 12,25 hours
    result = valuate(MA, RealisationInput(hours=Decimal("12.25")))
    assert result == Valuation(122_500, (Line("MA", 122_500),))


def test_hour_unit_zero_hours_is_worth_zero() -> None:
    assert valuate(MA, RealisationInput(hours=Decimal(0))) == Valuation(0, (Line("MA", 0),))


def test_hour_unit_refuses_negative_hours_and_three_decimals() -> None:
    assert error_of(MA, RealisationInput(hours=Decimal(-1))).code == "hours_out_of_range"
    assert error_of(MA, RealisationInput(hours=Decimal("1.001"))).code == "too_many_decimals"
    assert error_of(MA, RealisationInput()).code == "missing_field"


def test_fixed_unit_counts_quantity_default_one() -> None:
    assert valuate(DIPLOMA, RealisationInput()).value_cents == 50_000
    assert valuate(DIPLOMA, RealisationInput(quantity=3)).value_cents == 150_000


@pytest.mark.parametrize("quantity", [0, -2])
def test_fixed_unit_quantity_must_be_at_least_one(quantity: int) -> None:
    error = error_of(DIPLOMA, RealisationInput(quantity=quantity))
    assert (error.code, error.field) == ("quantity_out_of_range", "quantity")


def test_cost_unit_counts_costs_in_full() -> None:
    result = valuate(TRAINING, RealisationInput(cost_excl_vat_cents=123_456))
    assert result == Valuation(123_456, (Line("OPL", 123_456),))


def test_cost_unit_refuses_negative_and_missing_cost() -> None:
    negative = error_of(TRAINING, RealisationInput(cost_excl_vat_cents=-1))
    assert (negative.code, negative.field) == ("negative_amount", "cost_excl_vat_cents")
    missing = error_of(TRAINING, RealisationInput())
    assert (missing.code, missing.field) == ("missing_field", "cost_excl_vat_cents")


# invoice ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("certification", "value"),
    [
        ("code_sociale_ondernemingen", 1_000_000),
        ("werkbedrijf", 1_000_000),
        ("pso_30_plus", 1_000_000),
        ("social_enterprise_nl", 500_000),
        ("pso_trede_3", 300_000),
        ("none", 0),
    ],
)
def test_invoice_credit_by_default_table(certification: str, value: int) -> None:
    result = valuate(INK, invoice(1_000_000, certification))
    assert result == Valuation(value, (Line("INK", value),))


def test_default_credit_table_covers_every_certification() -> None:
    assert set(DEFAULT_CREDIT_BP) == set(CERTIFICATIONS)


def test_invoice_credit_rounds_half_up() -> None:
    # 1 cent × 50% = 0,5 -> 1; 3 cents × 50% = 1,5 -> 2
    assert valuate(INK, invoice(1, "social_enterprise_nl")).value_cents == 1
    assert valuate(INK, invoice(3, "social_enterprise_nl")).value_cents == 2


def test_invoice_credit_from_the_policy_table() -> None:
    block = Block("INK", "invoice", credit_bp_by_certification={"werkbedrijf": 8000})
    assert valuate(block, invoice(1_000_000, "werkbedrijf")).value_cents == 800_000
    # a certification the policy's table does not list earns nothing
    assert valuate(block, invoice(1_000_000, "code_sociale_ondernemingen")).value_cents == 0


def test_invoice_unknown_certification_is_refused() -> None:
    error = error_of(INK, invoice(1_000, "iso_9001"))
    assert (error.code, error.field) == ("unknown_certification", "supplier_certification")


def test_invoice_without_certification_is_refused() -> None:
    error = error_of(INK, invoice(1_000, None))
    assert (error.code, error.field) == ("missing_field", "supplier_certification")


def test_invoice_negative_amount_is_refused() -> None:
    error = error_of(INK, invoice(-1, "werkbedrijf"))
    assert (error.code, error.field) == ("negative_amount", "invoice_excl_vat_cents")


# errors ----------------------------------------------------------------------------------------


def test_unknown_unit_is_refused() -> None:
    error = error_of(Block("X", "week", rate_cents=1), fte(24))
    assert (error.code, error.field) == ("unknown_unit", "unit")


def test_error_is_a_value_error_with_code_field_and_params_but_no_sentence() -> None:
    error = error_of(PW, fte(24, start=JUN_30, end=JAN_1))
    assert isinstance(error, ValueError)
    assert (error.code, error.field) == ("end_before_start", "end")
    assert error.params == {"start": "2026-06-30", "end": "2026-01-01"}
    assert not hasattr(error, "message")


def test_constants() -> None:
    assert UNITS == ("fte_year", "month", "hour", "invoice", "fixed", "cost")
    assert BONUS_ATTRIBUTES[:3] == ("age_50_plus", "statushouder", "permanent_contract")


def test_every_bonus_of_the_real_tables_is_a_known_attribute() -> None:
    """A bonus no attribute names could never be claimed by a contractor."""
    tables = json.loads((Path(__file__).parents[2] / VALUE_TABLES).read_text(encoding="utf-8"))
    rewarded = {
        attribute
        for table in tables["tables"]
        for block in table["blocks"]
        for attribute in block.get("bonuses", {})
    }
    assert rewarded <= set(BONUS_ATTRIBUTES)


# properties ------------------------------------------------------------------------------------

hours_per_week = st.integers(min_value=1, max_value=16_800).map(lambda n: Decimal(n).scaleb(-2))
period_length = st.integers(min_value=0, max_value=1_500)
attribute_sets = st.frozensets(st.sampled_from(BONUS_ATTRIBUTES))
NO_MINIMUM = Block(
    "PW",
    "fte_year",
    rate_cents=4_000_000,
    max_days=730,
    bonuses={"age_50_plus": 1_000_000, "statushouder": 1_000_000},
)


@settings(max_examples=200)
@given(hours_per_week, hours_per_week, period_length, attribute_sets)
def test_value_is_monotonic_in_hours_per_week(
    a: Decimal, b: Decimal, days: int, attributes: frozenset[str]
) -> None:
    low, high = sorted((a, b))
    end = JAN_1 + timedelta(days=days)
    low_value = valuate(NO_MINIMUM, fte(low, end=end, attributes=attributes)).value_cents
    high_value = valuate(NO_MINIMUM, fte(high, end=end, attributes=attributes)).value_cents
    assert 0 <= low_value <= high_value


@settings(max_examples=200)
@given(hours_per_week, period_length, period_length, attribute_sets)
def test_value_is_monotonic_in_days(
    hours: Decimal, a: int, b: int, attributes: frozenset[str]
) -> None:
    short, long = sorted((a, b))
    short_value = valuate(
        NO_MINIMUM,
        fte(hours, end=JAN_1 + timedelta(days=short), attributes=attributes),
    ).value_cents
    long_value = valuate(
        NO_MINIMUM,
        fte(hours, end=JAN_1 + timedelta(days=long), attributes=attributes),
    ).value_cents
    assert 0 <= short_value <= long_value


@settings(max_examples=200)
@given(
    hours_per_week,
    st.integers(min_value=1, max_value=800),
    st.integers(min_value=1, max_value=800),
    attribute_sets,
)
def test_days_beyond_max_days_count_as_max_days(
    hours: Decimal, max_days: int, extra: int, attributes: frozenset[str]
) -> None:
    block = Block(
        "PW",
        "fte_year",
        rate_cents=4_000_000,
        max_days=max_days,
        bonuses={"age_50_plus": 1_000_000},
    )
    at_cap = fte(hours, end=JAN_1 + timedelta(days=max_days - 1), attributes=attributes)
    beyond = fte(hours, end=JAN_1 + timedelta(days=max_days - 1 + extra), attributes=attributes)
    assert valuate(block, beyond) == valuate(block, at_cap)


@settings(max_examples=200)
@given(
    st.sampled_from(UNITS),
    st.integers(min_value=0, max_value=10**9),
    hours_per_week,
    period_length,
    st.integers(min_value=1, max_value=100),
    st.sampled_from(CERTIFICATIONS),
    attribute_sets,
)
def test_value_is_never_negative_and_is_the_sum_of_its_lines(
    unit: str,
    amount: int,
    hours: Decimal,
    days: int,
    quantity: int,
    certification: str,
    attributes: frozenset[str],
) -> None:
    block = Block("B", unit, rate_cents=amount, bonuses={"age_50_plus": amount})
    realisation = RealisationInput(
        start=JAN_1,
        end=JAN_1 + timedelta(days=days),
        hours_per_week=hours,
        hours=hours,
        quantity=quantity,
        cost_excl_vat_cents=amount,
        invoice_excl_vat_cents=amount,
        supplier_certification=certification,
        attributes=attributes,
    )
    result = valuate(block, realisation)
    assert result.value_cents >= 0
    assert all(line.value_cents >= 0 for line in result.lines)
    assert result.value_cents == sum(line.value_cents for line in result.lines)
    assert result.lines[0].code == "B"
