"""Membership states and the dunning schedule (docs/domain.md "Membership states")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.membership import (
    ACTIONS,
    STATUSES,
    TransitionRefused,
    dunning_due,
    dunning_schedule,
    has_member_features,
    is_comped,
    transition,
)

DUE = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("pending", "accept", "pending"),
        ("pending", "reject", "rejected"),
        ("pending", "pay", "active"),
        ("active", "fall_due", "past_due"),
        ("past_due", "suspend", "suspended"),
        ("past_due", "pay", "active"),
        ("suspended", "pay", "active"),
        ("suspended", "comp", "active"),
        ("active", "cancel", "cancelled"),
        ("suspended", "cancel", "cancelled"),
    ],
)
def test_allowed_moves(status: str, action: str, after: str) -> None:
    assert transition(status, action) == after


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("active", "reject"),
        ("active", "accept"),
        ("pending", "fall_due"),
        ("active", "suspend"),
        ("cancelled", "pay"),
        ("rejected", "accept"),
        ("cancelled", "comp"),
        ("pending", "no_such_action"),
    ],
)
def test_refused_moves(status: str, action: str) -> None:
    with pytest.raises(TransitionRefused):
        transition(status, action)


def test_member_features_work_while_active_or_past_due_only() -> None:
    assert [s for s in STATUSES if has_member_features(s)] == ["active", "past_due"]


def test_comped_until_and_including_its_last_day() -> None:
    assert is_comped(date(2027, 6, 30), date(2027, 6, 30))
    assert not is_comped(date(2027, 6, 30), date(2027, 7, 1))
    assert not is_comped(None, date(2027, 7, 1))


def test_dunning_schedule_days() -> None:
    assert [(day, step.name) for day, step in dunning_schedule(DUE)] == [
        (date(2027, 1, 17), "reminder_before_due"),
        (date(2027, 1, 31), "past_due"),
        (date(2027, 2, 14), "reminder_after_due"),
        (date(2027, 3, 2), "suspended"),
    ]


@pytest.mark.parametrize(
    ("today", "done", "expected"),
    [
        (date(2027, 1, 16), set(), []),
        (date(2027, 1, 17), set(), ["reminder_before_due"]),
        (date(2027, 1, 20), {"reminder_before_due"}, []),
        (date(2027, 1, 31), {"reminder_before_due"}, ["past_due"]),  # on the due date itself
        (date(2027, 2, 14), {"reminder_before_due", "past_due"}, ["reminder_after_due"]),
        (
            date(2027, 3, 2),
            {"reminder_before_due", "past_due", "reminder_after_due"},
            ["suspended"],
        ),
        # A sweep that did not run for weeks: both state changes, no overtaken reminder.
        (date(2027, 3, 5), set(), ["past_due", "suspended"]),
        (date(2027, 2, 1), set(), ["past_due"]),
    ],
)
def test_dunning_steps_due_on_a_day(today: date, done: set[str], expected: list[str]) -> None:
    steps = dunning_due(DUE, today, done=frozenset(done), paid=False)
    assert [step.name for step in steps] == expected


def test_no_dunning_once_paid_or_while_comped() -> None:
    assert dunning_due(DUE, date(2027, 3, 5), done=frozenset(), paid=True) == ()
    assert dunning_due(DUE, date(2027, 3, 5), done=frozenset(), paid=False, comped=True) == ()


@given(
    offset=st.integers(min_value=-60, max_value=90),
    done=st.frozensets(
        st.sampled_from(["reminder_before_due", "past_due", "reminder_after_due", "suspended"])
    ),
)
def test_every_state_change_happens_once_and_in_order(offset: int, done: frozenset[str]) -> None:
    today = DUE + timedelta(days=offset)
    steps = dunning_due(DUE, today, done=done, paid=False)
    names = [step.name for step in steps]
    assert not set(names) & done
    assert ("past_due" in names) == (offset >= 0 and "past_due" not in done)
    assert ("suspended" in names) == (offset >= 30 and "suspended" not in done)
    # Taking the steps and sweeping again the same day does nothing more.
    assert dunning_due(DUE, today, done=done | set(names), paid=False) == ()


@given(status=st.sampled_from(STATUSES), action=st.sampled_from(sorted(ACTIONS)))
def test_a_move_ends_in_a_known_state_or_is_refused(status: str, action: str) -> None:
    try:
        assert transition(status, action) in STATUSES
    except TransitionRefused:
        assert status not in ACTIONS[action][0]


@pytest.mark.parametrize(
    ("status", "lost"),
    [
        ("pending", False),
        ("rejected", False),
        ("active", False),
        ("past_due", False),
        ("suspended", True),
        ("cancelled", True),
    ],
)
def test_only_a_membership_that_had_member_features_is_blocked(status: str, lost: bool) -> None:
    from marketplace.domain.membership import has_member_features, lost_member_features

    assert lost_member_features(status) is lost
    assert not (lost and has_member_features(status))
