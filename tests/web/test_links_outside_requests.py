"""Mails written by jobs and commands link to BASE_URL: outside a request Flask cannot build a
URL without SERVER_NAME, which `make run` and a production server behind a proxy do not set
(`flask seed-demo` once crashed on the first mail with a link)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from marketplace import links
from tests.conftest import make_test_app


def app_without_server_name(database_url: str, **config):
    return make_test_app(database_url, Path(tempfile.mkdtemp(prefix="sr-links-")), **config)


def test_a_job_links_to_the_base_url_without_server_name(_schema):
    app = app_without_server_name(_schema, BASE_URL="https://sociaalrendement.example.nl")
    with app.app_context():
        assert links.url("login") == "https://sociaalrendement.example.nl/account/inloggen"
        assert links.url("contract", contract_id=7) == (
            "https://sociaalrendement.example.nl/contracten/7"
        )


def test_a_base_url_with_a_path_keeps_it(_schema):
    app = app_without_server_name(_schema, BASE_URL="https://gemeente.example.nl/sroi")
    with app.app_context():
        assert links.url("login") == "https://gemeente.example.nl/sroi/account/inloggen"


def test_in_a_request_the_link_uses_the_requests_address(_schema):
    app = app_without_server_name(_schema, BASE_URL="https://elders.example.nl")
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert links.url("login") == "http://127.0.0.1:5000/account/inloggen"
