"""PSO self-scan and certificate expiry (docs/domain.md "PSO")."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.pso import NORMS, SelfScan, expiry_state, norms_for, self_scan

LADDER = (None, "aspirant", "trede_1", "trede_2", "trede_3", "pso_30_plus")


def norms(t1: str, t2: str, t3: str) -> dict[str, Decimal]:
    return {"trede_1": Decimal(t1), "trede_2": Decimal(t2), "trede_3": Decimal(t3)}


def scan(total: str, direct: str, indirect: str = "0") -> SelfScan:
    return self_scan(Decimal(total), Decimal(direct), Decimal(indirect))


# norms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        ("10", norms("6.7", "9.0", "15.5")),
        ("50", norms("3.0", "3.7", "6.8")),
        ("105", norms("1.4", "1.9", "3.7")),
        ("3", norms("6.7", "9.0", "15.5")),  # below 10 FTE: the 10-FTE norms
        ("0.5", norms("6.7", "9.0", "15.5")),
        ("250", norms("1.4", "1.9", "3.7")),  # from 105 FTE: the 105-FTE norms
        ("30", norms("4.85", "6.35", "11.15")),  # halfway 10 and 50
        ("77.5", norms("2.2", "2.8", "5.25")),  # halfway 50 and 105
        ("20", norms("5.78", "7.68", "13.33")),  # 6.7 - 3.7/4 = 5.775 -> 5.78
        ("60", norms("2.71", "3.37", "6.24")),  # 3.0 - 1.6 × 10/55 = 2.709… -> 2.71
    ],
)
def test_norms_for_size(total: str, expected: dict[str, Decimal]) -> None:
    assert norms_for(Decimal(total)) == expected


def test_norms_table() -> None:
    assert NORMS[10] == (Decimal("6.7"), Decimal("9.0"), Decimal("15.5"))
    assert sorted(NORMS) == [10, 50, 105]


# self-scan -------------------------------------------------------------------------------------


def test_ten_percent_at_ten_fte_is_trede_2() -> None:
    assert scan("10", "1") == SelfScan(
        score_percent=Decimal("10.00"),
        level="trede_2",
        norms=norms("6.7", "9.0", "15.5"),
        next_level="trede_3",
        extra_fte_needed=Decimal("0.55"),  # 15.5% of 10 = 1.55, minus 1
    )


def test_score_equal_to_the_norm_reaches_the_level() -> None:
    result = scan("50", "1.5")  # 3.00% at 50 FTE
    assert (result.score_percent, result.level) == (Decimal("3.00"), "trede_1")
    assert (result.next_level, result.extra_fte_needed) == ("trede_2", Decimal("0.35"))


def test_indirect_fte_counts_with_direct_fte() -> None:
    assert scan("10", "0.5", "0.5").level == scan("10", "1").level == "trede_2"


def test_trede_3_next_is_pso_30_plus() -> None:
    result = scan("10", "1.6")
    assert (result.level, result.next_level, result.extra_fte_needed) == (
        "trede_3",
        "pso_30_plus",
        Decimal("1.40"),
    )


@pytest.mark.parametrize(("total", "direct", "indirect"), [("10", "2", "1"), ("3", "1", "0")])
def test_thirty_percent_is_pso_30_plus_with_no_next_level(
    total: str, direct: str, indirect: str
) -> None:
    result = scan(total, direct, indirect)
    assert (result.level, result.next_level, result.extra_fte_needed) == ("pso_30_plus", None, None)


def test_above_zero_but_below_trede_1_is_aspirant() -> None:
    result = scan("20", "0.5")
    assert (result.score_percent, result.level, result.next_level) == (
        Decimal("2.50"),
        "aspirant",
        "trede_1",
    )
    assert result.extra_fte_needed == Decimal("0.66")  # 5.78% of 20 = 1.156, minus 0.5


def test_score_zero_has_no_level() -> None:
    result = scan("100", "0")
    assert (result.score_percent, result.level, result.next_level) == (
        Decimal("0.00"),
        None,
        "trede_1",
    )
    assert result.extra_fte_needed == Decimal("1.55")


def test_extra_fte_is_rounded_up() -> None:
    # 6.7% of 3 FTE = 0.201 -> 0.21 (half up would say 0.20, which falls short)
    assert scan("3", "0").extra_fte_needed == Decimal("0.21")


def test_score_is_rounded_to_two_decimals() -> None:
    result = scan("3", "0.2")  # 6.666…% -> 6.67, just below 6.70
    assert (result.score_percent, result.level) == (Decimal("6.67"), "aspirant")
    assert result.extra_fte_needed == Decimal("0.01")


@pytest.mark.parametrize(
    ("total", "direct", "indirect"),
    [("0", "0", "0"), ("-5", "0", "0"), ("10", "-1", "0"), ("10", "0", "-1"), ("10", "6", "5")],
)
def test_invalid_figures_are_refused(total: str, direct: str, indirect: str) -> None:
    with pytest.raises(ValueError):
        scan(total, direct, indirect)


def test_non_numeric_figures_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="total_fte"):
        self_scan("tien", Decimal(1), Decimal(0))  # type: ignore[arg-type]


# expiry ----------------------------------------------------------------------------------------

VALID_UNTIL = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (VALID_UNTIL - timedelta(days=61), "valid"),
        (VALID_UNTIL - timedelta(days=60), "expiring"),
        (VALID_UNTIL - timedelta(days=1), "expiring"),
        (VALID_UNTIL, "expiring"),  # still valid on its last day
        (VALID_UNTIL + timedelta(days=1), "expired"),
    ],
)
def test_expiry_state(today: date, state: str) -> None:
    assert expiry_state(VALID_UNTIL, today) == state


def test_expiry_state_custom_warning() -> None:
    assert expiry_state(VALID_UNTIL, VALID_UNTIL - timedelta(days=20), warn_days=14) == "valid"
    assert expiry_state(VALID_UNTIL, VALID_UNTIL - timedelta(days=14), warn_days=14) == "expiring"


# properties ------------------------------------------------------------------------------------

fte_hundredths = st.integers(min_value=1, max_value=50_000)


@settings(max_examples=200)
@given(fte_hundredths, st.data())
def test_more_target_group_fte_never_lowers_the_level(total: int, data: st.DataObject) -> None:
    low = data.draw(st.integers(min_value=0, max_value=total))
    high = data.draw(st.integers(min_value=low, max_value=total))
    total_fte = Decimal(total).scaleb(-2)
    before = self_scan(total_fte, Decimal(low).scaleb(-2), Decimal(0))
    after = self_scan(total_fte, Decimal(high).scaleb(-2), Decimal(0))
    assert LADDER.index(after.level) >= LADDER.index(before.level)


@settings(max_examples=200)
@given(fte_hundredths, st.data())
def test_extra_fte_needed_reaches_the_next_level(total: int, data: st.DataObject) -> None:
    direct = data.draw(st.integers(min_value=0, max_value=total))
    total_fte = Decimal(total).scaleb(-2)
    result = self_scan(total_fte, Decimal(direct).scaleb(-2), Decimal(0))
    if result.next_level is None:
        assert result.extra_fte_needed is None
        return
    assert result.extra_fte_needed is not None and result.extra_fte_needed > 0
    more = Decimal(direct).scaleb(-2) + result.extra_fte_needed
    if more <= total_fte:
        reached = self_scan(total_fte, more, Decimal(0))
        assert LADDER.index(reached.level) >= LADDER.index(result.next_level)


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=30_000), st.integers(min_value=1, max_value=30_000))
def test_norms_rise_by_trede_and_fall_with_size(a: int, b: int) -> None:
    small, large = sorted((Decimal(a).scaleb(-2), Decimal(b).scaleb(-2)))
    small_norms, large_norms = norms_for(small), norms_for(large)
    assert small_norms["trede_1"] <= small_norms["trede_2"] <= small_norms["trede_3"]
    for trede in ("trede_1", "trede_2", "trede_3"):
        assert large_norms[trede] <= small_norms[trede]
