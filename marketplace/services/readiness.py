"""Whether this app server may take traffic (`/readyz`): the database answers, its schema is at
the migrations' head, and Redis (when configured) answers and never evicts keys.

A load balancer asks every few seconds, so each check has a deadline (READYZ_TIMEOUT): a
database or Redis that accepts connections but never answers makes the answer "not ready"
within that time, not a hung probe. `noeviction` matters because RQ keeps its queues and jobs
in Redis: under any other policy a full Redis silently drops jobs; with it, writes fail loudly
and the outbox keeps the rows until the relay gets through."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import cache
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from sqlalchemy import inspect, text

from marketplace.extensions import db
from marketplace.services.queue import redis_connection

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
REQUIRED_EVICTION_POLICY = "noeviction"
# Checks run here so a hung one can be abandoned at its deadline; a few threads at most, so a
# database that hangs for minutes cannot pile up threads (later checks wait and time out).
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")

Result = dict[str, Any]


@cache
def migration_heads(directory: Path = MIGRATIONS) -> tuple[str, ...]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(directory))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def _database() -> Result:
    db.session.execute(text("SELECT 1"))
    return {"ok": True}


def _migrations() -> Result:
    with db.engine.connect() as conn:
        # Read directly, not through alembic's MigrationContext, which logs two lines each time.
        found = inspect(conn).has_table("alembic_version")
        rows = conn.execute(text("SELECT version_num FROM alembic_version")) if found else []
        current = tuple(sorted(row[0] for row in rows))
    heads = migration_heads()
    found: Result = {"ok": current == heads, "current": list(current), "head": list(heads)}
    if current != heads:
        found["error"] = "the database is not at the migrations' head: run flask db upgrade"
    return found


def _redis_checks() -> dict[str, Result]:
    conn = redis_connection()
    try:
        conn.ping()
        policy = conn.info("memory").get("maxmemory_policy")
    finally:
        conn.close()
    found: Result = {"ok": policy == REQUIRED_EVICTION_POLICY, "policy": policy}
    if not found["ok"]:
        found["error"] = (
            f"maxmemory-policy is {policy}: set it to {REQUIRED_EVICTION_POLICY},"
            " or a full Redis drops queued jobs"
        )
    return {"redis": {"ok": True}, "redis_eviction_policy": found}


def _in_context(app: Flask, check: Callable[[], Any]) -> Any:
    with app.app_context():
        try:
            return check()
        finally:
            db.session.remove()


def _run(app: Flask, check: Callable[[], Any], deadline: float) -> tuple[Any, float]:
    """The check's result (or the exception it raised, or a TimeoutError) and its ms."""
    started = time.perf_counter()
    future = _checks.submit(_in_context, app, check)
    try:
        result = future.result(timeout=max(deadline - time.monotonic(), 0.01))
    except FutureTimeout:
        future.cancel()
        result = TimeoutError(f"no answer within {app.config['READYZ_TIMEOUT']} s")
    except Exception as exc:  # the check failed: its error is the answer
        result = exc
    return result, round((time.perf_counter() - started) * 1000, 1)


def _failed(name: str, exc: BaseException) -> Result:
    """A failed check: the kind of error in the answer (which anyone may read), the whole
    message (hosts, ports) only in the log."""
    log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
    return {"ok": False, "error": type(exc).__name__}


def check() -> tuple[bool, dict[str, Result]]:
    """Every check's result (`ok`, `ms`, and what was found or went wrong), and whether all
    passed. Without REDIS_URL (embedded mode) Redis is not needed and not checked."""
    app = current_app._get_current_object()
    deadline = time.monotonic() + app.config["READYZ_TIMEOUT"]
    results: dict[str, Result] = {}
    for name, step in (("database", _database), ("migrations", _migrations)):
        result, ms = _run(app, step, deadline)
        results[name] = {
            **(_failed(name, result) if isinstance(result, BaseException) else result),
            "ms": ms,
        }
    if app.config.get("REDIS_URL"):
        result, ms = _run(app, _redis_checks, deadline)
        if isinstance(result, BaseException):
            results["redis"] = {**_failed("redis", result), "ms": ms}
            results["redis_eviction_policy"] = {"ok": False, "error": "Redis did not answer"}
        else:
            results["redis"] = {**result["redis"], "ms": ms}
            results["redis_eviction_policy"] = result["redis_eviction_policy"]
    else:
        results["redis"] = {"ok": True, "skipped": "REDIS_URL is not set: jobs run in-process"}
    return all(r["ok"] for r in results.values()), results
