"""The nightly sweep (fulfilment.recompute_all) against the domain rules, on the mixed benchmark
data set in small: every cached status and percent is what fulfilment_status gives."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bench.seed import BENCH_TODAY, seed_bench
from marketplace.domain.fulfilment import fulfilment_status
from marketplace.extensions import db
from marketplace.models import Contract, FulfilmentSnapshot, Realisation
from marketplace.services import fulfilment

LATER = BENCH_TODAY + timedelta(days=120)


@pytest.fixture
def seeded(app):
    seed_bench(30, 300, 5)


def _sums() -> dict[int, list[int]]:
    sums: dict[int, list[int]] = {}
    for contract_id, state, value in db.session.execute(
        select(Realisation.contract_id, Realisation.state, Realisation.value_cents)
    ):
        row = sums.setdefault(contract_id, [0, 0])
        if state == "approved":
            row[0] += value
        elif state == "submitted":
            row[1] += value
    return sums


def test_sweep_gives_every_contract_the_domain_status(seeded):
    fulfilment.recompute_all(LATER)
    sums = _sums()
    for c in db.session.scalars(select(Contract)):
        approved, pending = sums.get(c.id, (0, 0))
        expected = fulfilment_status(
            c.obligation_cents,
            approved,
            pending,
            c.start_date,
            c.end_date,
            LATER,
            obligation_status=c.obligation_status,
        )
        assert (c.approved_cents, c.pending_cents) == (approved, pending)
        assert (c.status, c.percent) == (expected.status, expected.percent)


def test_sweep_rewrites_only_contracts_whose_figures_changed(seeded):
    before = {c.id: c.status for c in db.session.scalars(select(Contract))}
    result = fulfilment.recompute_all(LATER)
    moved = {c.id for c in db.session.scalars(select(Contract)) if c.status != before[c.id]}
    assert moved and result["changed"] == len(moved)
    stamped = set(db.session.scalars(select(Contract.id).where(Contract.computed_on == LATER)))
    snapshots = set(
        db.session.scalars(
            select(FulfilmentSnapshot.contract_id).where(FulfilmentSnapshot.on_date == LATER)
        )
    )
    assert stamped == snapshots == moved


def test_sweep_stamps_a_contract_never_computed(seeded):
    contract = db.session.scalars(select(Contract).limit(1)).one()
    contract.computed_on = None
    db.session.commit()
    assert fulfilment.recompute_all(BENCH_TODAY)["changed"] == 1
    db.session.refresh(contract)
    assert contract.computed_on == BENCH_TODAY
