"""`flask seed-bench` with tiny numbers: the benchmark data set loads and is consistent."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.seed import BENCH_TODAY
from marketplace.extensions import db
from marketplace.models import Contract, Organisation, Realisation
from marketplace.services import fulfilment

SMALL = ["seed-bench", "--contracts", "20", "--realisations", "200", "--contractors", "5"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_bench_loads_contracts_and_realisations_in_every_state(runner):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert (_count(Contract), _count(Realisation)) == (20, 200)
    states = set(db.session.scalars(select(Realisation.state).distinct()))
    assert states == {"draft", "submitted", "approved", "rejected"}
    kinds = set(db.session.scalars(select(Organisation.kind).distinct()))
    assert kinds == {"authority", "contractor"}


def test_seed_bench_refuses_to_load_twice(runner):
    runner.invoke(args=SMALL)
    again = runner.invoke(args=SMALL)
    assert again.exit_code != 0
    assert "already" in again.output
    assert _count(Contract) == 20


def test_seeded_cache_is_what_the_sweep_computes(runner):
    runner.invoke(args=SMALL)
    assert fulfilment.recompute_all(BENCH_TODAY) == {"contracts": 20, "changed": 0, "notified": 0}


MARKET = ["seed-bench", "--listings", "60", "--organisations", "10"]


def test_seed_bench_loads_the_marketplace_and_its_search_index(runner):
    from marketplace.models import Listing
    from marketplace.services import search

    result = runner.invoke(args=MARKET)

    assert result.exit_code == 0, result.output
    assert _count(Listing) == 60
    statuses = set(db.session.scalars(select(Listing.status).distinct()))
    assert {"open", "draft"} <= statuses
    findable = search.search("team")
    assert 0 < findable.total < 60  # drafts, paused and closed ones are not found
    assert search.directory("").total > 0
    again = runner.invoke(args=MARKET)
    assert again.exit_code != 0 and "already" in again.output
