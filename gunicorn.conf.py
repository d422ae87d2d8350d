"""gunicorn's settings for production: `gunicorn -c gunicorn.conf.py 'marketplace:create_app()'`
(the Procfile's `web`, `make serve`; gunicorn also reads this file by itself when started in this
folder). Environment variables override the numbers; the README's "Production" lists them.

App servers are stateless (sessions in signed cookies and the database, files on the shared
REPORT_DIR/UPLOAD_DIR, jobs in the outbox and Redis), so any number of machines can run this
behind a load balancer, which asks `/readyz` before sending traffic."""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from marketplace.observability import JsonFormatter


def _cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"

# Sync workers, one request at a time each: a request is Python and templates between short
# PostgreSQL statements (bench: a page is mostly CPU), so 2 per core plus one keeps the cores
# busy while some wait on the database. Slow clients are the proxy's job: put a buffering
# proxy (nginx, a cloud load balancer) in front, as gunicorn's sync workers expect.
workers = _int("WEB_CONCURRENCY", 2 * _cores() + 1)
worker_class = "sync"
# A request that runs longer than this is killed and its worker replaced (reports and other
# long work are jobs, not requests); graceful_timeout is what a restart waits for the rest.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Each worker is replaced after about this many requests, so memory that a process never gives
# back (fragmentation, a cache that grew) cannot accumulate; the jitter spreads the restarts so
# that the workers never restart together.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Preload: the app is made once in the master and forked into the workers. Start-up errors (the
# production refusals of marketplace/production.py, a missing module) stop the master at once
# with their message instead of every worker failing in turn; workers start in milliseconds
# (also those that max_requests replaces), and share the master's memory until they write to
# it. The cost: a code change needs a restart of the master (SIGHUP reloads the config, not the
# code preloaded), and nothing the master opened may be used by two processes, hence post_fork.
preload_app = True

# Logs on stdout/stderr, for the process manager. The access log: the app writes one line per
# request itself (JSON in production: method, path, status, duration, request id, user id;
# marketplace/observability.py), so gunicorn's own would only repeat it; GUNICORN_ACCESSLOG=-
# switches it on as well (with the request id at the end).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL") or "info"
# The workers' heartbeat files on tmpfs: on a slow or busy disk gunicorn could take a
# worker stuck on its heartbeat for a hung one and kill it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No control socket (`gunicornc`): it is not used here, and every gunicorn on a machine (the
# bench's, the tests') would want the same default path in the home folder.
control_socket_disable = True


class JsonLogger(Logger):
    """gunicorn's own lines (start, stop, a worker timed out) as JSON objects too, so that a log
    collector reads every line of a production server the same way."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())


if os.environ.get("APP_ENV") == "production" or os.environ.get("LOG_FORMAT") == "json":
    logger_class = JsonLogger


def post_fork(server, worker) -> None:
    """A new worker lets go of the database connections it inherited from the master, without
    closing them for the others: two processes on one socket corrupt each other's sessions."""
    from flask import Flask

    from marketplace.extensions import db

    app = getattr(server.app, "callable", None)  # the preloaded app
    if isinstance(app, Flask):
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
