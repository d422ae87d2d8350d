"""Helpers for tests of the authenticated API: a client that sends one user's bearer token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from marketplace.models import Contract, Organisation, User
from marketplace.services import accounts
from tests.factories import make_contract, make_policy


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

    def patch(self, path: str, json: Any = None, **kwargs: Any):
        return self._client.patch(path, json=json, headers=self.headers, **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self._client.delete(path, headers=self.headers, **kwargs)


@pytest.fixture
def bearer(client) -> Callable[[User], BearerClient]:
    """bearer(user) -> a client acting as `user` through a fresh API token."""
    return lambda user: BearerClient(client, user)


@dataclass
class Parties:
    authority: Organisation
    contractor: Organisation
    officer: User
    owner: User


@pytest.fixture
def parties(authority, contractor) -> Parties:
    """The authority with a policy (factories.make_policy), its officer and the contractor."""
    make_policy(authority)
    return Parties(
        authority,
        contractor,
        accounts.find_by_email("officer@authority.example.com"),
        accounts.find_by_email("owner@contractor.example.com"),
    )


@pytest.fixture
def contract(parties) -> Contract:
    return make_contract(parties.authority, parties.contractor, parties.officer)
