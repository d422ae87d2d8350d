"""Value-table rows changed at the same moment: two officers deleting the last two rows leave one
(a policy needs a table), and a row deleted while another officer saves it is not a server error.
Decided by locking the version's row in PostgreSQL, so fired as simultaneous requests at a served
app."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.domain.valuation import Block
from marketplace.extensions import db
from marketplace.models import BuildingBlock
from marketplace.services import policies
from tests import backends
from tests.factories import add_member, make_policy, make_user
from tests.served import at_once, logged_in

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races are decided by PostgreSQL's row locks; SQLite runs one writer at a time",
)
OFFICERS = ("officer@authority.example.com", "collega@authority.example.com")
TWO_ROWS = [
    policies.BlockData("Participatiewet", Block("PW", "fte_year", 4000000, Decimal(12))),
    policies.BlockData("Werkervaringsplek", Block("WEP", "month", 75000)),
]


def _rows(policy_id: int) -> int:
    db.session.rollback()  # read what the served app committed
    return db.session.scalar(
        select(func.count()).select_from(BuildingBlock).where(BuildingBlock.policy_id == policy_id)
    )


def _sessions(live, authority):
    add_member(authority, make_user(OFFICERS[1]), "member")
    return [logged_in(live, email) for email in OFFICERS]


def test_two_officers_deleting_the_last_two_rows_at_once_leave_one(live, authority):
    policy = make_policy(authority, blocks=TWO_ROWS)
    url = f"{live.url}/inkoop/beleid/{policy.id}/waardetabel"
    ids = [b.id for b in policy.blocks]
    sessions = _sessions(live, authority)

    responses = at_once(
        [
            (lambda s=s, i=i: s.post(f"{url}/{i}/verwijderen", allow_redirects=False, timeout=30))
            for s, i in zip(sessions, ids, strict=True)
        ]
    )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert _rows(policy.id) == 1


def test_a_row_saved_while_another_officer_deletes_it_is_no_server_error(live, authority):
    policy = make_policy(authority)
    row = next(b for b in policy.blocks if b.code == "WEP")
    url = f"{live.url}/inkoop/beleid/{policy.id}/waardetabel/{row.id}"
    form = {"code": "WEP", "label": "Werkervaringsplek", "unit": "month", "rate_cents": "800"}
    sessions = _sessions(live, authority)

    responses = at_once(
        [
            lambda: sessions[0].post(url, data=form, allow_redirects=False, timeout=30),
            lambda: sessions[1].post(f"{url}/verwijderen", allow_redirects=False, timeout=30),
        ]
    )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
