"""membership_status.apply: every move of a membership's state happens once, is audited and told
to the member, whoever asks for it and however often (docs/domain.md "Membership states")."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.models import AuditLog, Membership, OutboxJob
from marketplace.services import invoices, membership_status, memberships
from tests import backends
from tests.factories import make_membership, make_network, make_plan, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once

JOINED = date(2026, 7, 1)
RACERS = 6


@pytest.fixture
def network(app):
    return make_network(make_user("admin@metwerk.example.com"))


@pytest.fixture
def membership(network):
    return make_membership(network, make_plan(network), JOINED)


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditLog.action == action))


def _subjects(membership: Membership) -> list[str]:
    return [m["Subject"] for m in outbox_messages(membership.organisation.members[0].user.email)]


def test_a_payment_activates_once_with_an_audit_row_and_a_mail(membership):
    assert membership_status.apply(membership, "pay", by=None, source="stripe")
    db.session.commit()
    assert not membership_status.apply(membership, "pay", by=None, source="stripe")
    db.session.commit()

    db.session.refresh(membership)
    assert membership.status == "active"
    assert _audits("membership.pay") == 1
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.pay"))
    assert entry.before == {"status": "pending"}
    assert entry.after == {"status": "active", "source": "stripe"}
    assert _subjects(membership).count("Je lidmaatschap van MetWerk is actief") == 1


def test_a_move_the_rules_refuse_changes_nothing(membership):
    jobs = db.session.scalar(select(func.count()).select_from(OutboxJob))
    assert not membership_status.apply(membership, "suspend", by=None, source="dunning")
    db.session.commit()
    assert membership.status == "pending"
    assert _audits("membership.suspend") == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxJob)) == jobs


def test_an_old_copy_starts_again_from_the_row_as_it_is(membership):
    """A webhook holding a membership read before the sweep made it past_due still pays it."""
    membership_status.apply(membership, "pay", by=None, source="manual_invoice")
    db.session.commit()
    assert membership.status == "active"  # our copy, read now
    db.session.execute(
        update(Membership)
        .where(Membership.id == membership.id)
        .values(status="past_due")
        .execution_options(synchronize_session=False)
    )  # another's move, unseen by our copy
    assert membership.status == "active"

    assert membership_status.apply(membership, "pay", by=None, source="stripe")
    db.session.commit()
    assert membership.status == "active"
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "membership.pay").order_by(AuditLog.id.desc())
    )
    assert entry.before == {"status": "past_due"}


def test_an_automatic_suspension_tells_the_member_and_the_network_admin(membership):
    membership_status.apply(membership, "pay", by=None, source="manual_invoice")
    membership_status.apply(membership, "fall_due", by=None, source="dunning")
    assert membership_status.apply(membership, "suspend", by=None, source="dunning")
    db.session.commit()

    assert membership.status == "suspended"
    assert "Je lidmaatschap van MetWerk is opgeschort" in _subjects(membership)
    assert [
        m["Subject"]
        for m in outbox_messages("admin@metwerk.example.com")
        if "opgeschort" in m["Subject"]
    ] == [f"{membership.organisation.name} is opgeschort wegens niet-betalen"]


def test_a_cancellation_keeps_its_reason_and_time(membership, network):
    admin = network.members[0].user
    assert membership_status.apply(
        membership, "cancel", by=admin, source="dashboard", reason="Opgezegd per brief"
    )
    db.session.commit()
    assert membership.status == "cancelled"
    assert membership.cancelled_at is not None
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.cancel"))
    assert entry.actor_id == admin.id
    assert entry.after["reason"] == "Opgezegd per brief"
    [mail] = [
        m
        for m in outbox_messages(membership.organisation.members[0].user.email)
        if m["Subject"] == "Je lidmaatschap van MetWerk is beëindigd"
    ]
    assert "Opgezegd per brief" in mail.get_content()


def test_recording_the_full_payment_activates_through_apply(membership, network):
    [invoice] = invoices.of_membership(membership)
    memberships.record_payment(
        invoice.id, date(2026, 7, 10), invoice.total_cents, 0, network.members[0].user
    )
    assert membership.status == "active"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.pay"))
    assert entry.after["source"] == "manual_invoice"
    assert entry.actor_id == network.members[0].user.id


def _apply_in_own_transaction(app: Flask, membership_id: int, action: str) -> bool:
    """One caller from a thread: its own app context, session and connection."""
    with app.app_context():
        membership = db.session.get(Membership, membership_id)
        moved = membership_status.apply(membership, action, by=None, source="stripe")
        db.session.commit()
        db.session.remove()
        return moved


@backends.ONLY_POSTGRESQL
def test_callers_at_once_give_one_winner(app, membership):
    membership_id = membership.id
    db.session.commit()

    outcomes = at_once([lambda: _apply_in_own_transaction(app, membership_id, "pay")] * RACERS)

    assert sorted(outcomes) == [False] * (RACERS - 1) + [True]
    db.session.rollback()
    assert _audits("membership.pay") == 1
    assert _subjects(membership).count("Je lidmaatschap van MetWerk is actief") == 1


@backends.ONLY_POSTGRESQL
def test_a_payment_racing_a_suspension_ends_active(app, membership):
    """Whichever commits first, the payment is not lost: suspended then paid, or paid (and the
    suspension refused, since only a past_due membership is suspended)."""
    membership_status.apply(membership, "pay", by=None, source="manual_invoice")
    membership_status.apply(membership, "fall_due", by=None, source="dunning")
    db.session.commit()
    membership_id = membership.id

    at_once(
        [
            lambda: _apply_in_own_transaction(app, membership_id, "suspend"),
            lambda: _apply_in_own_transaction(app, membership_id, "pay"),
        ]
    )

    db.session.rollback()
    db.session.refresh(membership)
    assert membership.status == "active"
    assert _audits("membership.pay") == 2
