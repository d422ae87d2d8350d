"""The nightly sweep (fulfilment.recompute_all): statuses and percentages worked out by hand for
contracts in every state, and on the mixed benchmark data set in small, the cached sums and which
rows it rewrites."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bench.seed import BENCH_TODAY, seed_bench
from marketplace.extensions import db
from marketplace.models import Contract, FulfilmentSnapshot, Realisation
from marketplace.services import fulfilment, realisations
from tests.factories import make_contract, make_org, make_verified_certificate

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


def test_sweep_caches_the_sums_of_approved_and_submitted_value(seeded):
    fulfilment.recompute_all(LATER)
    sums = _sums()
    for c in db.session.scalars(select(Contract)):
        assert (c.approved_cents, c.pending_cents) == tuple(sums.get(c.id, (0, 0)))


# --- hand-computed statuses -------------------------------------------------------------------

SWEEP_DAY = date(2027, 3, 1)  # 365 days after the factory contracts' start, 2026-03-01


def _invoices(contract: Contract, owner, approved: list[int], pending: list[int], officer):
    """Invoices from a werkbedrijf (100% under the default credit table), so value = amount."""
    ids = []
    for cents in approved + pending:
        data = realisations.RealisationData(
            block_code="INK",
            invoice_excl_vat_cents=cents,
            invoice_number=f"F-{contract.id}-{len(ids)}",
            supplier_name="Werkbedrijf Emmen",
            supplier_kvk="12345678",
            supplier_certification="werkbedrijf",
        )
        ids.append(realisations.submit(contract, data, owner).id)
    if approved:
        realisations.approve(ids[: len(approved)], officer)


def test_sweep_gives_hand_computed_statuses(parties):
    # the parties' policy: 5% from € 250.000 and 6 months, so € 1.200.000 owes 6.000.000 cents
    exempt_contractor = make_org("contractor")
    make_verified_certificate(exempt_contractor, "trede_2", valid_until=date(2026, 12, 31))

    def contract(approved=(), pending=(), **fields):
        to = fields.pop("to", parties.contractor)
        c = make_contract(parties.authority, to, parties.officer, **fields)
        _invoices(c, parties.owner, list(approved), list(pending), parties.officer)
        return c.id

    ids = {
        # 2026-03-01 .. 2028-02-29: 730 days, 365 elapsed: expected 6.000.000 / 2 = 3.000.000
        "fulfilled": contract([4_000_000, 2_000_000]),
        "on_track_exactly": contract([3_000_000]),
        "at_risk_by_a_cent": contract([2_999_999], [500_000]),
        # ends 2028-02-28: 729 days, 365 elapsed: 6.000.000 × 365/729 = 3.004.115,23 -> 3.004.115
        "on_track_rounded": contract([3_004_115], end_date=date(2028, 2, 28)),
        "at_risk_rounded": contract([3_004_114], end_date=date(2028, 2, 28)),
        # ended 2027-02-28, the day before the sweep
        "overdue": contract([100], end_date=date(2027, 2, 28)),
        "not_applicable": contract(value_cents=1_000),
        "exempt": contract(to=exempt_contractor),
    }

    fulfilment.recompute_all(SWEEP_DAY)

    db.session.expire_all()
    got = {
        name: (c.status, str(c.percent), c.approved_cents, c.pending_cents)
        for name, cid in ids.items()
        for c in [db.session.get(Contract, cid)]
    }
    assert got == {
        "fulfilled": ("fulfilled", "100.0", 6_000_000, 0),
        "on_track_exactly": ("on_track", "50.0", 3_000_000, 0),
        # 2.999.999 / 6.000.000 = 49,99998% -> 50.0, yet behind
        "at_risk_by_a_cent": ("at_risk", "50.0", 2_999_999, 500_000),
        # 3.004.115 / 6.000.000 = 50,0686% -> 50.1
        "on_track_rounded": ("on_track", "50.1", 3_004_115, 0),
        "at_risk_rounded": ("at_risk", "50.1", 3_004_114, 0),
        # 100 / 6.000.000 = 0,0017% -> 0.0
        "overdue": ("overdue", "0.0", 100, 0),
        "not_applicable": ("not_applicable", "0.0", 0, 0),
        "exempt": ("exempt", "0.0", 0, 0),
    }


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
