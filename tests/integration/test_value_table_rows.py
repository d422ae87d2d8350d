"""The rows of a value table through the service (services/policies.py): one check of a row
that names every problem at once, for the editor, the CSV import and the API alike; rows added,
changed and deleted all or nothing, audited, and never in a version that contracts use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.domain.valuation import Block, RealisationInput
from marketplace.extensions import db
from marketplace.models import AuditLog, BuildingBlock
from marketplace.services import policies
from marketplace.services.errors import Conflict, NotFound, ServiceError
from tests.factories import make_contract, make_org, make_policy, make_user

PW = policies.BlockData(
    "Participatiewet",
    Block("PW", "fte_year", 4_000_000, Decimal(12), 730, {"age_50_plus": 1_000_000}),
)


@pytest.fixture
def officer(authority):
    return authority.members[0].user


@pytest.fixture
def policy(authority):
    return make_policy(authority)


def row(**changes) -> policies.BlockData:
    label = changes.pop("label", PW.label)
    values = {**PW.rules.__dict__, **changes}
    return policies.BlockData(label, Block(**values))


def fields_of(problems: list[policies.Problem]) -> set[str]:
    return {p.field for p in problems}


def test_a_good_row_has_no_problems():
    assert policies.block_problems(PW) == []


def test_every_problem_of_a_row_is_named_at_once():
    bad = row(
        code="",
        label="",
        rate_cents=-1,
        min_hours_per_week=Decimal("12.345"),
        max_days=0,
        bonuses={"age_50_plus": 10**12, "lengte": 1},
    )

    assert fields_of(policies.block_problems(bad)) == {
        "code",
        "label",
        "rate_cents",
        "min_hours_per_week",
        "max_days",
        "bonuses.age_50_plus",
        "bonuses.lengte",
    }


def test_a_rated_unit_needs_a_rate_and_a_taken_code_is_refused():
    problems = policies.block_problems(row(rate_cents=None), taken={"PW"})

    assert {(p.field, p.code) for p in problems} == {
        ("code", "duplicate_code"),
        ("rate_cents", "rate"),
    }


def test_a_rate_beyond_ten_million_euros_is_refused():
    assert fields_of(policies.block_problems(row(rate_cents=1_000_000_001))) == {"rate_cents"}
    assert policies.block_problems(row(rate_cents=1_000_000_000)) == []


def test_the_csv_import_names_the_row_and_each_field(app):
    text = "code,label,unit,rate_cents,min_hours_per_week,max_days,bonuses\n"
    text += "PW,,fte_year,,,0,\n"

    with pytest.raises(ServiceError) as refused:
        policies.parse_csv(text)

    message = refused.value.message
    assert message.startswith("Regel 1 (PW): ")
    for words in ("Omschrijving:", "Tarief in euro's:", "Maximum dagen:"):
        assert words in message


def test_the_csv_import_refuses_a_bonus_no_attribute_names(app):
    text = "code,label,unit,rate_cents,bonuses\nPW,Participatiewet,fte_year,4000000,jong=100\n"

    with pytest.raises(ServiceError) as refused:
        policies.parse_csv(text)

    assert refused.value.code == "bonus"


def test_a_row_is_added_and_audited(policy, officer):
    added = policies.add_block(policy.id, row(code="DGR", rate_cents=5_000_000), officer)

    assert added.policy_id == policy.id and added.rate_cents == 5_000_000
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "policy.block_added"))
    assert (entry.actor_id, entry.object_id) == (officer.id, policy.id)


def test_a_refused_change_leaves_the_row_as_it_was(policy, officer):
    pw = next(b for b in policy.blocks if b.code == "PW")

    with pytest.raises(ServiceError) as refused:
        policies.update_block(policy.id, pw.id, row(code="WEP", rate_cents=1), officer)

    assert refused.value.fields == {"code": "Een andere rij van deze tabel heeft deze code."}
    db.session.expire_all()
    assert (pw.code, pw.rate_cents) == ("PW", 4_000_000)
    changes = select(func.count()).where(AuditLog.action.like("policy.block%"))
    assert db.session.scalar(changes) == 0


def test_a_row_keeps_its_own_code_when_changed(policy, officer):
    pw = next(b for b in policy.blocks if b.code == "PW")

    changed = policies.update_block(policy.id, pw.id, row(rate_cents=4_500_000), officer)

    assert changed.rate_cents == 4_500_000


def test_a_version_that_contracts_use_is_not_changed(authority, policy, officer):
    contractor = make_org("contractor", owner=make_user("eigenaar@x.example.com"))
    make_contract(authority, contractor, officer)
    pw = next(b for b in policy.blocks if b.code == "PW")

    with pytest.raises(Conflict):
        policies.update_block(policy.id, pw.id, row(rate_cents=1), officer)
    with pytest.raises(Conflict):
        policies.delete_block(policy.id, pw.id, officer)
    with pytest.raises(Conflict):
        policies.add_block(policy.id, row(code="NEW"), officer)
    assert len(policy.blocks) == 5


def test_another_authoritys_officer_finds_no_row(policy):
    stranger = make_user("inkoper@elders.example.com")
    make_org("authority", owner=stranger, name="Gemeente Elders")
    pw = next(b for b in policy.blocks if b.code == "PW")

    with pytest.raises(NotFound):
        policies.update_block(policy.id, pw.id, row(rate_cents=1), stranger)


def test_the_last_row_stays(authority, officer):
    policy = make_policy(authority, blocks=[PW])

    with pytest.raises(ServiceError) as refused:
        policies.delete_block(policy.id, policy.blocks[0].id, officer)

    assert refused.value.code == "empty_table"
    assert db.session.scalar(select(func.count()).select_from(BuildingBlock)) == 1


def test_the_sample_value_is_the_worked_example_of_the_domain(app):
    sample = RealisationInput(
        start=date(2026, 1, 1),
        end=date(2026, 6, 30),
        hours_per_week=Decimal(24),
        attributes=frozenset({"age_50_plus"}),
    )

    assert policies.sample_value(PW.rules, sample).value_cents == 1_652_968


def test_a_sample_below_the_minimum_hours_names_its_field(app):
    sample = RealisationInput(start=date(2026, 1, 1), end=date(2026, 6, 30), hours_per_week=8)

    with pytest.raises(ServiceError) as refused:
        policies.sample_value(PW.rules, sample)

    assert list(refused.value.fields) == ["hours_per_week"]
