"""The application's "today" is the day in Europe/Amsterdam, not the server's (UTC) day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from marketplace import clock

# 23:30 UTC on 31 December is already 00:30 on 1 January in Amsterdam (CET, UTC+1).
NEW_YEAR_IN_AMSTERDAM = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def test_today_turns_at_midnight_in_amsterdam_not_at_midnight_utc():
    with time_machine.travel(NEW_YEAR_IN_AMSTERDAM, tick=False):
        assert clock.today() == date(2027, 1, 1)


def test_today_is_still_the_same_day_an_hour_before_midnight_in_amsterdam():
    with time_machine.travel(datetime(2026, 12, 31, 22, 30, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 12, 31)


def test_status_without_a_day_is_computed_for_the_day_in_amsterdam(client):
    """A one-day period that ends on 1 January: by then the whole obligation is expected."""
    with time_machine.travel(NEW_YEAR_IN_AMSTERDAM, tick=False):
        response = client.post(
            "/api/v1/sroi/status",
            json={
                "obligation_cents": 10000,
                "approved_cents": 0,
                "pending_cents": 0,
                "start": "2026-12-31",
                "end": "2027-01-01",
            },
        )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["expected_cents"] == 10000
    assert body["status"] == "at_risk"


def test_a_download_made_at_2330_utc_on_new_years_eve_is_named_1_january():
    with time_machine.travel(NEW_YEAR_IN_AMSTERDAM, tick=False):
        assert clock.dated_name("contracten", "gemeente-emmen") == (
            "contracten-gemeente-emmen-2027-01-01"
        )
