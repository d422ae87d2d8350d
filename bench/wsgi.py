"""gunicorn's entry for the harness (`gunicorn bench.wsgi:app`): the bench app, plus a response
header with the number of SQL statements the request sent, so the harness counts them through a
real request instead of inside an app context of its own (where `g` and the session outlive a
request and hide statements: 7 counted where a real request sends 8).

Configured by the harness through the environment: BENCH_DATABASE_URL (already resolved) and
BENCH_MAIL_DIR."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import event

from bench.app import bench_app
from bench.served import STATEMENTS_HEADER
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

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            return start_response(
                status, [*headers, (STATEMENTS_HEADER, str(self.count))], *exc_info
            )

        return self.wsgi_app(environ, start)


def counted(app: Flask) -> Flask:
    """The app with its statements counted per request."""
    counter = StatementCounter(app.wsgi_app)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter.seen)
    app.wsgi_app = counter
    return app


app = counted(bench_app(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_MAIL_DIR"]))
