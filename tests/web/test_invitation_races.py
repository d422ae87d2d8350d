"""Invitations at the same moment: a contract waiting for its invited company is linked once when
two registrations race, and an organisation is verified (and its users mailed) once when two
admins click at once. Decided by conditional updates in PostgreSQL (docs/architecture.md "Rules
that must hold under concurrency"), so fired as simultaneous requests at a served app."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Contract
from marketplace.services import contracts
from tests import backends
from tests.factories import make_org, make_policy, make_user
from tests.mailbox import outbox_messages
from tests.served import at_once, logged_in

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races are decided by PostgreSQL's row locks; SQLite runs one writer at a time",
)
INVITED = "info@nieuwbouw.example.com"


def _audited(action: str) -> int:
    db.session.rollback()  # read what the served app committed
    return db.session.scalar(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == action)
    )


def _organisation_form(kvk: str, name: str) -> dict:
    return {
        "name": name,
        "kind": "contractor",
        "kvk_number": kvk,
        "street": "Hoofdstraat 12",
        "postcode": "7811 AB",
        "city": "Emmen",
        "arbeidsmarktregio": "Drenthe",
    }


def test_two_organisations_registered_at_once_link_the_invited_contract_once(live, authority):
    make_policy(authority)
    officer = authority.members[0].user
    data = contracts.ContractData(
        "Sporthal", "SPH-1", None, 120000000, date(2026, 2, 1), date(2026, 3, 1), date(2027, 3, 1),
        invited_email=INVITED,
    )  # fmt: skip
    contract = contracts.register(authority, data, officer)
    make_user(INVITED)
    sessions = [logged_in(live, INVITED) for _ in range(2)]
    forms = [
        _organisation_form("11111111", "Nieuwbouw Noord"),
        _organisation_form("22222222", "Nieuwbouw Zuid"),
    ]

    responses = at_once(
        [
            (lambda s=s, f=f: s.post(live.url + "/organisaties/registreren", data=f, timeout=30))
            for s, f in zip(sessions, forms, strict=True)
        ]
    )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert _audited("organisation.registered") == 3  # the authority's and both companies'
    assert _audited("contract.contractor_linked") == 1
    assert db.session.get(Contract, contract.id).contractor_id is not None


def test_two_admins_verifying_at_once_verify_once(live, app):
    company = make_org("contractor", owner=make_user("baas@nieuw.example.com"))
    admins = [make_user(f"beheer{i}@example.com", admin=True) for i in range(3)]
    sessions = [logged_in(live, a.email) for a in admins]
    path = f"/beheer/organisaties/{company.id}/verifieren"

    responses = at_once([(lambda s=s: s.post(live.url + path, timeout=30)) for s in sessions])

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    assert _audited("organisation.verified") == 1
    with app.app_context():
        assert len(outbox_messages("baas@nieuw.example.com")) == 1


def test_an_organisation_verified_and_rejected_at_once_is_not_both(live, app):
    company = make_org("contractor", owner=make_user("baas@nieuw.example.com"))
    admins = [make_user(f"beheer{i}@example.com", admin=True) for i in range(2)]
    sessions = [logged_in(live, a.email) for a in admins]
    path = f"{live.url}/beheer/organisaties/{company.id}"

    responses = at_once(
        [
            lambda: sessions[0].post(path + "/verifieren", timeout=30),
            lambda: sessions[1].post(path + "/afwijzen", data={"reason": "Onbekend"}, timeout=30),
        ]
    )

    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    db.session.rollback()  # read what the served app committed
    db.session.refresh(company)
    assert company.verified_at is None or company.rejected_at is None
