"""The network admin acts on a member's behalf: comp until a date, pause, resume, cancel; each
asked first where it takes something away, audited, and told to the member by e-mail
(docs/domain.md "Membership states")."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, Membership
from marketplace.services import invoices, memberships
from tests.factories import make_membership, make_network, make_org, make_plan, make_user
from tests.mailbox import outbox_messages

TODAY = date(2026, 9, 15)
ADMIN = "admin@metwerk.example.com"
OWNER = "owner@bouw.example.com"


@pytest.fixture(autouse=True)
def frozen_today(app):
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def network(app):
    return make_network(make_user(ADMIN))


@pytest.fixture
def member(network) -> Membership:
    """Bouw B.V., accepted on 1 September and paid: active."""
    org = make_org("contractor", owner=make_user(OWNER), name="Bouw B.V.")
    membership = make_membership(network, make_plan(network), date(2026, 9, 1), org=org)
    [invoice] = invoices.of_membership(membership)
    memberships.record_payment(
        invoice.id, date(2026, 9, 2), invoice.total_cents, 0, network.members[0].user
    )
    assert membership.status == "active"
    return membership


def _path(member: Membership, action: str = "") -> str:
    return f"/netwerken/metwerk/beheer/leden/{member.id}" + (f"/{action}" if action else "")


def _audit(member: Membership) -> list[tuple[str, dict]]:
    return [
        (a.action, a.after)
        for a in db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_type == "Membership", AuditLog.object_id == member.id)
            .order_by(AuditLog.id)
        )
    ]


def _subjects() -> list[str]:
    return [m["Subject"] for m in outbox_messages(OWNER)]


def test_the_member_page_shows_the_facts_and_the_allowed_actions(client, auth, member):
    auth.login(ADMIN)
    page = client.get(_path(member)).get_data(as_text=True)
    assert "Bouw B.V." in page and "actief" in page and "Basis" in page
    assert "2026-0001" in page
    assert "Lidmaatschap pauzeren" in page and "Lidmaatschap opzeggen" in page
    assert "Lidmaatschap hervatten" not in page  # only a suspended member can be resumed
    members = client.get("/netwerken/metwerk/beheer/leden").get_data(as_text=True)
    assert f'href="{_path(member)}"' in members


def test_pausing_asks_first_then_suspends_audits_and_tells_the_member(client, auth, member):
    auth.login(ADMIN)
    confirm = client.get(_path(member, "pauzeren")).get_data(as_text=True)
    assert "Lidmaatschap van Bouw B.V. pauzeren?" in confirm
    assert member.status == "active"  # asking changed nothing

    response = client.post(_path(member, "pauzeren"), data={"reason": "Contributie in overleg"})

    assert response.status_code == 302
    db.session.refresh(member)
    assert member.status == "suspended"
    action, after = _audit(member)[-1]
    assert action == "membership.pause"
    assert after["source"] == "dashboard" and after["reason"] == "Contributie in overleg"
    assert "Je lidmaatschap van MetWerk is gepauzeerd" in _subjects()


def test_a_paused_member_is_resumed_without_paying(client, auth, member):
    auth.login(ADMIN)
    client.post(_path(member, "pauzeren"), data={"reason": ""})
    assert "Lidmaatschap hervatten" in client.get(_path(member)).get_data(as_text=True)

    client.post(_path(member, "hervatten"))

    db.session.refresh(member)
    assert member.status == "active"
    assert _audit(member)[-1][0] == "membership.resume"
    assert "Je lidmaatschap van MetWerk is weer actief" in _subjects()


def test_cancelling_asks_first_and_a_second_click_changes_nothing(client, auth, member):
    auth.login(ADMIN)
    assert "Lidmaatschap van Bouw B.V. opzeggen?" in client.get(_path(member, "opzeggen")).get_data(
        as_text=True
    )

    client.post(_path(member, "opzeggen"), data={"reason": "Op eigen verzoek"})
    again = client.post(_path(member, "opzeggen"), data={"reason": "Op eigen verzoek"})

    db.session.refresh(member)
    assert member.status == "cancelled" and member.cancelled_at is not None
    assert [a for a, _after in _audit(member)].count("membership.cancel") == 1
    assert _subjects().count("Je lidmaatschap van MetWerk is beëindigd") == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Dit lidmaatschap is intussen gewijzigd" in page
    assert "Lidmaatschap pauzeren" not in page


def test_comping_makes_the_membership_free_until_a_date_and_can_move_it(client, auth, member):
    auth.login(ADMIN)
    response = client.post(_path(member, "gratis"), data={"comp-until": "2026-12-31"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.status, member.comped_until) == ("active", date(2026, 12, 31))
    assert _audit(member)[-1] == (
        "membership.comp",
        {"status": "active", "source": "dashboard", "comped_until": "2026-12-31"},
    )
    [mail] = [m for m in outbox_messages(OWNER) if "gratis" in m["Subject"]]
    assert "31 december 2026" in mail.get_body(("plain",)).get_content()

    client.post(_path(member, "gratis"), data={"comp-until": "2027-06-30"})
    db.session.refresh(member)
    assert member.comped_until == date(2027, 6, 30)


@pytest.mark.parametrize("until", ["2026-09-15", "2020-01-01", "2040-01-01", "morgen", ""])
def test_a_comp_end_date_must_lie_ahead(client, auth, member, until):
    auth.login(ADMIN)
    response = client.post(_path(member, "gratis"), data={"comp-until": until})
    assert response.status_code == 400
    assert "utrecht-form-field--invalid" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.comped_until is None


@pytest.mark.parametrize(
    ("method", "action"),
    [("get", ""), ("get", "pauzeren"), ("post", "pauzeren"), ("post", "opzeggen"),
     ("post", "hervatten"), ("post", "gratis")],
)  # fmt: skip
def test_only_the_network_admin_acts_on_its_members(client, auth, member, method, action):
    make_network(make_user("admin@ander.example.com"), name="Ander Netwerk")
    data = {"comp-until": "2026-12-31", "reason": "x"}
    send = getattr(client, method)
    response = send(_path(member, action), **({"data": data} if method == "post" else {}))
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    for who in ("admin@ander.example.com", OWNER):
        auth.login(who)
        response = send(_path(member, action), **({"data": data} if method == "post" else {}))
        assert response.status_code == 404, who
        auth.logout()
    # Through its own network's address, another network's admin still finds nothing.
    auth.login("admin@ander.example.com")
    other = f"/netwerken/ander-netwerk/beheer/leden/{member.id}"
    assert client.get(other).status_code == 404
    db.session.refresh(member)
    assert member.status == "active" and member.comped_until is None
