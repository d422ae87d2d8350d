"""The access matrix: every route of the app, fetched by every role of tests/access_world.py,
answers what tests/access_matrix.py says; every route that takes a POST, PATCH or DELETE refuses
each role the table refuses, with the database unchanged. A route missing from the table fails
with the line to add.

One world per module (built once, emptied at the end): the requests only read, and a refused
POST is checked to have changed nothing, so the tests cannot disturb each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import select
from werkzeug.routing import Rule as UrlRule

from marketplace.extensions import db
from tests import access_matrix, hostile
from tests.access_world import ROLES, World, world_in


@dataclass
class Matrix:
    app: Flask
    world: World
    clients: dict[str, Any]  # role -> logged-in test client (anonymous: none)

    def value(self, name: object) -> Any:
        """A named value of the world (an object stands for its id), else `name` itself."""
        value = self.world.named.get(name, name) if isinstance(name, str) else name
        return getattr(value, "id", value)

    def url(self, rule: UrlRule, entry: access_matrix.Rule) -> str:
        values = {name: self.world.ids.get(name) for name in rule.arguments}
        values.update({k: self.value(v) for k, v in entry.params.items()})
        missing = [k for k, v in values.items() if v is None]
        assert not missing, f"{rule.endpoint}: the world has no value for {missing}"
        with self.app.test_request_context():
            return url_for(rule.endpoint, **values)

    def request(self, role: str, method: str, url: str, form: dict[str, Any] | None = None):
        """`role`'s request: pages with the role's session, the API with its bearer token."""
        data = {k: self.value(v) for k, v in (form or {}).items()}
        if url.startswith("/api/"):
            token = self.world.tokens.get(role)
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = {} if method == "GET" else {"json": data}
            return self.clients["api"].open(url, method=method, headers=headers, **body)
        return self.clients[role].open(url, method=method, data=data)


def outcome(response) -> str:
    """What the table calls an answer: "200", "login" (a redirect to the login page), "302"
    (a redirect elsewhere) or the status code."""
    if response.status_code in (301, 302, 303, 307, 308):
        return "login" if "/account/inloggen" in response.location else "302"
    return str(response.status_code)


@pytest.fixture(scope="module")
def matrix(_shared_app) -> Iterator[Matrix]:
    with world_in(_shared_app) as (app, world):
        clients: dict[str, Any] = {"anonymous": app.test_client(), "api": app.test_client()}
        for role, user in world.users.items():
            clients[role] = app.test_client()
            hostile.login(clients[role], user)
        yield Matrix(app, world, clients)


def _routes() -> list[UrlRule]:
    """The app's routes (static files aside), built once at collection."""
    from tests.conftest import _new_test_app

    app = _new_test_app("sqlite://")
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule
    )


ROUTES = _routes()


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to see that a refused request changed nothing."""
    db.session.expire_all()
    return {
        table.name: sorted(
            (tuple(map(repr, row)) for row in db.session.execute(select(table))), key=repr
        )
        for table in db.metadata.sorted_tables
    }


def _expected(rule: UrlRule) -> access_matrix.Rule:
    entry = access_matrix.RULES.get(rule.endpoint)
    if entry is None:
        pytest.fail(access_matrix.missing_entry_message(rule))
    return entry


@pytest.mark.parametrize("rule", ROUTES, ids=lambda r: r.endpoint)
def test_get_answers_each_role_as_the_table_says(matrix: Matrix, rule: UrlRule) -> None:
    _check_get(matrix, rule, _expected(rule))


MIRRORED = [r for r in ROUTES if r.endpoint in access_matrix.MIRRORED]


@pytest.mark.parametrize("rule", MIRRORED, ids=lambda r: r.endpoint)
def test_get_of_the_other_sides_objects(matrix: Matrix, rule: UrlRule) -> None:
    _check_get(matrix, rule, access_matrix.MIRRORED[rule.endpoint])


def _check_get(matrix: Matrix, rule: UrlRule, entry: access_matrix.Rule) -> None:
    url = matrix.url(rule, entry)
    has_get = "GET" in (rule.methods or ())
    want = {role: entry.on_get(role) if has_get else "405" for role in ROLES}
    got = {role: outcome(matrix.request(role, "GET", url)) for role in ROLES}
    wrong = {
        role: f"got {got[role]}, want {want[role]}" for role in ROLES if got[role] != want[role]
    }
    assert not wrong, f"GET {url} ({rule.endpoint}): {wrong}"


WRITES = [
    (rule, method)
    for rule in ROUTES
    for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
]


@pytest.mark.parametrize(("rule", "method"), WRITES, ids=[f"{r.endpoint}-{m}" for r, m in WRITES])
def test_write_is_refused_to_the_roles_the_table_refuses(
    matrix: Matrix, rule: UrlRule, method: str
) -> None:
    entry = _expected(rule)
    url = matrix.url(rule, entry)
    refused = [role for role in ROLES if entry.on_write(role) not in access_matrix.ALLOWED]
    before = _snapshot()
    got = {role: outcome(matrix.request(role, method, url, dict(entry.form))) for role in refused}
    wrong = {
        role: f"got {got[role]}, want {entry.on_write(role)}"
        for role in refused
        if got[role] != entry.on_write(role)
    }
    assert not wrong, f"{method} {url} ({rule.endpoint}): {wrong}"
    after = _snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"{method} {url} ({rule.endpoint}) by {refused} changed {changed}"


def test_a_route_without_an_entry_says_what_to_add() -> None:
    rule = UrlRule("/nieuw/<int:thing_id>", endpoint="new.thing", methods=["GET", "POST"])
    message = access_matrix.missing_entry_message(rule)
    assert "new.thing (GET POST /nieuw/<int:thing_id>)" in message
    assert '"new.thing": login,' in message
    assert "tests/access_matrix.py" in message


def test_every_entry_names_a_route() -> None:
    endpoints = {r.endpoint for r in ROUTES}
    assert set(access_matrix.RULES) - endpoints == set(), "entries for routes that are gone"
    assert set(access_matrix.MIRRORED) <= endpoints
