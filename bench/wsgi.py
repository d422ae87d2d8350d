"""gunicorn's entry for the harness (`gunicorn bench.wsgi:app`): the bench app, plus response
headers with the number of SQL statements the request sent and the app's own time for it, so the
harness counts them through a real request instead of inside an app context of its own (where
`g` and the session outlive a request and hide statements: 7 counted where a real request sends
8). A bare `/bench/hello` route is the yardstick a page's time is read against: what any request
costs here (WSGI, Flask, the middleware) before the page does anything.

CPU time reads far less with the machine's load than wall time does: `X-Bench-Server-Cpu-Ms` is
the serving process's (Python, the template, the driver), `X-Bench-Db-Cpu-Ms` the PostgreSQL
backend's for the request's statements, read from the kernel's `/proc/<pid>/schedstat` (time on
a CPU, in nanoseconds) of the backend serving the connection, before its first statement and
when the response starts. Their sum is what the page costs the machine, whoever else runs on it;
`X-Bench-Db-Wait-Ms` is the time the backend waited for a core meanwhile. A request sent with
`X-Bench-Cold: 1` first forgets the search counts the process keeps, so the harness can time a
page that computes them as often as it likes.

Configured by the harness through the environment: BENCH_DATABASE_URL (already resolved) and
BENCH_MAIL_DIR."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.app import bench_app
from bench.served import (
    COLD_HEADER,
    DB_CPU_MS_HEADER,
    DB_WAIT_MS_HEADER,
    SERVER_CPU_MS_HEADER,
    SERVER_MS_HEADER,
    STATEMENTS_HEADER,
)
from bench.webhook import served_config
from marketplace.extensions import db


class StatementCounter:
    """WSGI middleware: counts `before_cursor_execute` events from the start of a request until
    its response starts (gunicorn's sync worker serves one request at a time per process)."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.count = 0
        # Per PostgreSQL backend seen in this request: its (cpu, wait) ns before the first one.
        self.backends: dict[int, tuple[int, int]] = {}

    def seen(self, _conn: Any, cursor: Any, *_args: Any) -> None:
        self.count += 1
        pid = getattr(getattr(cursor.connection, "info", None), "backend_pid", None)
        if pid and pid not in self.backends:
            self.backends[pid] = _schedstat(pid)

    def _database_ns(self) -> tuple[int, int]:
        used = waited = 0
        for pid, (cpu, wait) in self.backends.items():
            now_cpu, now_wait = _schedstat(pid)
            used, waited = used + now_cpu - cpu, waited + now_wait - wait
        return used, waited

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.count = 0
        self.backends = {}
        if environ.get("HTTP_" + COLD_HEADER.upper().replace("-", "_")) == "1":
            self.app.extensions.pop("search_counts", None)
        began, cpu = time.perf_counter(), time.process_time()

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            # Flask starts the response once the view and the template are done.
            server_ms = f"{(time.perf_counter() - began) * 1000:.1f}"
            cpu_ms = f"{(time.process_time() - cpu) * 1000:.1f}"
            db_cpu, db_wait = self._database_ns()
            extra = [
                (STATEMENTS_HEADER, str(self.count)),
                (SERVER_MS_HEADER, server_ms),
                (SERVER_CPU_MS_HEADER, cpu_ms),
                (DB_CPU_MS_HEADER, f"{db_cpu / 1e6:.1f}"),
                (DB_WAIT_MS_HEADER, f"{db_wait / 1e6:.1f}"),
            ]
            return start_response(status, [*headers, *extra], *exc_info)

        return self.wsgi_app(environ, start)


def _schedstat(pid: int) -> tuple[int, int]:
    """Nanoseconds the process spent on a CPU and waiting for one; zeros where the kernel does
    not tell (another machine's database, no schedstat)."""
    try:
        with open(f"/proc/{pid}/schedstat") as stat:
            on_cpu, waiting, _slices = stat.read().split()
    except (OSError, ValueError):
        return 0, 0
    return int(on_cpu), int(waiting)


def counted(app: Flask) -> Flask:
    """The app with its statements and time counted per request, and the bare hello route."""
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "hello")
    counter = StatementCounter(app.wsgi_app, app)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.seen)
    app.wsgi_app = counter
    return app


app = counted(
    bench_app(
        os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_MAIL_DIR"], overrides=served_config()
    )
)
