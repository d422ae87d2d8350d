"""Ids posted in a list (the approval queue's checkboxes) are whole numbers a database id can be:
anything else is refused on the form, never an overflow in the query."""

from __future__ import annotations

import pytest

from marketplace.extensions import db
from marketplace.models import Realisation
from marketplace.services import realisations
from tests.factories import fte_realisation, make_contract, make_policy


@pytest.mark.parametrize("bad_id", ["99999999999999999999", "9" * 5000, "-1", "1.5", "abc"])
def test_queue_refuses_selected_ids_that_are_no_database_id(
    client, auth, authority, contractor, bad_id
):
    officer, owner = authority.members[0].user, contractor.members[0].user
    make_policy(authority)
    contract = make_contract(authority, contractor, officer)
    realisation = realisations.submit(contract, fte_realisation("KAND-A"), owner)
    auth.login(officer.email)

    response = client.post(
        "/inkoop/beoordelen", data={"ids": [str(realisation.id), bad_id], "approve": "1"}
    )

    assert response.status_code == 200
    assert db.session.get(Realisation, realisation.id).state == "submitted"
