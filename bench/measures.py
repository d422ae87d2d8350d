"""The measurements of the harness, each on the data set `marketplace.bench_data` seeds.

Every function returns plain numbers in milliseconds (JSON-ready). They call the services as the
app and the worker do; only the first one reads SQL directly, as the yardstick of the others."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import event, text

from marketplace.extensions import db
from marketplace.models import User
from marketplace.services import contracts, fulfilment, realisations

RAW_SUMS = text(
    "SELECT contract_id,"
    " SUM(CASE WHEN state = 'approved' THEN value_cents ELSE 0 END),"
    " SUM(CASE WHEN state = 'submitted' THEN value_cents ELSE 0 END)"
    " FROM realisations GROUP BY contract_id"
)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return _ms(time.perf_counter() - start), result


def _percentiles(runs: list[float]) -> dict[str, Any]:
    ordered = sorted(runs)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered), "p95": p95, "max": ordered[-1], "n": len(runs)}


def raw_sums(repeats: int = 5) -> dict[str, Any]:
    """(1) The GROUP BY over all realisations alone, rows fetched: the floor for a full sweep."""
    runs, rows = [], []
    for _ in range(repeats):
        ms, rows = _timed(lambda: db.session.execute(RAW_SUMS).all())
        runs.append(ms)
    db.session.rollback()
    return {"median": statistics.median(runs), "runs": runs, "rows": len(rows)}


def recompute_all(today: date, later: date, repeats: int = 3) -> dict[str, Any]:
    """(2) fulfilment.recompute_all, alternating `later` and `today` so every run has the same
    amount of work; with later == today nothing changes. One untimed round first (statement
    compilation and catalogue loading happen once per process); ends on `today`, as seeded."""
    fulfilment.recompute_all(later)
    fulfilment.recompute_all(today)
    runs, changed, notified = [], [], []
    for n in range(repeats):
        day = later if n % 2 == 0 else today
        ms, result = _timed(lambda day=day: fulfilment.recompute_all(day))
        runs.append(ms)
        changed.append(result["changed"])
        notified.append(result["notified"])
    fulfilment.recompute_all(today)
    return {
        "median": statistics.median(runs),
        "runs": runs,
        "day": later.isoformat(),
        "changed": changed,
        "notified": notified,
    }


def approval_recompute(
    authority_id: int, officer: User, today: date, approvals: int = 50
) -> dict[str, Any]:
    """(3) Approve one submitted realisation (realisations.decide) and time the contract's
    recompute, as the worker runs it after the approval; one realisation per contract."""
    picked: dict[int, int] = {}
    for r in db.session.scalars(realisations.awaiting_decision(authority_id).limit(20 * approvals)):
        picked.setdefault(r.contract_id, r.id)
        if len(picked) == approvals:
            break
    runs, decide_runs = [], []
    for contract_id, realisation_id in picked.items():
        ms, _ = _timed(lambda rid=realisation_id: realisations.decide([rid], True, officer))
        decide_runs.append(ms)
        ms, _ = _timed(lambda cid=contract_id: fulfilment.recompute_contract(cid, today))
        runs.append(ms)
    return {**_percentiles(runs), "decide_p50": statistics.median(decide_runs)}


@contextmanager
def statement_counter() -> Iterator[list[int]]:
    """Counts SQL statements sent while the block runs (executemany counts once)."""
    counter = [0]

    def count(*_args: Any) -> None:
        counter[0] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def officer_dashboard(app: Flask, email: str, password: str, requests: int = 30) -> dict[str, Any]:
    """(4) GET /inkoop/?page=N (50 contracts a page) through the test client as an officer of
    the biggest authority: server time and SQL statements per request. Every third request is
    page 1, the landing page, which also shows the approval queue and the chart."""
    client = app.test_client()
    response = client.post("/account/inloggen", data={"email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"bench officer login failed ({response.status_code})")
    client.get("/inkoop/")  # warm-up: templates compiled, caches filled
    runs, statements = [], []
    for page in (1 if n % 3 == 0 else n + 1 for n in range(requests)):
        with statement_counter() as counter:
            ms, response = _timed(lambda page=page: client.get(f"/inkoop/?page={page}"))
        if response.status_code != 200:
            raise RuntimeError(f"/inkoop/?page={page} answered {response.status_code}")
        runs.append(ms)
        statements.append(counter[0])
    return {"route": "/inkoop/", **_percentiles(runs), "statements_max": max(statements)}


def dashboard_services(authority_id: int, requests: int = 30) -> dict[str, Any]:
    """(4, fallback while the /inkoop/ route is absent) the dashboard's service calls: one page
    of authority_contracts and status_counts."""
    runs, statements = [], []
    for page in range(1, requests + 1):
        with statement_counter() as counter:
            ms, _ = _timed(
                lambda page=page: (
                    db.paginate(
                        contracts.authority_contracts(authority_id), page=page, per_page=50
                    ).items,
                    contracts.status_counts(authority_id),
                )
            )
        runs.append(ms)
        statements.append(counter[0])
        db.session.rollback()
    return {
        "route": None,
        "note": "officer dashboard route absent: timed its service calls instead",
        **_percentiles(runs),
        "statements_max": max(statements),
    }
