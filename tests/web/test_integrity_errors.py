"""A unique constraint the database enforces answers 409, never 500: a Dutch page on the web,
the JSON envelope under /api/, and the session is rolled back so the answer can still render.

The views here insert a duplicate directly, which the services never do on purpose; it happens
when two requests pass a service's check at the same moment (tests/web/test_concurrent_inserts.py
shows that race on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import User

pytestmark = pytest.mark.fresh_app  # the views below are added to the app


@pytest.fixture
def duplicating_app(app, user):
    def insert_duplicate():
        db.session.add(User(email=user.email, password_hash="x"))
        db.session.commit()
        return "saved"

    app.add_url_rule("/dubbel", "duplicate_page", insert_duplicate, methods=["POST"])
    app.add_url_rule("/api/v1/dubbel", "duplicate_api", insert_duplicate, methods=["POST"])
    return app


def test_a_duplicate_on_a_page_is_a_dutch_409_page(duplicating_app, client):
    response = client.post("/dubbel")

    assert response.status_code == 409
    assert "Dit bestaat al of is tegelijk door iemand anders opgeslagen" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_duplicate_in_the_api_is_409_in_the_envelope(duplicating_app, client):
    response = client.post("/api/v1/dubbel")

    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
