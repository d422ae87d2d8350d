"""Page numbers in the query string: whatever is typed, the list answers, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Contract
from tests.factories import make_contract, make_policy

HUGE = "99999999999999999999"  # 20 digits: more than a 64-bit OFFSET can hold


@pytest.fixture
def officer_logged_in(auth, authority, contractor):
    officer = authority.members[0].user
    make_policy(authority)
    make_contract(authority, contractor, officer)
    auth.login(officer.email)
    return officer


@pytest.mark.parametrize("path", ["/inkoop/", "/inkoop/beoordelen"])
@pytest.mark.parametrize("page", [HUGE, "-1", "0", "abc", "1" * 5000, "２"])
def test_officer_lists_answer_any_page_number(client, officer_logged_in, path, page):
    response = client.get(path, query_string={"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["page", "history"])
@pytest.mark.parametrize("page", [HUGE, "-1", "0", "abc", "1.5", "２"])
def test_contract_page_answers_any_page_number(client, officer_logged_in, param, page):
    response = client.get(f"/contracten/{_contract_id()}", query_string={param: page})
    assert response.status_code == 200
    assert "REF-" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/inkoop/?page=999999", "/inkoop/beoordelen?page=2", "/contracten/{id}?history=2"]
)
def test_a_page_past_the_end_is_not_found(client, officer_logged_in, path):
    """A shared link to a page that no longer exists says so; an empty page would read as
    "no realisations yet"."""
    assert client.get(path.format(id=_contract_id())).status_code == 404


def _contract_id() -> int:
    return db.session.scalar(select(Contract.id))
