"""Helpers for tests of the authenticated API: a client that sends one user's bearer token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from marketplace.extensions import db
from marketplace.models import User
from marketplace.models._types import utcnow
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

    def put(self, path: str, json: Any = None, **kwargs: Any):
        return self._client.put(path, json=json, headers=self.headers, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self._client.patch(path, json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self._client.delete(path, headers=self.headers, **kwargs)


@pytest.fixture
def bearer(client) -> Callable[[User], BearerClient]:
    """bearer(user) -> a client acting as `user` through a fresh API token."""
    return lambda user: BearerClient(client, user)


@pytest.fixture
def contractor(contractor):
    """The contractor verified: the API's contract registration, as the contract form, takes
    verified contractors only (an unverified company is invited, services/invitations.py)."""
    contractor.verified_at = utcnow()
    db.session.commit()
    return contractor
