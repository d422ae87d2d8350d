"""The performance harness itself, on the benchmark data set in small: each measure that writes
leaves the data as seeded (so every run, and every repetition, measures the same work, the first
catch-up after an outage included), and pages are measured through real requests."""

from __future__ import annotations

import tempfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench import measures
from bench.seed import BENCH_TODAY, PASSWORD, biggest_authority_officer, seed_bench
from bench.served import Browser, gunicorn
from marketplace.extensions import db
from marketplace.models import Listing, User
from marketplace.services import organisations

CATCH_UP = BENCH_TODAY + timedelta(days=90)


@pytest.fixture
def seeded(app):
    seed_bench(30, 300, 5)


def test_every_measured_catch_up_sweep_is_the_first_and_the_data_stays_as_seeded(seeded):
    before = measures.fingerprint()
    result = measures.recompute_all(CATCH_UP, repeats=2)
    assert result["notified"][0] > 0
    assert result["notified"] == [result["notified"][0]] * 2
    assert result["changed"] == [result["changed"][0]] * 2
    assert measures.fingerprint() == before


def test_measured_approvals_are_undone(seeded):
    officer = db.session.scalar(select(User).where(User.email == biggest_authority_officer()))
    authority_id = organisations.organisations_of(officer)[0].id
    before = measures.fingerprint()
    result = measures.approval_recompute(authority_id, officer.email, BENCH_TODAY, approvals=3)
    assert result["n"] == 3
    assert measures.fingerprint() == before


def test_dashboard_is_measured_through_requests_to_gunicorn(seeded, app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with tempfile.TemporaryDirectory() as mail_dir, gunicorn(url, mail_dir) as base:
        browser = Browser(base)
        browser.login(biggest_authority_officer(), PASSWORD)
        result = measures.officer_dashboard(browser, contracts=30, requests=3)
    # A real request's statements: the session's user and organisations included.
    assert result["statements_max"] >= 5
    assert result["bytes_max"] > 10_000


def test_search_page_is_timed_by_the_server_next_to_the_hello_route(app):
    from bench.seed import seed_market

    seed_market(40, 8)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with tempfile.TemporaryDirectory() as mail_dir, gunicorn(url, mail_dir) as base:
        browser = Browser(base)
        hello = measures.hello(browser, requests=3)
        result = measures.search_page(browser, rounds=2)
    assert hello["server"]["max"] >= 0
    assert result["server"]["n"] == 2 * len(measures.SEARCH_URLS)
    assert result["server_warm"]["p50"] >= 0 and result["statements_max"] <= 10
    assert result["forced_cold"]["server"]["n"] == 2 * len(measures.SEARCH_URLS)
    assert result["server_cpu"]["max"] >= 0


def test_search_statements_are_timed_in_process_with_the_counts_computed_each_time(app):
    from bench.seed import seed_market

    seed_market(40, 8)
    result = measures.search_statements(calls=2)
    assert set(result) == set(measures.SEARCH_URLS)
    # Each call computes its counts (and, when something matches, reads the rows).
    assert all(len(found["statements"]) >= 1 for found in result.values())
    assert any(len(found["statements"]) >= 2 for found in result.values())
    assert measures.broad_query_total() > 0


def test_demand_matches_are_timed_on_the_seeded_market_and_leave_it_as_it_was(contract):
    from bench.seed import seed_market

    seed_market(60, 10)
    linked = select(func.count()).select_from(Listing).where(Listing.contract_id.is_not(None))
    result = measures.demand_matches(demands=4, warm_up=1)
    assert result["n"] == 4 and result["cpu"]["n"] == 4
    assert result["statements_max"] <= 6  # with a contract: its invoice block too
    assert db.session.scalar(linked) == 0  # the links to a contract were rolled back


def test_the_dunning_sweep_and_its_raw_sql_yardstick_take_the_same_steps_and_undo_them(app):
    from bench.seed import seed_memberships

    seed_memberships(300, 3)
    before = measures.fingerprint()
    result = measures.dunning(BENCH_TODAY, repeats=1)
    for scenario in ("daily", "first"):
        assert result[scenario]["sweep"]["taken"] == result[scenario]["raw_sql"]["taken"]
    assert sum(result["daily"]["sweep"]["taken"].values()) > 0
    assert sum(result["first"]["sweep"]["taken"].values()) > sum(
        result["daily"]["sweep"]["taken"].values()
    )
    assert measures.fingerprint() == before
