"""Request ids and structured log lines: one per request and one per job.

Every request gets an id: the caller's `X-Request-ID` when it is a sane token (a proxy or load
balancer in front usually sets one, and its logs then join ours), else a new one. The response
echoes it, the request's log line carries it, and the jobs the request enqueues store it in
their outbox row (`services/outbox.py`), so a job's log line and the e-mails it sends
(`X-Request-ID` header, `services/mail.py`) lead back to the click that caused them. A job
without one (a periodic job) gets a fresh id, which the jobs it enqueues inherit.

In production (`APP_ENV=production`, or `LOG_FORMAT=json`) every log record is one JSON object
per line on stdout, for a log collector; elsewhere a readable line on stderr."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: printable, no spaces or quotes, short. Anything else (a
# header injected with line breaks, a 10 kB value) is replaced, never logged or echoed.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{0,99}")
_ENVIRON_ID = "marketplace.request_id"
_ENVIRON_START = "marketplace.request_start"
# The id of the job this context runs (set by `acting_for` around a job), which outlives no job.
_job_request_id: ContextVar[str | None] = ContextVar("job_request_id", default=None)

request_log = logging.getLogger("marketplace.requests")
job_log = logging.getLogger("marketplace.jobs")


def new_request_id() -> str:
    return uuid.uuid4().hex


def sane_request_id(value: str | None) -> str | None:
    """`value` when it may serve as a request id, else None."""
    return value if value and _SANE_ID.fullmatch(value) else None


def current_request_id() -> str | None:
    """The id of the job being run, else of the request being served, else None (a script)."""
    return _job_request_id.get() or (
        request.environ.get(_ENVIRON_ID) if has_request_context() else None
    )


@contextmanager
def acting_for(request_id: str) -> Iterator[str]:
    """Run a job under `request_id`: what it logs, mails and enqueues carries it."""
    token = _job_request_id.set(request_id)
    try:
        yield request_id
    finally:
        _job_request_id.reset(token)


def log_job(name: str, outbox_id: int, outcome: str, started: float, **fields: Any) -> None:
    """The job's one log line: name, outbox id, outcome (done, retry, failed, skipped),
    duration and request id."""
    ms = round((time.perf_counter() - started) * 1000, 1)
    rid = current_request_id()
    job_log.info(
        "job %s #%s %s in %.1f ms request_id=%s",
        name,
        outbox_id,
        outcome,
        ms,
        rid,
        extra={
            "fields": {
                "event": "job",
                "job": name,
                "job_id": outbox_id,
                "outcome": outcome,
                "duration_ms": ms,
                "request_id": rid,
                **fields,
            }
        },
    )


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the record's `fields`
    (`extra={"fields": {...}}`) and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", None) or {})
        if "request_id" not in entry and (rid := current_request_id()):
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """JSON lines on stdout in production (or LOG_FORMAT=json), a readable line elsewhere;
    tests and the debugger keep their own logging."""
    json_lines = app.config["APP_ENV"] == "production" or app.config.get("LOG_FORMAT") == "json"
    if json_lines:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=logging.INFO, handlers=[handler])
        app.logger.removeHandler(default_handler)  # the root's handler writes its records
    elif not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )


def register(app: Flask) -> None:
    """Give every request its id and its log line; registered before every other hook, so its
    id exists for theirs and its line is written after them (with the final status)."""

    @app.before_request
    def begin_request() -> None:
        environ = request.environ
        environ[_ENVIRON_START] = time.perf_counter()
        environ[_ENVIRON_ID] = (
            sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        )

    @app.after_request
    def end_request(response: Response) -> Response:
        environ = request.environ
        rid = environ.get(_ENVIRON_ID) or new_request_id()
        response.headers[REQUEST_ID_HEADER] = rid
        ms = round(
            (time.perf_counter() - environ.get(_ENVIRON_START, time.perf_counter())) * 1000, 1
        )
        user_id = _user_id()
        request_log.info(
            "%s %s %s %.1f ms request_id=%s user_id=%s",
            request.method,
            request.path,
            response.status_code,
            ms,
            rid,
            user_id,
            extra={
                "fields": {
                    "event": "request",
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": ms,
                    "request_id": rid,
                    "user_id": user_id,
                }
            },
        )
        return response


def _user_id() -> int | None:
    """The logged-in user's id, as Flask-Login loaded it for this request (every page asks for
    the user before its route runs); None for a visitor. Never loads the user itself."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)
