"""Error pages and the API's error envelope speak the reader's language: the titles and the default
messages of a refusal, never Werkzeug's or Flask-WTF's English ("Not Found", "Forbidden", "The
CSRF token is missing.")."""

from __future__ import annotations

from html import unescape

import pytest
from werkzeug.exceptions import abort

from marketplace.services.errors import Forbidden, NotFound

pytestmark = pytest.mark.fresh_app  # the views below are added to the app


@pytest.fixture
def refusing_app(app):
    def not_found():
        raise NotFound()

    def forbidden():
        raise Forbidden()

    def gone():
        abort(410)

    def teapot():
        abort(418)

    def broken():
        abort(501)

    for path, view in (
        ("/weg", not_found),
        ("/verboden", forbidden),
        ("/verdwenen", gone),
        ("/theepot", teapot),
        ("/kapot", broken),
    ):
        app.add_url_rule(path, view.__name__, view)
        app.add_url_rule(f"/api/v1{path}", f"api_{view.__name__}", view)
    return app


def _page(response) -> str:
    return unescape(response.get_data(as_text=True))


def _title(response) -> str:
    return _page(response).split("<title>", 1)[1].split("</title>", 1)[0]


def _english(client):
    client.post("/taal/en", data={"next": "/"})


def test_a_service_not_found_is_a_dutch_page_without_english(refusing_app, client):
    response = client.get("/weg")
    assert response.status_code == 404
    assert _title(response).startswith("Pagina niet gevonden")
    assert "Not found" not in _page(response)


def test_a_service_not_found_is_an_english_page_for_an_english_reader(refusing_app, client):
    _english(client)
    response = client.get("/weg")
    assert _title(response).startswith("Page not found")


def test_a_service_forbidden_is_a_dutch_page_without_english(refusing_app, client):
    response = client.get("/verboden")
    assert response.status_code == 403
    assert _title(response).startswith("Je hebt geen toegang tot deze pagina")
    assert "Forbidden" not in _page(response)


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/verdwenen", 410, "Het verzoek kon niet worden verwerkt"),
        ("/theepot", 418, "Het verzoek kon niet worden verwerkt"),
        ("/kapot", 501, "Er ging bij ons iets mis"),
        ("/bestaat-niet", 404, "Pagina niet gevonden"),
    ],
)
def test_a_status_without_its_own_title_gets_its_class_title_in_dutch(
    refusing_app, client, path, status, title
):
    response = client.get(path)
    assert response.status_code == status
    assert _title(response).startswith(title)


def test_a_method_not_allowed_is_a_dutch_page(refusing_app, client):
    response = client.post("/weg")
    assert response.status_code == 405
    assert _title(response).startswith("Deze handeling is hier niet toegestaan")
    assert "Method Not Allowed" not in _page(response)


def test_a_too_large_request_is_a_dutch_page(refusing_app, client):
    refusing_app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/account/inloggen", data={"email": "x" * 100})
    assert response.status_code == 413
    assert _title(response).startswith("Het bestand is te groot")


def test_a_form_without_its_csrf_token_says_what_to_do_in_dutch(refusing_app, client):
    refusing_app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/inloggen", data={"email": "a@example.com"})
    assert response.status_code == 400
    page = _page(response)
    assert "Dit formulier is verlopen of niet vanaf deze site verstuurd" in page
    assert "CSRF" not in page


def test_the_api_envelope_words_a_refusal_in_the_readers_language(refusing_app, client):
    dutch = client.get("/api/v1/weg").get_json()["error"]
    assert dutch == {"code": "not_found", "message": "Pagina niet gevonden", "fields": {}}
    _english(client)
    english = client.get("/api/v1/verboden").get_json()["error"]
    assert english["message"] == "You do not have access to this page"
    assert client.get("/api/v1/theepot").get_json()["error"]["message"] == (
        "The request could not be processed"
    )
