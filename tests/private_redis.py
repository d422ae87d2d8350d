"""A `redis-server` of a test's own on a free port, in memory only: for tests that stop Redis or
change how it is set up (never the machine's shared one)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import pytest
from redis import Redis

from tests.conftest import free_port
from tests.faults.workers import wait_for


class PrivateRedis:
    """stop() and start() again on the same port; `policy` is its maxmemory-policy."""

    def __init__(self, policy: str = "noeviction") -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed: the test needs a Redis of its own")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.policy = policy
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--maxmemory-policy", self.policy],
            stdout=subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url, socket_connect_timeout=0.2)
        wait_for(_answers(client), 10, "redis-server to answer")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


def _answers(client: Redis) -> Callable[[], bool]:
    def ping() -> bool:
        try:
            return bool(client.ping())
        except Exception:
            return False

    return ping
