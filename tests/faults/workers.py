"""`python -m worker` as a real process for fault tests, started on the test's database, Redis
and mail server; a kill takes its work horse with it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from bench.served import children_by_parent

ROOT = Path(__file__).resolve().parents[2]


def start_worker(app: Flask, log: Path) -> subprocess.Popen:
    """A worker process with the app's database, Redis, queue prefix and mail settings."""
    config = app.config
    env = {
        **os.environ,
        "APP_ENV": "development",
        "SECRET_KEY": "test",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": config["REDIS_URL"],
        "REDIS_PREFIX": config.get("REDIS_PREFIX", ""),
        "MAIL_SERVER": config.get("MAIL_SERVER") or "",
        "MAIL_PORT": str(config.get("MAIL_PORT") or 25),
        "UPLOAD_DIR": config["UPLOAD_DIR"],
        "REPORT_DIR": config["REPORT_DIR"],
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (read from /proc): RQ's work horse makes itself
    a session of its own, so a signal to the worker's process group misses it."""
    children = children_by_parent()
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Send `sig` to the worker and every process it started (the machine it ran on died),
    and reap it."""
    for pid in [process.pid, *descendants(process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout} s waiting for {what}")
