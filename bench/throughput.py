"""The pages people use most, served as production serves them (gunicorn with a worker per core)
next to a bare hello-world through the same server: each page's latency one request at a time
(p50/p95) and its throughput with several clients at once (requests per second), both read as
ratios to hello-world's in the same run, and the memory of each gunicorn worker afterwards.

Ratios, not absolute times, are the figures to compare between machines and runs: whatever else
the machine does slows the hello route too. The goal (issue 16): every page p95 under 100 ms and
at least 1/20 of hello-world's requests per second."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measures import _percentiles
from bench.seed import PASSWORD
from bench.served import Answer, Browser, children_by_parent, gunicorn_process

# Clients sending at once during a throughput measure, and for how long per page.
CLIENTS = 4
SECONDS = 5.0
LATENCY_REQUESTS = 30
VALUATION = {
    "block": {
        "code": "PW",
        "unit": "fte_year",
        "rate_cents": 4000000,
        "min_hours_per_week": 12,
        "max_days": 730,
        "bonuses": {"age_50_plus": 1000000},
    },
    "realisation": {
        "start": "2026-01-01",
        "end": "2026-06-30",
        "hours_per_week": 24,
        "attributes": ["age_50_plus"],
    },
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    login: str | None = None  # the e-mail address of the user who asks for it
    body: dict[str, Any] | None = None  # a JSON body to POST

    def ask(self, browser: Browser) -> Answer:
        if self.body is None:
            return browser.request(self.path)
        return browser.request(
            self.path,
            headers={"Content-Type": "application/json"},
            body=json.dumps(self.body).encode(),
        )


def pages(officer: str, contractor: str, contract_id: int) -> list[Page]:
    """Hello-world first (the yardstick), then the pages of issue 16's list."""
    return [
        Page("hello", "/bench/hello"),
        Page("home", "/"),
        Page("search", "/zoeken?q=schoonmaak"),
        Page("officer_dashboard", "/inkoop/", officer),
        Page("contract_page", f"/contracten/{contract_id}", officer),
        Page("contractor_overview", "/opdrachtnemer/", contractor),
        Page("calculator_api", "/api/v1/sroi/valuate", body=VALUATION),
    ]


def _browser(base: str, email: str | None) -> Browser:
    browser = Browser(base)
    if email:
        browser.login(email, PASSWORD)
    return browser


def _checked(answer: Answer, page: Page) -> Answer:
    if answer.status != 200:
        raise RuntimeError(f"{page.path} answered {answer.status}")
    return answer


def latency(browser: Browser, page: Page) -> dict[str, Any]:
    """One request at a time: client time (whole body read) and SQL statements."""
    for _ in range(3):  # warm-up: templates compiled, caches filled, in every worker
        _checked(page.ask(browser), page)
    answers = [_checked(page.ask(browser), page) for _ in range(LATENCY_REQUESTS)]
    return {
        **_percentiles([a.ms for a in answers]),
        "statements_max": max(a.statements for a in answers),
    }


def throughput(make_browser: Callable[[], Browser], page: Page) -> float:
    """Requests per second that CLIENTS clients, each sending its next request as soon as the
    last one is answered, get through in SECONDS."""
    browsers = [make_browser() for _ in range(CLIENTS)]
    counts = [0] * CLIENTS
    errors: list[str] = []
    start_line = threading.Barrier(CLIENTS + 1)
    deadline = [0.0]

    def client(i: int) -> None:
        start_line.wait()
        while time.monotonic() < deadline[0]:
            answer = page.ask(browsers[i])
            if answer.status != 200:
                errors.append(f"{page.path} answered {answer.status}")
                return
            counts[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline[0] = started + SECONDS
    start_line.wait()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    return round(sum(counts) / (time.monotonic() - started), 1)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(
    database_url: str, mail_dir: str, officer: str, contractor: str, contract_id: int
) -> dict[str, Any]:
    """Every page's latency and throughput, with ratios to hello-world; memory per worker."""
    workers = os.cpu_count() or 1
    with gunicorn_process(database_url, mail_dir, workers=workers) as (base, process):
        found: dict[str, dict[str, Any]] = {}
        for page in pages(officer, contractor, contract_id):
            found[page.name] = {
                "path": page.path,
                "latency_ms": latency(_browser(base, page.login), page),
                "req_per_s": throughput(lambda page=page: _browser(base, page.login), page),
            }
        memory = [_rss_mb(pid) for pid in children_by_parent().get(process.pid, [])]
    hello = found["hello"]
    for name, figure in found.items():
        if name != "hello":
            figure["p95_vs_hello"] = round(
                figure["latency_ms"]["p95"] / max(hello["latency_ms"]["p95"], 0.1), 1
            )
            # "1/N of hello-world's requests per second": the goal is N <= 20.
            figure["hello_req_per_s_over_this"] = round(
                hello["req_per_s"] / max(figure["req_per_s"], 0.1), 1
            )
    return {
        "gunicorn_workers": workers,
        "clients": CLIENTS,
        "seconds_per_page": SECONDS,
        "pages": found,
        "memory_mb_per_worker": memory,
    }


def targets(figures: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Every page p95 < 100 ms and at least 1/20 of hello-world's requests per second."""
    found: dict[str, tuple[float, float]] = {}
    for name, figure in figures["pages"].items():
        if name == "hello":
            continue
        found[f"{name} p95 < 100 ms"] = (figure["latency_ms"]["p95"], 100)
        found[f"{name} req/s >= 1/20 of hello"] = (figure["hello_req_per_s_over_this"], 20)
    return found
