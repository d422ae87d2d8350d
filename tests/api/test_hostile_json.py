"""Every JSON endpoint of the API, sent hostile values in any of its fields, answers below
500: a NUL byte or lone surrogate anywhere in the body is a 400 from the request boundary, whole
numbers beyond 64 bits and decimals with a huge exponent a 4xx with field errors.

The endpoints and their fields are not listed by hand: every POST, PUT and PATCH route under /api/
is taken from the app's url_map and its request body from the OpenAPI document the app serves.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import url_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.services import accounts
from tests import hostile

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RAW = "\x01raw:"  # marks a value written into the JSON text as a bare number token
# Most leaves keep a plausible value, so that a hostile one is often the only thing wrong and
# reaches the rules behind the schema (the valuation, for hours).
ONE_IN_FIVE = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)
BODY_METHODS = ("POST", "PUT", "PATCH")


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _plausible(spec: dict, schema: dict) -> Any:
    """A value of the schema's shape, for the fields a draw leaves alone."""
    schema = _resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: _plausible(spec, sub) for name, sub in props.items()}
    if kind == "array":
        return [_plausible(spec, schema.get("items", {}))]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return "2026-03-01"
    return "PW"


@pytest.fixture
def world(app) -> hostile.World:
    return hostile.make_world()


@pytest.fixture
def endpoints(app, client, world) -> list[tuple[str, str, dict]]:
    """(method, path, request body schema) of every route under /api/ that takes a body (POST,
    PUT, PATCH), ids from the world."""
    spec = client.get("/api/v1/openapi.json").get_json()
    found = []
    with app.test_request_context():
        for method in BODY_METHODS:
            for rule in hostile.rules(app, method, api=True):
                template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
                operation = spec["paths"][template][method.lower()]
                content = operation.get("requestBody", {}).get("content", {})
                schema = content.get("application/json", {}).get("schema", {})
                values = {name: world.path_values[name] for name in rule.arguments}
                path = url_for(rule.endpoint, **values)
                found.append((method, path, _resolve(spec, schema)))
    return [(method, path, {"spec": spec, "schema": schema}) for method, path, schema in found]


@pytest.fixture
def tokens(world) -> list[dict[str, str]]:
    """Headers of each role's bearer token, and none (the public calculator)."""
    return [{}] + [
        {"Authorization": f"Bearer {accounts.create_token(user, 'hostile')}"}
        for user in (world.officer, world.owner)
    ]


def _hostile_body(data: st.DataObject, spec: dict, schema: dict, values, label: str) -> Any:
    """The schema's plausible body with, for each leaf, a drawn choice of a hostile value."""
    schema = _resolve(spec, schema)
    if schema.get("type") == "object" or "properties" in schema:
        return {
            name: _hostile_body(data, spec, sub, values, f"{label}.{name}")
            for name, sub in schema.get("properties", {}).items()
        }
    if schema.get("type") == "array":
        return [_hostile_body(data, spec, schema.get("items", {}), values, f"{label}[]")]
    if data.draw(ONE_IN_FIVE, label=label):
        return data.draw(values, label=label)
    return _plausible(spec, schema)


def _encode(body: Any) -> str:
    text = json.dumps(body)  # lone surrogates become \\udxxx escapes, as a client would send
    return re.sub(r'"\\u0001raw:([^"]*)"', r"\1", text)


def _post_everywhere(client, endpoints, tokens, data, values) -> None:
    for method, path, found in endpoints:
        body = _hostile_body(data, found["spec"], found["schema"], values, f"{method} {path}")
        for headers in tokens:
            response = client.open(
                path,
                method=method,
                data=_encode(body),
                content_type="application/json",
                headers=headers,
            )
            where = f"{method} {path} {body!r}"
            if hostile.contains_unstorable(body):
                assert response.status_code == 400, where
                assert response.get_json()["error"]["code"] == "unstorable_text"
            else:
                assert response.status_code < 500, where
                assert response.is_json, where


@SETTINGS
@given(data=st.data())
def test_unstorable_text_in_any_api_field_is_400(client, endpoints, tokens, data):
    _post_everywhere(client, endpoints, tokens, data, hostile.unstorable_text())


@SETTINGS
@given(data=st.data())
def test_integers_beyond_64_bits_in_any_api_field_answer_below_500(client, endpoints, tokens, data):
    values = hostile.huge_integers() | hostile.huge_integers().map(str)
    _post_everywhere(client, endpoints, tokens, data, values)


@SETTINGS
@given(data=st.data())
def test_huge_exponents_in_any_api_field_answer_below_500(client, endpoints, tokens, data):
    values = hostile.huge_exponents()
    raw_numbers = values.filter(lambda v: "," not in v).map(lambda v: RAW + v)
    _post_everywhere(client, endpoints, tokens, data, values | raw_numbers)


@pytest.fixture
def queries(app, client, world) -> list[tuple[str, list[str]]]:
    """(path, query parameter names) of every GET route under /api/ that takes any, ids from
    the world."""
    spec = client.get("/api/v1/openapi.json").get_json()
    found = []
    with app.test_request_context():
        for rule in hostile.rules(app, "GET", api=True):
            template = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            operation = spec["paths"].get(template, {}).get("get", {})
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if names:
                values = {name: world.path_values[name] for name in rule.arguments}
                found.append((url_for(rule.endpoint, **values), names))
    assert "/api/v1/search" in dict(found), "the OpenAPI document lists no query parameters"
    return found


@SETTINGS
@given(data=st.data())
def test_hostile_query_parameters_on_any_api_get_answer_below_500(client, queries, tokens, data):
    """Each parameter hostile now and then, and sometimes given twice: a NUL byte that arrives
    is a 400, anything else a JSON answer below 500."""
    values = (
        hostile.unstorable_text()
        | hostile.huge_integers().map(str)
        | hostile.huge_exponents()
        | hostile.query_syntax()
    )
    for path, names in queries:
        pairs = []
        for name in names:
            if data.draw(st.booleans(), label=f"{path} {name}"):
                times = data.draw(st.integers(min_value=1, max_value=2), label=name)
                pairs += [(name, data.draw(values, label=name)) for _ in range(times)]
        sent = "&".join(
            f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'))}"
            for name, value in pairs
        )
        for headers in tokens:
            response = client.get(path, query_string=sent, headers=headers)
            where = f"GET {path}?{sent[:300]}"
            arrived = [
                v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for _, v in pairs
            ]
            if any("\x00" in v for v in arrived):
                assert response.status_code == 400, where
            else:
                assert response.status_code < 500, where
                assert response.is_json, where
