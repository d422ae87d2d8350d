"""Helpers for tests of the authenticated API: a client that sends one user's bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import g, request_started

from marketplace.models import User
from marketplace.services import accounts


class BearerClient:
    """The test client with `Authorization: Bearer <token>` of one user on every request."""

    def __init__(self, client, user: User) -> None:
        self._client = client
        self.token = accounts.create_token(user, "tests")
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str, **kwargs: Any):
        return self._client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self._client.post(path, json=json, headers=self.headers, **kwargs)


@pytest.fixture
def login_per_request(app) -> Iterator[None]:
    """The app fixture keeps one app context for the whole test, and Flask-Login caches the user
    in `g`, which lives there: forget it when a request starts, so that every request is
    authenticated by its own header, as in production where each request has a fresh context."""

    def forget_user(sender, **extra) -> None:
        g.pop("_login_user", None)

    with request_started.connected_to(forget_user, app):
        yield


@pytest.fixture
def bearer(client, login_per_request) -> Callable[[User], BearerClient]:
    """bearer(user) -> a client acting as `user` through a fresh API token."""
    return lambda user: BearerClient(client, user)
