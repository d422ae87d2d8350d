"""`python -m bench`: measure on BENCH_DATABASE_URL (created, migrated and seeded when empty) and
print one JSON document; exit status 1 when a target is missed. See bench/README.md."""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import URL, make_url

from bench import measures
from marketplace import create_app
from marketplace.bench_data import (
    BENCH_TODAY,
    PASSWORD,
    bench_counts,
    biggest_authority_officer,
    is_seeded,
    seed_bench,
)
from marketplace.services import accounts, contracts, organisations

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "baseline.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/sr_bench"
# A figure this much slower than the baseline counts as a regression (2 shared cores are noisy).
REGRESSION_RATIO = 1.5
# A sweep after a long outage: many statuses move at once and their mails dominate.
CATCH_UP_DAYS = 90


def database_url() -> URL:
    """BENCH_DATABASE_URL with the psycopg 3 driver; a missing PostgreSQL database is created."""
    url = make_url(os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL)
    if url.get_backend_name() != "postgresql":
        return url
    url = url.set(drivername="postgresql+psycopg")
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,))
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return url


def bench_app(url: URL, mail_dir: str) -> Flask:
    """The app as production runs it, except that jobs stay in the outbox (no Redis, no worker):
    the figures are the services' own, without mail delivery."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
            "JOBS_MODE": "rq",
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
            "MAIL_SERVER": None,
            "MAIL_DIR": mail_dir,
            "SERVER_NAME": "localhost",
        }
    )
    # Relaying to the absent Redis fails on purpose; its warning would flood stderr.
    logging.getLogger("marketplace.services.outbox").setLevel(logging.ERROR)
    return app


def measure(app: Flask, size: argparse.Namespace) -> dict[str, Any]:
    """Seed when needed, then run the four measurements in one go."""
    data: dict[str, Any] = {"seeded_now": False}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if not is_seeded():
            start = time.perf_counter()
            seed_bench(size.contracts, size.realisations, size.contractors)
            data.update(seeded_now=True, seed_seconds=round(time.perf_counter() - start, 1))
        data.update(bench_counts())
        officer = accounts.find_by_email(biggest_authority_officer())
        authority = organisations.organisations_of(officer)[0]
        today = BENCH_TODAY
        figures = {"raw_sums_ms": measures.raw_sums()}
        for name, days in (
            ("quiet", 0),
            ("next_day", 1),
            (f"catch_up_{CATCH_UP_DAYS}d", CATCH_UP_DAYS),
        ):
            figures[f"recompute_all_{name}_ms"] = measures.recompute_all(
                today, today + timedelta(days=days)
            )
        figures["recompute_after_approval_ms"] = measures.approval_recompute(
            authority.id, officer, today
        )
        if "officer.dashboard" in app.view_functions:
            figures["dashboard_ms"] = measures.officer_dashboard(app, officer.email, PASSWORD)
        else:
            figures["dashboard_ms"] = measures.dashboard_services(authority.id)
        data["biggest_authority_contracts"] = sum(contracts.status_counts(authority.id).values())
    return {"today": today.isoformat(), "data": data, "figures": figures}


def targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with its limit, the measured value and pass/fail."""
    raw = figures["raw_sums_ms"]["median"]
    found = {
        f"recompute_all_{name} <= 3 x raw_sums": (
            figures[f"recompute_all_{name}_ms"]["median"],
            3 * raw,
        )
        for name in ("quiet", "next_day")
    }
    found["recompute_after_approval p95 < 50 ms"] = (
        figures["recompute_after_approval_ms"]["p95"],
        50,
    )
    dashboard = figures["dashboard_ms"]
    found["dashboard p95 < 200 ms"] = (dashboard["p95"], 200)
    found["dashboard statements <= 10"] = (dashboard["statements_max"], 10)
    return {
        name: {"value": value, "limit": round(limit, 1), "pass": value <= limit}
        for name, (value, limit) in found.items()
    }


def summary(figures: dict[str, Any]) -> dict[str, float]:
    """The headline number of each figure, the shape bench/baseline.json compares."""
    return {
        "raw_sums_ms": figures["raw_sums_ms"]["median"],
        **{k: f["median"] for k, f in figures.items() if k.startswith("recompute_all_")},
        "recompute_after_approval_p95_ms": figures["recompute_after_approval_ms"]["p95"],
        "dashboard_p95_ms": figures["dashboard_ms"]["p95"],
        "dashboard_statements": figures["dashboard_ms"]["statements_max"],
    }


def compare(now: dict[str, float]) -> dict[str, Any] | None:
    if not BASELINE.exists():
        return None
    base = json.loads(BASELINE.read_text())["summary"]
    ratios = {k: round(now[k] / base[k], 2) for k in now if base.get(k)}
    return {
        "file": str(BASELINE.relative_to(ROOT)),
        "ratios": ratios,
        "regressions": sorted(k for k, r in ratios.items() if r > REGRESSION_RATIO),
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--contracts", type=int, default=10_000, help="when seeding")
    parser.add_argument("--realisations", type=int, default=200_000, help="when seeding")
    parser.add_argument("--contractors", type=int, default=500, help="when seeding")
    parser.add_argument(
        "--save-baseline", action="store_true", help=f"write this run to {BASELINE.name}"
    )
    return parser.parse_args()


def main() -> int:
    options = arguments()
    url = database_url()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sr-bench-mail-") as mail_dir:
        result = measure(bench_app(url, mail_dir), options)
    checks = targets(result["figures"])
    now = summary(result["figures"])
    report = {
        "database": url.render_as_string(hide_password=True),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            # Other work on the machine inflates every figure: read them with the load.
            "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "python": platform.python_version(),
        },
        **result,
        "summary": now,
        "targets": checks,
        "pass": all(c["pass"] for c in checks.values()),
        "baseline": compare(now),
    }
    if options.save_baseline:
        saved = {k: v for k, v in report.items() if k != "baseline"}
        BASELINE.write_text(json.dumps(saved, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
