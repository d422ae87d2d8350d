"""The people behind the euros against a real database: candidates, FTE and hours per year and
building block of approved realisations (services/reports.py, domain/people.py), in a bounded
number of statements."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import time_machine

from marketplace.extensions import db
from marketplace.services import realisations, reports
from marketplace.services.realisations import RealisationData
from tests.factories import fte_realisation, make_contract, make_org, make_policy, make_user
from tests.querycount import counting_statements

PW = Fraction(24, 36)  # the FTE of 24 hours a week, a day at a time over 365


def approve_on(parties, contract, day: date, data) -> int:
    with time_machine.travel(day, tick=False):
        return parties.approved(contract, data).value_cents


def hours_of_activity(candidate: str, hours: str) -> RealisationData:
    return RealisationData(block_code="MA", candidate_ref=candidate, hours=Decimal(hours))


def seeded(parties):
    """KAND-1 on PW in 2026 (184 days); KAND-2 on PW over the new year (31 + 31 days); KAND-4's
    20 hours of MA approved in 2027 (no period); KAND-3 submitted, not approved."""
    contract = parties.contract
    approve_on(parties, contract, date(2026, 9, 1), fte_realisation("KAND-1"))
    spanning = fte_realisation("KAND-2", date(2026, 12, 1), date(2027, 1, 31))
    approve_on(parties, contract, date(2027, 2, 15), spanning)
    approve_on(parties, contract, date(2027, 2, 15), hours_of_activity("KAND-4", "20"))
    with time_machine.travel(date(2027, 2, 15), tick=False):
        realisations.submit(
            contract, fte_realisation("KAND-3", date(2027, 1, 1), date(2027, 1, 31)), parties.owner
        )
    return contract


def test_a_contracts_people_per_year_and_block(parties):
    people = reports.people_of_contract(seeded(parties).id)
    [y2026, y2027] = people.years
    [pw] = y2026.rows
    assert (y2026.year, pw.block, pw.figures.candidates) == (2026, "PW", 2)
    assert pw.figures.fte == PW * Fraction(184 + 31, 365)
    assert pw.figures.hours == 24 * Fraction(184 + 31, 7)
    by_block = {row.block: row.figures for row in y2027.rows}
    assert (by_block["PW"].candidates, by_block["MA"].candidates) == (1, 1)
    assert by_block["PW"].fte == PW * Fraction(31, 365)
    assert (by_block["MA"].hours, by_block["MA"].fte) == (20, 0)
    assert y2027.total.candidates == 2
    assert people.total.candidates == 3
    assert people.labels["MA"] == "Maatschappelijke activiteit"


def test_the_yearly_values_add_up_to_the_approved_value(parties):
    contract = seeded(parties)
    people = reports.people_of_contract(contract.id)
    db.session.refresh(contract)
    assert sum(y.total.value_cents for y in people.years) == contract.approved_cents


def test_an_annual_count_takes_only_its_own_year_of_a_period(parties):
    contract = seeded(parties)
    counted = reports.people_of_year(parties.authority.id, 2027, per_contract=True)
    [year] = counted.people.years
    assert year.year == 2027
    assert year.total.fte == PW * Fraction(31, 365)
    assert year.total.hours == 24 * Fraction(31, 7) + 20
    assert counted.by_contract[contract.id].candidates == 2


def test_another_authoritys_realisations_are_not_counted(parties):
    seeded(parties)
    elsewhere = make_org("authority", owner=make_user("inkoper@elders.example.com"))
    make_policy(elsewhere)
    assert reports.people_of_year(elsewhere.id, 2026).people.years == []


def test_people_are_counted_in_one_statement_whatever_the_number_of_contracts(parties):
    seeded(parties)
    authority_id = parties.authority.id
    with counting_statements(db.engine) as few:
        reports.people_of_year(authority_id, 2026)
    for n in range(3):
        other = make_contract(
            parties.authority, parties.contractor, parties.officer, reference=f"EM-P-{n}"
        )
        approve_on(parties, other, date(2026, 9, 1), fte_realisation(f"KAND-P{n}"))
    with counting_statements(db.engine) as more:
        counted = reports.people_of_year(authority_id, 2026, per_contract=True)
    assert len(counted.by_contract) == 4
    assert few.count == more.count == 1, str(more)


def test_people_export_has_a_row_per_contract_year_and_block(parties):
    seeded(parties)
    other = make_contract(parties.authority, parties.contractor, parties.officer, reference="EM-B")
    approve_on(parties, other, date(2026, 9, 1), fte_realisation("KAND-9"))
    table = reports.people_table(parties.authority, date(2027, 3, 1))
    with counting_statements(db.engine) as statements:
        rows = list(table.rows)
    assert statements.count == 1, str(statements)
    assert [row[:3] for row in rows] == [
        ("EMM-01", 2026, "PW"),
        ("EMM-01", 2027, "MA"),
        ("EMM-01", 2027, "PW"),
        ("EM-B", 2026, "PW"),
    ]
    assert rows[0][3:8] == ("Participatiewet", 2, 2, Decimal("0.39"), Decimal("737.14"))
    assert rows[1][5:8] == (1, None, Decimal("20.00"))  # an hour block counts no FTE
