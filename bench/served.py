"""The app served as production serves it: gunicorn in its own process, measured over HTTP.

A `Browser` keeps the session cookie, times each request from the client side (connection,
server time and transfer of the whole body) and reads the statement count that bench/wsgi.py
adds to every response."""

from __future__ import annotations

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Added to every response by bench/wsgi.py: the SQL statements the request sent.
STATEMENTS_HEADER = "X-Bench-Statements"
SERVER_MS_HEADER = "X-Bench-Server-Ms"
SERVER_CPU_MS_HEADER = "X-Bench-Server-Cpu-Ms"
DB_CPU_MS_HEADER = "X-Bench-Db-Cpu-Ms"
DB_WAIT_MS_HEADER = "X-Bench-Db-Wait-Ms"
# Sent by the harness: the served app forgets its kept search counts before the request.
COLD_HEADER = "X-Bench-Cold"
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(
    database_url: str, mail_dir: str, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve bench.wsgi:app with one sync worker (requests are measured one at a time; a second
    worker would only share the two cores); yields the base URL, stops the server after.
    `extra_env` configures the served app further (bench/webhook.py)."""
    with gunicorn_process(database_url, mail_dir, extra_env) as (base, _process):
        yield base


@contextmanager
def gunicorn_process(
    database_url: str,
    mail_dir: str,
    extra_env: dict[str, str] | None = None,
    *,
    workers: int = 1,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with `workers` sync workers; yields the base URL and the master process (whose
    children are the workers, for their memory)."""
    port = _free_port()
    env = {**os.environ, "BENCH_DATABASE_URL": database_url, "BENCH_MAIL_DIR": mail_dir}
    env.update(extra_env or {})
    # gunicorn.conf.py (production's, read from ROOT) applies, except: no worker replaced
    # after max_requests in the middle of a measure.
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--timeout", "120"]
    command += ["--max-requests", "0"]
    command += ["--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [*command, "--log-level", "warning", "bench.wsgi:app"], cwd=ROOT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # On a loaded machine the graceful stop can outlast the measure's patience; the
            # figures are taken by now, so the server goes without them being lost.
            process.kill()
            process.wait(timeout=30)


def children_by_parent() -> dict[int, list[int]]:
    """Every running process's id under its parent's, read from /proc (Linux): the workers of a
    gunicorn master, the work horse of an RQ worker."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended while we looked
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    return children


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}")
        try:
            urllib.request.urlopen(base + "/account/inloggen", timeout=30).read()
            return
        except OSError:  # refused while starting, or slow to answer on a loaded machine
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT_S} s")


@dataclass(frozen=True)
class Answer:
    status: int
    ms: float
    statements: int
    size: int
    headers: dict[str, str]

    @property
    def server_ms(self) -> float:
        """The app's own time for the request (bench/wsgi.py), without HTTP and the client."""
        return float(self.headers.get(SERVER_MS_HEADER, -1))

    @property
    def server_cpu_ms(self) -> float:
        """CPU time of the request: the serving process's and its PostgreSQL backend's
        (bench/wsgi.py), what the page costs whatever else runs on the machine."""
        app = float(self.headers.get(SERVER_CPU_MS_HEADER, -1))
        return round(app + float(self.headers.get(DB_CPU_MS_HEADER, 0)), 1)

    @property
    def db_cpu_ms(self) -> float:
        return float(self.headers.get(DB_CPU_MS_HEADER, -1))

    @property
    def db_wait_ms(self) -> float:
        """How long the PostgreSQL backend waited for a core during the request."""
        return float(self.headers.get(DB_WAIT_MS_HEADER, -1))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


class Browser:
    """One user's cookies against the served app; redirects are not followed (a login answers
    302 and the harness checks it)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(
        self,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        *,
        body: bytes | None = None,
    ) -> Answer:
        """GET `path`, or POST `data` as a form or `body` as it is (with its content type in
        `headers`)."""
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=120) as response:
                content, status, found = response.read(), response.status, response.headers
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx, 5xx
            content, status, found = error.read(), error.code, error.headers
        ms = round((time.perf_counter() - start) * 1000, 1)
        return Answer(
            status=status,
            ms=ms,
            statements=int(found.get(STATEMENTS_HEADER, -1)),
            size=len(content),
            headers=dict(found.items()),
        )

    def login(self, email: str, password: str) -> None:
        answer = self.request("/account/inloggen", {"email": email, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"bench login of {email} answered {answer.status}")
