"""The measurements of the harness, each on the data set bench/seed.py seeds.

Every function returns plain numbers in milliseconds (JSON-ready), and each is a function of its
own, so that a new measure is one more function and one more line in bench/__main__.py.

- The sweeps and the approvals run in this process, as the worker runs them, calling the
  services. They write, so each run of them happens inside `rolled_back()`: every repetition
  starts on the data as seeded (the first 90-day catch-up is the worst case, and every repetition
  measures it) and the run leaves the database as it found it.
- The pages are requested over HTTP from the app served by gunicorn (bench/served.py): server
  time, statements and bytes are those of a real request."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, event, func, select, text, update

from bench.served import COLD_HEADER, Answer, Browser
from marketplace.domain import membership as membership_rules
from marketplace.extensions import db
from marketplace.models import (
    AuditLog,
    Contract,
    FulfilmentSnapshot,
    Listing,
    Membership,
    MembershipReminder,
    OutboxJob,
    Realisation,
    User,
)
from marketplace.services import dunning as dunning_service
from marketplace.services import fulfilment, matches, realisations, search

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
    p50 = round(statistics.median(ordered), 1)
    return {"p50": p50, "p95": p95, "max": ordered[-1], "n": len(runs)}


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in one database transaction that is rolled back at the end.

    The session is bound to a connection whose transaction is open, in `create_savepoint` mode:
    a service's commit releases a savepoint (the statements, locks and flushes are the real ones;
    only the final WAL flush of a commit is not timed). Flask-SQLAlchemy picks the engine per
    statement from `db.engines`, so the connection stands in for the engine there meanwhile."""
    db.session.remove()
    engines = db.engines
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    raw = connection.connection.dbapi_connection
    if engine.dialect.name == "sqlite" and not raw.in_transaction:
        # pysqlite defers BEGIN to the first write: a SAVEPOINT would open the transaction
        # and its RELEASE commit it. Open it now, unless the app's own `begin` hook did.
        connection.exec_driver_sql("BEGIN")
    engines[None] = connection
    options = db.session.session_factory.kw
    before = options.get("join_transaction_mode")
    options["join_transaction_mode"] = "create_savepoint"
    try:
        yield
    finally:
        db.session.remove()
        if before is None:
            del options["join_transaction_mode"]
        else:
            options["join_transaction_mode"] = before
        engines[None] = engine
        outer.rollback()
        connection.close()


def fingerprint() -> dict[str, Any]:
    """What the measures could change, summed: the same before and after a run when the run
    restored its data (bench/__main__.py checks it)."""
    realisation_states = db.session.execute(
        select(Realisation.state, func.count(), func.sum(Realisation.value_cents))
        .group_by(Realisation.state)
        .order_by(Realisation.state)
    ).all()
    contracts = db.session.execute(
        select(
            func.sum(Contract.approved_cents),
            func.sum(Contract.pending_cents),
            func.count(Contract.notified_status),
            func.max(Contract.computed_on),
        )
    ).one()
    counts = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (FulfilmentSnapshot, OutboxJob, AuditLog, MembershipReminder)
    }
    counts["membership_statuses"] = dict(
        db.session.execute(
            select(Membership.status, func.count()).group_by(Membership.status)
        ).all()
    )
    db.session.rollback()
    return {
        "realisations": {s: [n, int(v)] for s, n, v in realisation_states},
        "contracts": [
            int(contracts[0] or 0),
            int(contracts[1] or 0),
            contracts[2],
            str(contracts[3]),
        ],
        **counts,
    }


def raw_sums(repeats: int = 5) -> dict[str, Any]:
    """(1) The GROUP BY over all realisations alone, rows fetched: the floor for a full sweep."""
    runs, rows = [], []
    for _ in range(repeats):
        ms, rows = _timed(lambda: db.session.execute(RAW_SUMS).all())
        runs.append(ms)
    db.session.rollback()
    return {"median": statistics.median(runs), "runs": runs, "rows": len(rows)}


def recompute_all(day: date, repeats: int = 3) -> dict[str, Any]:
    """(2) fulfilment.recompute_all on `day`, each run on the data as seeded (rolled back after),
    after one untimed run (statement compilation and catalogue loading happen once per process).
    On the bench day nothing changes; later, statuses move and contracts are notified: the
    90-day catch-up is the worst case of a sweep (the first after an outage)."""
    with rolled_back():
        fulfilment.recompute_all(day)
    runs, changed, notified = [], [], []
    for _ in range(repeats):
        with rolled_back():
            ms, result = _timed(lambda: fulfilment.recompute_all(day))
        runs.append(ms)
        changed.append(result["changed"])
        notified.append(result["notified"])
    return {
        "median": statistics.median(runs),
        "runs": runs,
        "day": day.isoformat(),
        "changed": changed,
        "notified": notified,
    }


def approval_recompute(
    authority_id: int, officer_email: str, today: date, approvals: int = 50
) -> dict[str, Any]:
    """(3) Approve one submitted realisation (realisations.approve) and time the contract's
    recompute, as the worker runs it after the approval; one realisation per contract, 50
    contracts of the biggest authority, all rolled back afterwards."""
    with rolled_back():
        officer = db.session.scalar(select(User).where(User.email == officer_email))
        picked: dict[int, int] = {}
        query = realisations.awaiting_decision(authority_id).limit(20 * approvals)
        for r in db.session.scalars(query):
            picked.setdefault(r.contract_id, r.id)
            if len(picked) == approvals:
                break
        runs, decide_runs = [], []
        for contract_id, realisation_id in picked.items():
            ms, _ = _timed(lambda rid=realisation_id: realisations.approve([rid], officer))
            decide_runs.append(ms)
            ms, _ = _timed(lambda cid=contract_id: fulfilment.recompute_contract(cid, today))
            runs.append(ms)
    return {**_percentiles(runs), "decide_p50": statistics.median(decide_runs)}


def _served(answers: list[Answer], path: str) -> dict[str, Any]:
    for answer in answers:
        if answer.status not in (200, 304):
            raise RuntimeError(f"{path} answered {answer.status}")
    return {
        **_percentiles([a.ms for a in answers]),
        "statements_max": max(a.statements for a in answers),
        "bytes_max": max(a.size for a in answers),
    }


def officer_dashboard(browser: Browser, contracts: int, requests: int = 30) -> dict[str, Any]:
    """(4) GET /inkoop/?page=N (50 contracts a page) over HTTP as an officer of the biggest
    authority: time, SQL statements and bytes per request. Every third request is page 1, the
    landing page, which also shows the approval queue and the chart; the others pages 2, 3, ...
    (as many as there are)."""
    pages = max(1, -(-contracts // 50))

    def page(n: int) -> int:
        return 1 if n % 3 == 0 or pages == 1 else 2 + (n - 1) % (pages - 1)

    browser.request("/inkoop/")  # warm-up: templates compiled, caches filled
    answers = [browser.request(f"/inkoop/?page={page(n)}") for n in range(requests)]
    return {"route": "/inkoop/", **_served(answers, "/inkoop/")}


def biggest_contract(authority_id: int) -> tuple[int, int]:
    """The authority's contract with the most realisations the officer sees, and that number."""
    row = db.session.execute(
        select(Realisation.contract_id, func.count())
        .join(Contract, Contract.id == Realisation.contract_id)
        .where(Contract.authority_id == authority_id, realisations.reported())
        .group_by(Realisation.contract_id)
        .order_by(func.count().desc(), Realisation.contract_id)
        .limit(1)
    ).one()
    db.session.rollback()
    return row[0], row[1]


def contract_page(
    browser: Browser, contract_id: int, realisations_count: int, requests: int = 10
) -> dict[str, Any]:
    """(5) GET /contracten/<id> for the contract with the most realisations: its first page
    (50 realisations, 50 history rows) and its last page of realisations."""
    path = f"/contracten/{contract_id}"
    browser.request(path)
    first = [browser.request(path) for _ in range(requests)]
    last_page = max(1, -(-realisations_count // 50))
    last = [browser.request(f"{path}?page={last_page}") for _ in range(requests)]
    return {
        "contract_id": contract_id,
        "realisations": realisations_count,
        "first_page": _served(first, path),
        "last_page": {"page": last_page, **_served(last, path)},
    }


def authority_chart(browser: Browser, requests: int = 10) -> dict[str, Any]:
    """(6) GET /rapportage/grafiek.svg, the dashboard's chart of the whole authority: drawn in
    full (no ETag sent) and revalidated (If-None-Match with the ETag it answered: 304)."""
    path = "/rapportage/grafiek.svg"
    etag = browser.request(path).headers.get("ETag", "")
    full = [browser.request(path) for _ in range(requests)]
    revalidated = [browser.request(path, headers={"If-None-Match": etag}) for _ in range(requests)]
    return {
        "full": _served(full, path),
        "not_modified": {
            **_served(revalidated, path),
            "all_304": all(a.status == 304 for a in revalidated),
        },
    }


def realisations_xlsx_memory(database_url: str, sizes: tuple[int, ...] = (10_000, 100_000)) -> dict:
    """The realisations Excel file as the report job writes it (constant memory), 10,000 and
    100,000 rows, each in a fresh process (`bench.xlsx_memory`): seconds and peak RSS (MB),
    before writing (the app loaded) and after."""
    results = {}
    for rows in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "bench.xlsx_memory", database_url, str(rows)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        results[f"{rows}_rows"] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


# The search page's URLs, measured in turn: a broad word (every seeded description says "team":
# most of the 100,000 listings match), a sector word, two words, a type-ahead prefix, filters
# without words, and a later page.
SEARCH_URLS = (
    "/zoeken?q=team",
    "/zoeken?q=schoonmaak",
    "/zoeken?q=groenonderhoud+parken",
    "/zoeken?q=schoonm",
    "/zoeken?kind=offering&sector=logistiek&region=Twente",
    "/zoeken?q=team&sort=newest&page=5",
)


def hello(browser: Browser, requests: int = 30) -> dict[str, Any]:
    """The yardstick: GET /bench/hello (bench/wsgi.py), timed like the pages."""
    browser.request("/bench/hello")
    answers = [browser.request("/bench/hello") for _ in range(requests)]
    return {
        "client": _served(answers, "/bench/hello"),
        "server": _percentiles([a.server_ms for a in answers]),
    }


def search_page(browser: Browser, rounds: int = 5) -> dict[str, Any]:
    """GET /zoeken: each of SEARCH_URLS `rounds` times, as a visitor. The first request of a URL
    computes its total and facet counts (`cold`), the others find them kept by the process for a
    minute (`warm`, services/search.py); the rows are always queried. Server time is the app's
    own (bench/wsgi.py); `server_cpu` is the CPU time of the request, the serving process's and
    its PostgreSQL backend's (little moved by the machine's load), `db_cpu` and `db_wait` the
    backend's time on a core and waiting for one. Then each URL `rounds` times more with the
    counts forgotten before every request (`forced_cold`): the page as it is when nothing is
    kept, the worst case."""
    browser.request("/zoeken")  # warm-up: templates compiled
    cold, warm, forced, per_url, per_url_cold, per_url_cpu = [], [], [], {}, {}, {}
    for n in range(rounds):
        for url in SEARCH_URLS:
            answer = _ok(browser.request(url), url)
            (cold if n == 0 else warm).append(answer)
            per_url.setdefault(url, []).append(answer.server_ms)
    for _ in range(rounds):
        for url in SEARCH_URLS:
            answer = _ok(browser.request(url, headers={COLD_HEADER: "1"}), url)
            forced.append(answer)
            per_url_cold.setdefault(url, []).append(answer.server_ms)
            per_url_cpu.setdefault(url, []).append(answer.server_cpu_ms)
    every = cold + warm
    return {
        "server": _percentiles([a.server_ms for a in every]),
        "server_cold": _percentiles([a.server_ms for a in cold]),
        "server_warm": _percentiles([a.server_ms for a in warm]),
        "server_cpu": _percentiles([a.server_cpu_ms for a in every]),
        "db_cpu": _percentiles([a.db_cpu_ms for a in every]),
        "db_wait": _percentiles([a.db_wait_ms for a in every]),
        "client": _percentiles([a.ms for a in every]),
        "statements_max": max(a.statements for a in every + forced),
        "bytes_max": max(a.size for a in every),
        "per_url_server_ms": {url: _percentiles(ms) for url, ms in per_url.items()},
        "forced_cold": {
            "server": _percentiles([a.server_ms for a in forced]),
            "server_min": min(a.server_ms for a in forced),
            "server_cpu": _percentiles([a.server_cpu_ms for a in forced]),
            "db_wait": _percentiles([a.db_wait_ms for a in forced]),
            "per_url_server_ms": {url: _percentiles(ms) for url, ms in per_url_cold.items()},
            "per_url_server_cpu_ms": {url: _percentiles(ms) for url, ms in per_url_cpu.items()},
        },
    }


def _ok(answer: Answer, url: str) -> Answer:
    if answer.status != 200:
        raise RuntimeError(f"{url} answered {answer.status}")
    return answer


def search_statements(calls: int = 7) -> dict[str, Any]:
    """The search service in this process, per URL of SEARCH_URLS, `calls` times with the kept
    counts forgotten before each call: the wall time of each SQL statement (execute to fetched)
    and of the whole call (without the template), as min and median. The minimum of several is
    the figure least moved by the machine's load: what the work costs when it gets a core."""
    timings: list[float] = []
    began: list[float] = []

    def before(*_args: Any) -> None:
        began.append(time.perf_counter())

    def after(*_args: Any) -> None:
        timings.append((time.perf_counter() - began.pop()) * 1000)

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    found = {}
    try:
        for url in SEARCH_URLS:
            args = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
            whole, per_statement = [], []
            for _ in range(calls):
                current_app.extensions.pop("search_counts", None)
                timings.clear()
                start = time.perf_counter()
                search.search(
                    args.get("q", [""])[0],
                    search.Filters.from_args(args),
                    args.get("sort", [None])[0],
                    int(args.get("page", ["1"])[0]),
                )
                whole.append((time.perf_counter() - start) * 1000)
                per_statement.append(list(timings))
                db.session.rollback()
            found[url] = {
                "call": {"min": round(min(whole), 1), "p50": round(statistics.median(whole), 1)},
                "statements": [
                    {"min": round(min(ms), 1), "p50": round(statistics.median(ms), 1)}
                    for ms in zip(*per_statement, strict=False)
                ],
            }
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    return found


def broad_query_total() -> int:
    """How many documents the broad query of SEARCH_URLS matches (all of them: the page itself
    counts only up to search.COUNT_LIMIT)."""
    return search.matching_count("team")


def demand_matches(demands: int = 60, warm_up: int = 10) -> dict[str, Any]:
    """`matches.matches_for_demand` (top 10 offerings and suppliers) for `demands` open demands
    drawn from the data set, as a demand's page calls it: the service's own time and statements,
    the listing and its organisation loaded first, as the page has. Inside a rolled-back
    transaction, every other demand is linked to a due contract when the bench has contracts,
    so the SROI preview (contract, invoice block, valuation) is part of the work. The first
    `warm_up` calls are not timed. `cpu` is this process's CPU time per call (the service's own
    work, whatever else runs on the machine); `select_1` is a bare round trip timed between the
    calls, the yardstick of the machine's load."""
    open_ids = list(
        db.session.scalars(
            select(Listing.id)
            .where(Listing.kind == "demand", Listing.status == "open")
            .order_by(Listing.id)
        )
    )
    if not open_ids:
        return {"n": 0}
    step = max(len(open_ids) // (demands + warm_up), 1)
    ids = open_ids[::step][: demands + warm_up]
    contract_id = db.session.scalar(
        select(Contract.id).where(Contract.obligation_status == "due").order_by(Contract.id)
    )
    runs, cpu, round_trips, statements, with_preview = [], [], [], [], 0
    with rolled_back():
        if contract_id is not None:
            db.session.execute(
                update(Listing).where(Listing.id.in_(ids[::2])).values(contract_id=contract_id)
            )
            db.session.flush()
        sent: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            sent.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            for n, listing_id in enumerate(ids):
                db.session.expunge_all()
                demand = db.session.get(Listing, listing_id)
                viewer_orgs = {demand.organisation.id}
                sent.clear()
                start, cpu_start = time.perf_counter(), time.process_time()
                found = matches.matches_for_demand(demand, 10, viewer_orgs)
                ms = _ms(time.perf_counter() - start)
                cpu_ms = _ms(time.process_time() - cpu_start)
                if n >= warm_up:
                    runs.append(ms)
                    cpu.append(cpu_ms)
                    statements.append(len(sent))
                    with_preview += any(m.sroi_preview for m in found.listings)
                    round_trips.append(_timed(lambda: db.session.execute(text("SELECT 1")))[0])
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return {
        **_percentiles(runs),
        "cpu": _percentiles(cpu),
        "statements_max": max(statements),
        "with_sroi_preview": with_preview,
        "select_1": _percentiles(round_trips),
    }


# --- memberships: the daily dunning sweep --------------------------------------------------------


def _raw_dunning_step(step: Any, later: Any, today: date, now: datetime) -> int:
    """One dunning step by hand-written SQL over the same rows as services/dunning.py: record the
    step for the due invoices, move their memberships, audit them and write one mail row per
    member's user. Returns the rows recorded."""
    json_array = "json_build_array" if db.engine.dialect.name == "postgresql" else "json_array"
    action = dunning_service.STEP_ACTIONS.get(step.moves_to or "")
    statuses = sorted(membership_rules.ACTIONS[action][0]) if action else list(dunning_service.OPEN)
    params: dict[str, Any] = {
        "step": step.name,
        "now": now,
        "today": today,
        "reached": today - timedelta(days=step.days_after_due),
        "later": today - timedelta(days=later.days_after_due) if later else None,
        "statuses": statuses,
    }
    superseded = " AND i.due_date > :later" if step.superseded_by_later and later else ""
    recorded = db.session.execute(
        text(
            "INSERT INTO membership_reminders (membership_id, invoice_id, step, sent_at)"
            " SELECT i.membership_id, i.id, CAST(:step AS VARCHAR), :now FROM invoices i"
            " JOIN memberships m ON m.id = i.membership_id"
            " WHERE i.status = 'open' AND i.credit_of_id IS NULL AND i.total_cents > 0"
            " AND i.due_date <= :reached AND m.status IN :statuses"
            " AND (m.comped_until IS NULL OR m.comped_until < :today)"
            " AND NOT EXISTS (SELECT 1 FROM membership_reminders r"
            "  WHERE r.invoice_id = i.id AND r.step = :step AND r.step <> 'manual')"
            + superseded
            + " ON CONFLICT DO NOTHING"
        ).bindparams(bindparam("statuses", expanding=True)),
        params,
    ).rowcount
    taken = "SELECT membership_id FROM membership_reminders WHERE step = :step AND sent_at = :now"
    if action:
        db.session.execute(
            text(
                f"UPDATE memberships SET status = :to WHERE id IN ({taken}) AND status IN :statuses"
            ).bindparams(bindparam("statuses", expanding=True)),
            {**params, "to": step.moves_to},
        )
    db.session.execute(
        text(
            "INSERT INTO audit_log (action, object_type, object_id, after, created_at)"
            f" SELECT :action, 'Membership', membership_id, :after, :now FROM ({taken}) t"
        ),
        {**params, "action": f"membership.{action or 'reminded'}", "after": '{"step": 1}'},
    )
    db.session.execute(
        text(
            "INSERT INTO outbox_jobs (job_name, args, status, attempts, created_at)"
            f" SELECT 'send_mail', {json_array}(r.id, u.email, 'subject', 'body'),"
            " 'pending', 0, :now FROM membership_reminders r"
            " JOIN memberships m ON m.id = r.membership_id"
            " JOIN organisation_members om ON om.organisation_id = m.organisation_id"
            " JOIN users u ON u.id = om.user_id WHERE r.step = :step AND r.sent_at = :now"
        ),
        params,
    )
    return recorded


def raw_dunning(today: date) -> dict[str, int]:
    """Every dunning step of `today` by hand-written SQL (the yardstick of the sweep)."""
    steps = membership_rules.DUNNING_STEPS
    now = datetime.now(UTC).replace(tzinfo=None)
    taken = {
        step.name: _raw_dunning_step(step, steps[n + 1] if n + 1 < len(steps) else None, today, now)
        for n, step in enumerate(steps)
    }
    db.session.commit()
    return taken


def _first_sweep_state() -> None:
    """The memberships as before any sweep ran: every one active, no step recorded."""
    db.session.execute(text("DELETE FROM membership_reminders"))
    db.session.execute(
        text("UPDATE memberships SET status = 'active' WHERE status IN ('past_due', 'suspended')")
    )
    db.session.commit()


def dunning(today: date, repeats: int = 5) -> dict[str, Any]:
    """(8) The daily dunning sweep (dunning.sweep, set-based) over the memberships data set
    next to the same work by hand-written SQL, each run rolled back after one untimed run: on
    the bench day as the sweep finds it after running every day until yesterday (`daily`), and
    the first sweep ever, where every invoice has some step due (`first`)."""
    found: dict[str, Any] = {}
    for name, prepare in (("daily", None), ("first", _first_sweep_state)):
        figures: dict[str, Any] = {}
        for label, run in (("sweep", dunning_service.sweep), ("raw_sql", raw_dunning)):
            runs, taken = [], {}
            for attempt in range(repeats + 1):
                with rolled_back():
                    if prepare:
                        prepare()
                    ms, taken = _timed(lambda run=run: run(today))
                if attempt:  # the first run compiles statements and loads catalogues
                    runs.append(ms)
            figures[label] = {"median": statistics.median(runs), "runs": runs, "taken": taken}
        figures["ratio"] = round(figures["sweep"]["median"] / figures["raw_sql"]["median"], 2)
        found[name] = figures
    return found
