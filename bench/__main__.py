"""`python -m bench`: measure on BENCH_DATABASE_URL (created, migrated and seeded when empty), the
pages over HTTP from gunicorn and the jobs in-process, each writing measure rolled back, and print
one JSON document; exit status 1 when a target is missed or the run changed the data. See
bench/README.md."""

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

from flask import Flask
from flask_migrate import upgrade
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import URL

from bench import measures, throughput, webhook, workers
from bench.app import bench_app, database_url
from bench.seed import (
    BENCH_TODAY,
    PASSWORD,
    bench_counts,
    biggest_authority_officer,
    is_seeded,
    market_is_seeded,
    memberships_are_seeded,
    seed_bench,
    seed_market,
    seed_memberships,
)
from bench.served import Browser, gunicorn
from marketplace.services import accounts, contracts, organisations

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(__file__).resolve().parent / "baseline.json"
# A figure this much slower than the baseline counts as a regression (2 shared cores are noisy).
REGRESSION_RATIO = 1.5
# The Redis the worker measure queues on (under a key prefix of its own, removed afterwards).
REDIS_URL = os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/0"
# A sweep after a long outage: many statuses move at once and their mails dominate.
CATCH_UP_DAYS = 90
# The contractor whose overview the throughput measure asks for (bench/seed.py's first).
CONTRACTOR = "aannemer.0001@bench.example.com"


def prepare(app: Flask, size: argparse.Namespace) -> dict[str, Any]:
    """Migrate, and seed an empty database: the compliance data set (unless --search-only) and
    the marketplace's."""
    data: dict[str, Any] = {"seeded_now": False}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if not size.search_only and not is_seeded():
            start = time.perf_counter()
            seed_bench(size.contracts, size.realisations, size.contractors)
            data.update(seeded_now=True, seed_seconds=round(time.perf_counter() - start, 1))
        if not market_is_seeded():
            start = time.perf_counter()
            seed_market(size.listings, size.organisations)
            data["market_seed_seconds"] = round(time.perf_counter() - start, 1)
        data.update(bench_counts())
        data["broad_query_hits"] = measures.broad_query_total()
    return data


def measure_search(url: URL, mail_dir: str) -> dict[str, Any]:
    """The search page next to the bare hello route, over HTTP from gunicorn, as a visitor."""
    with gunicorn(url.render_as_string(hide_password=False), mail_dir) as base:
        browser = Browser(base)
        return {
            "hello_ms": measures.hello(browser),
            "search_page_ms": measures.search_page(browser),
        }


def measure_matches(app: Flask) -> dict[str, Any]:
    """The matches of a demand, in this process, as the demand's page asks for them; and the
    search service's statements, in this process, each URL several times without kept counts."""
    with app.app_context():
        return {
            "demand_matches_ms": measures.demand_matches(),
            "search_statements_ms": measures.search_statements(),
        }


def measure_in_process(app: Flask) -> tuple[dict[str, Any], dict[str, Any]]:
    """The sweeps and the approvals, as the worker runs them, each rolled back; with the
    authority and contract the pages are measured on."""
    today = BENCH_TODAY
    with app.app_context():
        officer = accounts.find_by_email(biggest_authority_officer())
        # Plain values: every rolled-back measure ends its session, detaching loaded objects.
        authority_id = organisations.organisations_of(officer)[0].id
        officer_email = officer.email
        figures: dict[str, Any] = {"raw_sums_ms": measures.raw_sums()}
        for name, days in (
            ("quiet", 0),
            ("next_day", 1),
            (f"catch_up_{CATCH_UP_DAYS}d", CATCH_UP_DAYS),
        ):
            figures[f"recompute_all_{name}_ms"] = measures.recompute_all(
                today + timedelta(days=days)
            )
        figures["recompute_after_approval_ms"] = measures.approval_recompute(
            authority_id, officer_email, today
        )
        contract_id, count = measures.biggest_contract(authority_id)
        about = {
            "biggest_authority_contracts": sum(contracts.status_counts(authority_id).values()),
            "biggest_contract": {"id": contract_id, "realisations": count},
        }
    return figures, about


def measure_served(url: URL, mail_dir: str, about: dict[str, Any]) -> dict[str, Any]:
    """The pages, over HTTP from gunicorn, logged in as the biggest authority's officer."""
    with gunicorn(url.render_as_string(hide_password=False), mail_dir) as base:
        browser = Browser(base)
        browser.login(biggest_authority_officer(), PASSWORD)
        biggest = about["biggest_contract"]
        return {
            "dashboard_ms": measures.officer_dashboard(
                browser, about["biggest_authority_contracts"]
            ),
            "contract_page_ms": measures.contract_page(
                browser, biggest["id"], biggest["realisations"]
            ),
            "authority_chart_ms": measures.authority_chart(browser),
        }


def measure_throughput(app: Flask, url: URL, mail_dir: str) -> dict[str, Any]:
    """The most used pages through gunicorn with a worker per core, next to hello-world
    (bench/throughput.py): latency, requests per second and memory per worker."""
    with app.app_context():
        officer = accounts.find_by_email(biggest_authority_officer())
        authority_id = organisations.organisations_of(officer)[0].id
        contract_id, _count = measures.biggest_contract(authority_id)
        officer_email = officer.email
    return throughput.measure(
        url.render_as_string(hide_password=False), mail_dir, officer_email, CONTRACTOR, contract_id
    )


def measure_webhook(app: Flask, url: URL, mail_dir: str) -> dict[str, Any]:
    """Stripe's webhook acknowledged, next to the hello route of the same server."""
    with app.app_context():
        return webhook.measure(url.render_as_string(hide_password=False), mail_dir)


def measure_dunning(app: Flask, size: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The daily dunning sweep next to the same work in hand-written SQL, on the memberships
    data set (seeded when missing); with what was seeded and whether the data was restored."""
    data: dict[str, Any] = {}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if not memberships_are_seeded():
            start = time.perf_counter()
            seed_memberships(size.memberships)
            data["memberships_seed_seconds"] = round(time.perf_counter() - start, 1)
        before = measures.fingerprint()
        figures = {"dunning_ms": measures.dunning(BENCH_TODAY)}
        data["restored"] = measures.fingerprint() == before
    return figures, data


def measure_workers(app: Flask, size: argparse.Namespace) -> dict[str, Any]:
    """No-op jobs/s through one forking and one non-forking RQ worker (bench/workers.py);
    skipped, saying so, when there is no Redis to measure on."""
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as exc:
        return {"skipped": f"no Redis at {REDIS_URL}: {exc}"}
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    quiet = logging.getLogger("marketplace.jobs")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # a line per job would flood the output, not the figure
    try:
        return workers.measure(app, REDIS_URL, size.worker_jobs)
    finally:
        quiet.setLevel(level)


def measure(app: Flask, url: URL, mail_dir: str, size: argparse.Namespace) -> dict[str, Any]:
    """Seed when needed, then every measure; the data is checked to be as it was before."""
    if size.workers_only:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            before = measures.fingerprint()
        figures = {"workers": measure_workers(app, size)}
        with app.app_context():
            data = {"restored": measures.fingerprint() == before}
        return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}
    if size.dunning_only:
        figures, data = measure_dunning(app, size)
        return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}
    if size.webhook_only:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            before = webhook.rows()
        figures = measure_webhook(app, url, mail_dir)
        with app.app_context():
            data = {"restored": webhook.rows() == before}
        return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}
    data = prepare(app, size)
    if size.pages_only:
        with app.app_context():
            before = measures.fingerprint()
        figures = {"throughput": measure_throughput(app, url, mail_dir)}
        with app.app_context():
            data["restored"] = measures.fingerprint() == before
        return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}
    if size.search_only:
        data["restored"] = True  # the search pages only read; the matches roll back
        figures = {**measure_search(url, mail_dir), **measure_matches(app)}
        return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}
    with app.app_context():
        before = measures.fingerprint()
    figures, about = measure_in_process(app)
    figures.update(measure_served(url, mail_dir, about))
    figures.update(measure_search(url, mail_dir))
    figures.update(measure_matches(app))
    figures["webhook"] = measure_webhook(app, url, mail_dir)
    figures["dunning"], dunning_data = measure_dunning(app, size)
    figures["workers"] = measure_workers(app, size)
    figures["throughput"] = measure_throughput(app, url, mail_dir)
    figures["realisations_xlsx"] = measures.realisations_xlsx_memory(
        url.render_as_string(hide_password=False)
    )
    with app.app_context():
        restored = measures.fingerprint() == before
    data.update(about, restored=restored and dunning_data.pop("restored"), **dunning_data)
    return {"today": BENCH_TODAY.isoformat(), "data": data, "figures": figures}


def search_targets(figures: dict[str, Any]) -> dict[str, tuple[float, float]]:
    page = figures["search_page_ms"]
    found = {
        "search page server p95 < 50 ms": (page["server"]["p95"], 50),
        "search page statements <= 10": (page["statements_max"], 10),
    }
    if figures.get("demand_matches_ms", {}).get("n"):
        found["matches for one demand p95 < 30 ms"] = (figures["demand_matches_ms"]["p95"], 30)
    return found


def webhook_targets(figures: dict[str, Any]) -> dict[str, tuple[float, float]]:
    ack = figures["stripe_webhook_ms"]["server"]
    return {"stripe webhook acknowledgement server p95 < 20 ms": (ack["p95"], 20)}


def dunning_targets(figures: dict[str, Any]) -> dict[str, tuple[float, float]]:
    return {
        f"dunning sweep {name} <= 3 x raw SQL": (
            figures["dunning_ms"][name]["sweep"]["median"],
            3 * figures["dunning_ms"][name]["raw_sql"]["median"],
        )
        for name in ("daily", "first")
    }


def targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if set(figures) == {"throughput"}:
        return _checked(throughput.targets(figures["throughput"]))
    """Each target with its limit, the measured value and pass/fail."""
    if set(figures) == {"workers"}:
        return {}  # figures to choose a worker class by, no target
    if "dunning_ms" in figures:
        return _checked(dunning_targets(figures))
    if "stripe_webhook_ms" in figures:
        return _checked(webhook_targets(figures))
    if "raw_sums_ms" not in figures:
        return _checked(search_targets(figures))
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
    page = figures["contract_page_ms"]["first_page"]
    found["contract page p95 < 200 ms"] = (page["p95"], 200)
    found["contract page statements <= 15"] = (page["statements_max"], 15)
    return _checked(
        {
            **found,
            **search_targets(figures),
            **webhook_targets(figures["webhook"]),
            **dunning_targets(figures["dunning"]),
            **throughput.targets(figures["throughput"]),
        }
    )


def _checked(found: dict[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    return {
        name: {"value": value, "limit": round(limit, 1), "pass": value <= limit}
        for name, (value, limit) in found.items()
    }


def search_summary(figures: dict[str, Any]) -> dict[str, float]:
    return {
        "hello_server_p95_ms": figures["hello_ms"]["server"]["p95"],
        "search_page_server_p95_ms": figures["search_page_ms"]["server"]["p95"],
        "search_page_server_cold_p95_ms": figures["search_page_ms"]["server_cold"]["p95"],
        "search_page_forced_cold_p95_ms": figures["search_page_ms"]["forced_cold"]["server"]["p95"],
        "search_page_statements": figures["search_page_ms"]["statements_max"],
        "demand_matches_p95_ms": figures.get("demand_matches_ms", {}).get("p95", 0),
    }


def webhook_summary(figures: dict[str, Any]) -> dict[str, float]:
    return {
        "webhook_hello_server_p95_ms": figures["hello_ms"]["server"]["p95"],
        "stripe_webhook_server_p95_ms": figures["stripe_webhook_ms"]["server"]["p95"],
    }


def dunning_summary(figures: dict[str, Any]) -> dict[str, float]:
    return {
        f"dunning_{name}_{part}_ms": figures["dunning_ms"][name][part]["median"]
        for name in ("daily", "first")
        for part in ("sweep", "raw_sql")
    }


def workers_summary(figures: dict[str, Any]) -> dict[str, float]:
    """Milliseconds per job (lower is better, as every other figure the baseline compares)."""
    return {
        f"worker_{name}_ms_per_job": round(1000 / figure["jobs_per_s"], 2)
        for name, figure in figures["workers"].items()
        if isinstance(figure, dict) and figure["jobs_per_s"]
    }


def throughput_summary(figures: dict[str, Any]) -> dict[str, float]:
    """Each page's p95 and its requests per second as a fraction of hello-world's (inverted,
    so that lower is better like every other figure the baseline compares)."""
    found: dict[str, float] = {}
    for name, figure in figures["pages"].items():
        found[f"served_{name}_p95_ms"] = figure["latency_ms"]["p95"]
        if name != "hello":
            found[f"served_{name}_hello_req_per_s_over_this"] = figure["hello_req_per_s_over_this"]
    return found


def summary(figures: dict[str, Any]) -> dict[str, float]:
    """The headline number of each figure, the shape bench/baseline.json compares."""
    if set(figures) == {"throughput"}:
        return throughput_summary(figures["throughput"])
    if set(figures) == {"workers"}:
        return workers_summary(figures)
    if "dunning_ms" in figures:
        return dunning_summary(figures)
    if "stripe_webhook_ms" in figures:
        return webhook_summary(figures)
    if "raw_sums_ms" not in figures:
        return search_summary(figures)
    return {
        **search_summary(figures),
        **webhook_summary(figures["webhook"]),
        **dunning_summary(figures["dunning"]),
        **workers_summary(figures),
        **throughput_summary(figures["throughput"]),
        "raw_sums_ms": figures["raw_sums_ms"]["median"],
        **{k: f["median"] for k, f in figures.items() if k.startswith("recompute_all_")},
        "recompute_after_approval_p95_ms": figures["recompute_after_approval_ms"]["p95"],
        "dashboard_p95_ms": figures["dashboard_ms"]["p95"],
        "dashboard_statements": figures["dashboard_ms"]["statements_max"],
        "contract_page_p95_ms": figures["contract_page_ms"]["first_page"]["p95"],
        "contract_page_bytes": figures["contract_page_ms"]["first_page"]["bytes_max"],
        "authority_chart_p50_ms": figures["authority_chart_ms"]["full"]["p50"],
        "authority_chart_304_p50_ms": figures["authority_chart_ms"]["not_modified"]["p50"],
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
    parser.add_argument("--listings", type=int, default=100_000, help="when seeding")
    parser.add_argument("--organisations", type=int, default=5_000, help="when seeding")
    parser.add_argument(
        "--search-only", action="store_true", help="only the marketplace's search pages"
    )
    parser.add_argument("--memberships", type=int, default=10_000, help="when seeding")
    parser.add_argument(
        "--dunning-only",
        action="store_true",
        help="only the memberships' daily dunning sweep (seeds the memberships alone)",
    )
    parser.add_argument(
        "--webhook-only",
        action="store_true",
        help="only Stripe's webhook acknowledgement (no seeding needed)",
    )
    parser.add_argument(
        "--workers-only",
        action="store_true",
        help="only no-op jobs/s through one forking and one non-forking RQ worker"
        " (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0)",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the most used pages through gunicorn with a worker per core, next to"
        " hello-world: latency, requests per second, memory per worker",
    )
    parser.add_argument(
        "--worker-jobs", type=int, default=200, help="jobs per worker class and path"
    )
    parser.add_argument(
        "--save-baseline", action="store_true", help=f"write this run to {BASELINE.name}"
    )
    return parser.parse_args()


def main() -> int:
    options = arguments()
    url = database_url()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sr-bench-mail-") as mail_dir:
        result = measure(bench_app(url, mail_dir, server_name="localhost"), url, mail_dir, options)
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
    if options.save_baseline and not (
        options.search_only
        or options.webhook_only
        or options.dunning_only
        or options.workers_only
        or options.pages_only
    ):
        saved = {k: v for k, v in report.items() if k != "baseline"}
        BASELINE.write_text(json.dumps(saved, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    if not report["data"]["restored"]:
        print("bench: the data changed during the run (see bench/README.md)", file=sys.stderr)
    return 0 if report["pass"] and report["data"]["restored"] else 1


if __name__ == "__main__":
    sys.exit(main())
