"""Every request has an id (the caller's sane X-Request-ID or a new one), echoed in the response,
written in the request's one log line, and carried by the jobs it enqueues into their log lines
and the e-mails they send (marketplace/observability.py)."""

from __future__ import annotations

import json
import logging
import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.observability import JsonFormatter
from marketplace.services import accounts
from tests.mailbox import outbox_messages

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="marketplace.requests")
    return lambda: [r for r in caplog.records if r.name == "marketplace.requests"]


@pytest.fixture
def job_lines(caplog):
    caplog.set_level(logging.INFO, logger="marketplace.jobs")
    return lambda: [r.fields for r in caplog.records if r.name == "marketplace.jobs"]


def test_a_sane_incoming_request_id_is_echoed(client):
    response = client.get("/", headers={"X-Request-ID": "lb-7f3a:42"})
    assert response.headers["X-Request-ID"] == "lb-7f3a:42"


@pytest.mark.parametrize(
    "incoming", ["", "has spaces", "x" * 101, "-starts-with-a-dash", 'quote"d', "é"]
)
def test_an_insane_incoming_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/", headers={"X-Request-ID": incoming})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


def test_one_log_line_per_request_with_method_path_status_duration_id_and_user(
    client, auth, user, request_lines
):
    auth.login(user.email)
    before = len(request_lines())
    response = client.get("/meldingen", headers={"X-Request-ID": "trace-1"})

    lines = request_lines()[before:]
    assert len(lines) == 1
    fields = lines[0].fields
    assert {k: fields[k] for k in ("event", "method", "path", "status", "request_id")} == {
        "event": "request",
        "method": "GET",
        "path": "/meldingen",
        "status": response.status_code,
        "request_id": "trace-1",
    }
    assert fields["user_id"] == user.id
    assert fields["duration_ms"] >= 0


def test_a_visitors_request_is_logged_without_a_user_and_with_its_error_status(
    client, request_lines
):
    client.get("/bestaat-niet")
    assert request_lines()[-1].fields | {"duration_ms": 0, "request_id": ""} == {
        "event": "request",
        "method": "GET",
        "path": "/bestaat-niet",
        "status": 404,
        "duration_ms": 0,
        "request_id": "",
        "user_id": None,
    }


def test_the_json_formatter_writes_one_object_per_line_with_the_fields(client, request_lines):
    client.get("/", headers={"X-Request-ID": "trace-json"})
    line = JsonFormatter().format(request_lines()[-1])

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "info" and entry["logger"] == "marketplace.requests"
    assert (entry["method"], entry["path"], entry["status"], entry["request_id"]) == (
        "GET",
        "/",
        200,
        "trace-json",
    )


def test_the_request_id_travels_into_the_job_its_log_line_and_the_mail(client, user, job_lines):
    client.post(
        "/account/wachtwoord-vergeten",
        data={"email": user.email},
        headers={"X-Request-ID": "trace-reset"},
    )

    assert db.session.scalars(select(OutboxJob.request_id)).all() == ["trace-reset"]
    assert [(f["job"], f["outcome"], f["request_id"]) for f in job_lines()] == [
        ("password_reset_mail", "done", "trace-reset")
    ]
    [message] = outbox_messages(user.email)
    assert message["X-Request-ID"] == "trace-reset"


def test_an_api_request_is_logged_with_the_token_holders_id(client, user, request_lines):
    token = accounts.create_token(user, "tests")
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    fields = request_lines()[-1].fields
    assert (fields["path"], fields["user_id"]) == ("/api/v1/me", user.id)
