"""Report services against a real database: chart series from snapshots, authority totals
aggregated in SQL, export rows without per-row queries, the annual report's selection."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from contextlib import contextmanager
from datetime import date

import time_machine
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.services import charts, realisations, reports
from tests.factories import fte_realisation, make_contract, make_policy

SVG = "{http://www.w3.org/2000/svg}"


def approve_on(contract, owner, officer, day: date, candidate: str, start: date, end: date):
    """Submit and approve a PW realisation on `day` (24 hours a week)."""
    with time_machine.travel(day, tick=False):
        r = realisations.submit(contract, fte_realisation(candidate, start, end), owner)
        realisations.approve([r.id], officer)
    return r


def register_on(day: date, *args, **kw):
    with time_machine.travel(day, tick=False):
        return make_contract(*args, **kw)


def test_contract_chart_steps_follow_snapshots_and_reach_today(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = register_on(date(2026, 2, 1), authority, contractor, officer)
    r = approve_on(
        contract, owner, officer, date(2026, 6, 1), "KAND-1", date(2026, 3, 1), date(2026, 5, 31)
    )
    chart = charts.contract_chart(contract, date(2026, 9, 1))
    assert chart.steps == [(date(2026, 2, 1), 0, 0), (date(2026, 6, 1), r.value_cents, 0)]
    assert chart.until == date(2026, 9, 1)
    assert chart.expected[0] == (date(2026, 2, 1), 0)
    assert chart.expected[-1] == (date(2028, 2, 29), 6000000)
    assert chart.rows[-1].approved_cents == r.value_cents


def test_contract_chart_expected_row_is_the_expected_amount_of_the_day(parties):
    authority, contractor, officer, _owner = parties.sides()
    contract = register_on(date(2026, 2, 1), authority, contractor, officer)
    chart = charts.contract_chart(contract, date(2027, 3, 1))
    # 365 of 730 days (2026-03-01 .. 2028-02-29) of 6.000.000 cents: 3.000.000
    assert chart.rows[-1].expected_cents == 3_000_000


def test_authority_chart_adds_contracts_that_changed_on_different_days(parties):
    authority, contractor, officer, owner = parties.sides()
    first = register_on(date(2026, 2, 1), authority, contractor, officer)
    second = register_on(date(2026, 2, 1), authority, contractor, officer)
    a = approve_on(
        first, owner, officer, date(2026, 5, 1), "KAND-1", date(2026, 3, 1), date(2026, 4, 30)
    )
    b = approve_on(
        second, owner, officer, date(2026, 7, 1), "KAND-2", date(2026, 5, 1), date(2026, 6, 30)
    )
    chart = charts.authority_chart(authority, date(2026, 9, 1))
    approved = {day: value for day, value, _p in chart.steps}
    assert approved[date(2026, 5, 1)] == a.value_cents
    assert approved[date(2026, 7, 1)] == a.value_cents + b.value_cents
    assert chart.obligation_cents == 2 * 6000000


def test_authority_expected_total_is_the_sum_of_the_contracts(parties):
    authority, contractor, officer, _owner = parties.sides()
    register_on(date(2026, 2, 1), authority, contractor, officer)
    register_on(
        date(2026, 2, 1),
        authority,
        contractor,
        officer,
        start_date=date(2026, 6, 1),
        end_date=date(2027, 5, 31),
    )
    chart = charts.authority_chart(authority, date(2026, 12, 1))
    # 6.000.000 × 275/730 = 2.260.273,97 -> 2.260.274 and 6.000.000 × 183/364 = 3.016.483,52
    # -> 3.016.484; their exact sum 5.276.757,49 may be rounded once (5.276.757) or per contract
    assert chart.rows[-1].expected_cents in (5_276_757, 5_276_758)


def test_chart_svg_is_well_formed_with_title_and_description(parties):
    authority, contractor, officer, _owner = parties.sides()
    contract = register_on(date(2026, 2, 1), authority, contractor, officer, reference="EM-7")
    root = ET.fromstring(charts.svg(charts.contract_chart(contract, date(2026, 9, 1))))
    assert root.tag == f"{SVG}svg"
    assert "EM-7" in root.find(f"{SVG}title").text
    assert "€" in root.find(f"{SVG}desc").text
    assert root.find(f".//{SVG}style") is None


def test_authority_chart_without_contracts_still_draws(parties):
    authority = parties.authority
    root = ET.fromstring(charts.svg(charts.authority_chart(authority, date(2026, 9, 1))))
    assert root.find(f"{SVG}title") is not None


@contextmanager
def counted_queries():
    statements: list[str] = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


def test_export_rows_are_read_with_one_query_whatever_their_number(parties):
    authority, contractor, officer, owner = parties.sides()
    for n in range(4):
        contract = register_on(date(2026, 2, 1), authority, contractor, officer)
        approve_on(
            contract,
            owner,
            officer,
            date(2026, 5, 1),
            f"KAND-{n}",
            date(2026, 3, 1),
            date(2026, 3, 31),
        )
    db.session.expire_all()
    assert authority.slug
    with counted_queries() as statements:
        contract_rows = list(reports.contracts_table(authority, date(2026, 9, 1)).rows)
        realisation_rows = list(reports.realisations_table(authority, date(2026, 9, 1)).rows)
    assert len(contract_rows) == 4 and len(realisation_rows) == 4
    assert len(statements) == 2


def test_csv_cells_that_look_like_formulas_are_neutralised(parties):
    authority, contractor, officer, _owner = parties.sides()
    register_on(date(2026, 2, 1), authority, contractor, officer, title="=HYPERLINK(1)")
    text = "".join(reports.csv_chunks(reports.contracts_table(authority, date(2026, 9, 1))))
    assert ";'=HYPERLINK(1);" in text


def test_year_report_lists_contracts_active_in_the_year_and_its_approvals(parties):
    authority, contractor, officer, owner = parties.sides()
    active = register_on(date(2026, 2, 1), authority, contractor, officer, reference="ACTIVE")
    register_on(
        date(2026, 2, 1),
        authority,
        contractor,
        officer,
        reference="LATER",
        award_date=date(2026, 2, 1),
        start_date=date(2028, 1, 1),
        end_date=date(2029, 6, 30),
    )
    in_2026 = approve_on(
        active, owner, officer, date(2026, 5, 1), "KAND-1", date(2026, 3, 1), date(2026, 4, 30)
    )
    approve_on(
        active, owner, officer, date(2027, 2, 1), "KAND-2", date(2026, 5, 1), date(2026, 6, 30)
    )
    report = reports.year_report(authority, 2026, date(2027, 3, 1))
    assert [c.reference for c in report.rows] == ["ACTIVE"]
    assert report.rows[0].approved_in_period_cents == in_2026.value_cents
    assert report.totals.approved_in_period_cents == in_2026.value_cents
    assert report.totals.obligation_cents == 6000000


def test_year_report_of_a_year_without_contracts_is_empty(parties):
    authority, contractor, officer, _owner = parties.sides()
    register_on(date(2026, 2, 1), authority, contractor, officer)
    report = reports.year_report(authority, 2019, date(2026, 9, 1))
    assert report.rows == []
    assert report.totals.contracts == 0


def test_authority_expected_line_uses_the_domain_elapsed_share_also_for_a_one_day_contract(
    app, authority, contractor
):
    """The chart sums the domain's elapsed share: for e <= s nothing is expected before the end
    day and everything from it on, exactly as the contract's own status says."""
    make_policy(authority, min_duration_months=0)
    parties = (authority, contractor, authority.members[0].user)
    june_1 = date(2026, 6, 1)
    one_day = register_on(date(2026, 2, 1), *parties, start_date=june_1, end_date=june_1)
    longer = register_on(date(2026, 2, 1), *parties)
    assert one_day.obligation_cents == longer.obligation_cents == 6_000_000
    # the longer contract, 730 days from 2026-03-01, expects 6.000.000 × 91/730 = 747.945,21,
    # × 92/730 = 756.164,38 and × 93/730 = 764.383,56; the one-day contract 0, then all of it
    for today, expected in (
        (date(2026, 5, 31), 747_945),
        (date(2026, 6, 1), 6_000_000 + 756_164),
        (date(2026, 6, 2), 6_000_000 + 764_384),
    ):
        assert charts.authority_chart(authority, today).rows[-1].expected_cents == expected
