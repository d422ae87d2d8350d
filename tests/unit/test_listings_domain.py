"""Marketplace listings: status moves, visibility and expiry (docs/domain.md "The marketplace")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.listings import (
    ACTIONS,
    STATUSES,
    TransitionRefused,
    action_towards,
    allowed_actions,
    can_edit,
    expiry_notice_due,
    is_expired,
    is_public,
    transition,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("draft", "publish", "open"),
        ("open", "pause", "paused"),
        ("paused", "resume", "open"),
        ("open", "close", "closed"),
        ("paused", "close", "closed"),
        ("in_conversation", "close", "closed"),
        ("closed", "reopen", "open"),
        ("expired", "reopen", "open"),
        ("open", "expire", "expired"),
        ("paused", "expire", "expired"),
        ("open", "start_conversation", "in_conversation"),
        ("in_conversation", "match", "matched"),
    ],
)
def test_a_verified_poster_moves_a_listing_along_its_life(status, action, after):
    assert transition(status, action, verified=True) == after


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "pause"),
        ("draft", "close"),
        ("open", "publish"),
        ("closed", "pause"),
        ("matched", "close"),
        ("matched", "reopen"),
        ("expired", "expire"),
        ("draft", "expire"),
        ("paused", "start_conversation"),
        ("open", "match"),
        ("open", "no_such_action"),
    ],
)
def test_a_move_from_the_wrong_status_is_refused(status, action):
    with pytest.raises(TransitionRefused) as refused:
        transition(status, action, verified=True)
    assert refused.value.code == "not_allowed"


@pytest.mark.parametrize(
    ("status", "action"), [("draft", "publish"), ("paused", "resume"), ("closed", "reopen")]
)
def test_an_unverified_organisation_cannot_put_a_listing_in_the_open(status, action):
    with pytest.raises(TransitionRefused) as refused:
        transition(status, action, verified=False)
    assert refused.value.code == "unverified"


def test_an_unverified_organisation_may_still_pause_and_close():
    assert transition("open", "pause", verified=False) == "paused"
    assert transition("paused", "close", verified=False) == "closed"


def test_the_owner_is_offered_only_moves_that_would_succeed():
    assert allowed_actions("draft", verified=True) == ("publish",)
    assert allowed_actions("draft", verified=False) == ()
    assert allowed_actions("open", verified=True) == ("pause", "close")
    assert allowed_actions("paused", verified=True) == ("resume", "close")
    assert allowed_actions("closed", verified=True) == ("reopen",)
    assert allowed_actions("matched", verified=True) == ()


@given(st.sampled_from(STATUSES), st.sampled_from(tuple(ACTIONS)), st.booleans())
def test_every_offered_action_succeeds_and_lands_on_a_known_status(status, action, verified):
    if action in allowed_actions(status, verified=verified):
        assert transition(status, action, verified=verified) in STATUSES


def test_drafts_and_paused_listings_are_private_the_rest_public():
    assert [s for s in STATUSES if not is_public(s)] == ["draft", "paused"]


def test_a_matched_listing_is_not_edited():
    assert not can_edit("matched")
    assert all(can_edit(s) for s in STATUSES if s != "matched")


def test_a_listing_is_still_open_on_its_last_day_and_expired_the_day_after():
    assert not is_expired(TODAY, TODAY)
    assert is_expired(TODAY - timedelta(days=1), TODAY)
    assert not is_expired(None, TODAY)


@pytest.mark.parametrize(
    ("days_left", "due"), [(8, False), (7, True), (1, True), (0, True), (-1, False)]
)
def test_the_owner_is_told_from_seven_days_before_the_last_day(days_left, due):
    expires_on = TODAY + timedelta(days=days_left)
    assert expiry_notice_due(expires_on, TODAY, status="open", already_sent=False) is due


def test_the_expiry_notice_goes_once_and_only_for_listings_that_can_expire():
    soon = TODAY + timedelta(days=3)
    assert not expiry_notice_due(soon, TODAY, status="open", already_sent=True)
    assert not expiry_notice_due(soon, TODAY, status="draft", already_sent=False)
    assert not expiry_notice_due(soon, TODAY, status="closed", already_sent=False)
    assert expiry_notice_due(soon, TODAY, status="paused", already_sent=False)
    assert not expiry_notice_due(None, TODAY, status="open", already_sent=False)


@pytest.mark.parametrize(
    ("status", "target", "action"),
    [
        ("draft", "open", "publish"),
        ("paused", "open", "resume"),
        ("closed", "open", "reopen"),
        ("expired", "open", "reopen"),
        ("open", "paused", "pause"),
        ("in_conversation", "closed", "close"),
        ("open", "matched", None),
        ("open", "expired", None),
        ("draft", "closed", None),
        ("open", "bogus", None),
    ],
)
def test_an_asked_status_is_reached_by_the_owners_move_that_leads_there(status, target, action):
    assert action_towards(status, target) == action


def test_a_network_listing_is_seen_by_its_networks_and_its_poster_only() -> None:
    from marketplace.domain.listings import may_see

    assert may_see("open", None, own=False, networks=())
    assert may_see("open", 7, own=False, networks={7})
    assert not may_see("open", 7, own=False, networks={8})
    assert may_see("draft", 7, own=True, networks=())
    # A network's members see its drafts no more than anyone else does.
    assert not may_see("draft", 7, own=False, networks={7})
