"""Two workers on the same object at once (issue 16): no lost update, no double notification,
and neither fails. Run on PostgreSQL, where two transactions really interleave."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import FulfilmentSnapshot, OutboxJob
from marketplace.services import fulfilment
from tests.backends import ONLY_POSTGRESQL
from tests.served import at_once

pytestmark = ONLY_POSTGRESQL
TODAY = date(2027, 1, 1)  # the factory contract is then behind: at risk


def mails() -> int:
    return db.session.scalar(select(func.count()).where(OutboxJob.job_name == "send_mail"))


def in_own_session(app, call):
    def run():
        with app.app_context():
            try:
                return call()
            finally:
                db.session.remove()

    return run


def test_two_recomputes_of_one_contract_notify_once_and_both_succeed(app, contract):
    contract.notified_status = None
    db.session.commit()
    before = mails()
    statuses = at_once(
        [in_own_session(app, lambda: fulfilment.recompute_contract(contract.id, TODAY))] * 2
    )
    assert statuses == ["at_risk", "at_risk"]
    db.session.expire_all()
    assert mails() - before == 2  # the officer and the contractor's owner, once each
    snapshots = db.session.scalar(
        select(func.count()).where(
            FulfilmentSnapshot.contract_id == contract.id, FulfilmentSnapshot.on_date == TODAY
        )
    )
    assert snapshots == 1
