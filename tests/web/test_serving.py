"""How production runs: gunicorn.conf.py's settings, the Procfile's processes, and the whole
stack (`make serve`'s runner: gunicorn, a worker and the scheduler) ready on PostgreSQL and
Redis, logging JSON lines, and stopped together."""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests import backends
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from procfile import read_procfile  # noqa: E402  (tools/ is not a package)


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_ACCESSLOG", "PORT", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_two_workers_per_core_plus_one_preloaded_and_recycled(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert settings["preload_app"] is True
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0
    assert settings["timeout"] == 30
    assert settings["bind"] == "0.0.0.0:8000"
    assert settings["accesslog"] is None  # the app's own line per request is the access log
    assert "logger_class" not in settings  # gunicorn's own plain lines outside production


def test_gunicorn_logs_json_in_production(monkeypatch):
    settings = gunicorn_settings(monkeypatch, APP_ENV="production")
    assert settings["logger_class"] is settings["JsonLogger"]


def test_gunicorn_settings_follow_the_environment(monkeypatch):
    settings = gunicorn_settings(
        monkeypatch, WEB_CONCURRENCY="3", GUNICORN_TIMEOUT="60", PORT="9000", GUNICORN_ACCESSLOG="-"
    )
    assert (settings["workers"], settings["timeout"], settings["bind"]) == (3, 60, "0.0.0.0:9000")
    assert settings["accesslog"] == "-"


def test_the_procfile_runs_gunicorn_a_worker_and_the_scheduler():
    assert read_procfile(ROOT / "Procfile") == {
        "web": "gunicorn -c gunicorn.conf.py 'marketplace:create_app()'",
        "worker": "python -m worker",
        "scheduler": "python -m worker --scheduler",
    }


@pytest.fixture
def stack_env(app, at_head, tmp_path):
    """The environment of a production stack on the test database (at head) and Redis."""
    if not backends.redis_url() or backends.backend() != "postgresql":
        pytest.skip("the production stack needs TEST_DATABASE_URL and TEST_REDIS_URL")
    port = free_port()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": backends.redis_url(),
        "REDIS_PREFIX": backends.redis_prefix(),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "REPORT_DIR": str(tmp_path / "reports"),
    }
    yield env
    from redis import Redis

    backends.delete_redis_keys(Redis.from_url(backends.redis_url()), backends.redis_prefix())


def test_the_procfile_stack_gets_ready_logs_json_and_stops_together(stack_env):
    runner = subprocess.Popen(
        [sys.executable, "tools/procfile.py", "Procfile"],
        cwd=ROOT,
        env=stack_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(raw.decode() for raw in iter(runner.stdout.readline, b"")),
        daemon=True,
    )
    reader.start()
    base = f"http://127.0.0.1:{stack_env['PORT']}"
    try:
        answer = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and answer is None:
            try:
                answer = requests.get(f"{base}/readyz", timeout=5, headers={"X-Request-ID": "up"})
            except requests.ConnectionError:
                time.sleep(0.3)
        assert answer is not None, "".join(lines)
        assert answer.status_code == 200, answer.text
        assert answer.json()["checks"]["redis_eviction_policy"]["ok"]
    finally:
        runner.send_signal(signal.SIGTERM)
        status = runner.wait(timeout=60)
        reader.join(timeout=5)
    assert status == 0, "".join(lines)
    web_lines = [line.split("| ", 1)[1] for line in lines if line.startswith("web")]
    assert all(line.startswith("{") for line in web_lines), web_lines  # gunicorn's own as well
    requests_logged = [
        json.loads(line.split("| ", 1)[1])
        for line in lines
        if line.startswith("web") and '"event": "request"' in line
    ]
    assert {"path": "/readyz", "status": 200, "request_id": "up"}.items() <= requests_logged[
        0
    ].items()
    started = {
        line.split()[3] for line in lines if line.startswith("procfile") and "started" in line
    }
    assert started == {"web", "worker", "scheduler"}
