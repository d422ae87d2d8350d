"""Page numbers in the query string: whatever is typed, the list answers, never a 500."""

from __future__ import annotations

import pytest

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


def test_officer_dashboard_shows_a_page_past_the_end_empty(client, officer_logged_in):
    response = client.get("/inkoop/", query_string={"page": "999999"})
    assert response.status_code == 200
    assert "REF-" not in response.get_data(as_text=True)
