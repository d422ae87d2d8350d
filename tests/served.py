"""The app served over real HTTP from a thread, and requests fired at it at the same moment.

Races (two officers deciding at once, a double-clicked submit) only show with separate requests in
separate transactions: the test client runs one request at a time in the test's own session, so
concurrency tests go through a served app (docs/architecture.md "Rules that must hold under
concurrency")."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import PASSWORD


class LiveServer:
    """The app on 127.0.0.1:<free port>; `app` is the same object the server runs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@contextmanager
def serving(app: Flask) -> Iterator[LiveServer]:
    """Serve `app` for the duration of the block."""
    server = LiveServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def at_once(calls: list[Callable[[], Any]], timeout: float = 30) -> list[Any]:
    """Run every call in its own thread, released together by a barrier; their results in order
    (an exception a call raised is re-raised here)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            results[i] = call()
        except BaseException as exc:  # noqa: BLE001 (handed to the test's thread)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results


def logged_in(server: LiveServer, email: str) -> requests.Session:
    """A session of the served app logged in as `email` (with the factories' password)."""
    session = requests.Session()
    response = session.post(
        server.url + "/account/inloggen",
        data={"email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    return session


def bearer_post(server: LiveServer, token: str, path: str, json: Any = None) -> requests.Response:
    """POST `json` to the served API as the token's user."""
    return requests.post(
        server.url + path, json=json, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
