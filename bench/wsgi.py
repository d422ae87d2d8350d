"""gunicorn's entry for the harness (`gunicorn bench.wsgi:app`): the bench app, plus response
headers with the number of SQL statements the request sent and the app's own time for it, so the
harness counts them through a real request instead of inside an app context of its own (where
`g` and the session outlive a request and hide statements: 7 counted where a real request sends
8). A bare `/bench/hello` route is the yardstick a page's time is read against: what any request
costs here (WSGI, Flask, the middleware) before the page does anything.

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
from bench.served import SERVER_MS_HEADER, STATEMENTS_HEADER
from marketplace.extensions import db


class StatementCounter:
    """WSGI middleware: counts `before_cursor_execute` events from the start of a request until
    its response starts (gunicorn's sync worker serves one request at a time per process)."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app
        self.count = 0

    def seen(self, *_args: Any) -> None:
        self.count += 1

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.count = 0
        began = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            # Flask starts the response once the view and the template are done.
            server_ms = f"{(time.perf_counter() - began) * 1000:.1f}"
            extra = [(STATEMENTS_HEADER, str(self.count)), (SERVER_MS_HEADER, server_ms)]
            return start_response(status, [*headers, *extra], *exc_info)

        return self.wsgi_app(environ, start)


def counted(app: Flask) -> Flask:
    """The app with its statements and time counted per request, and the bare hello route."""
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "hello")
    counter = StatementCounter(app.wsgi_app)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.seen)
    app.wsgi_app = counter
    return app


app = counted(bench_app(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_MAIL_DIR"]))
