"""The same unique thing saved twice at the same moment: the database keeps one, and the other
request gets a 409 or a field message, never a 500 (the services check first, but two requests
can both pass that check before either commits; the IntegrityError handler catches the rest).

Fired as simultaneous HTTP requests at a served app, each in its own transaction: a race needs
separate connections (docs/architecture.md "Rules that must hold under concurrency"), and the
unique constraints that decide it are the ones PostgreSQL enforces in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Contract, Organisation, PsoCertificate, SroiPolicy, User
from marketplace.models._types import utcnow
from marketplace.services import accounts
from tests import backends
from tests.factories import PASSWORD, make_policy
from tests.served import LiveServer, at_once, bearer_post, logged_in

pytestmark = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="races are decided by PostgreSQL's constraints; SQLite runs one writer at a time",
)
RACERS = 4
DUPLICATE = "Dit bestaat al of is tegelijk door iemand anders opgeslagen"


def _race(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    responses = at_once(calls)
    statuses = [r.status_code for r in responses]
    assert all(s < 500 for s in statuses), [(r.status_code, r.text[:300]) for r in responses]
    return responses


def _count(model: Any, *where: Any) -> int:
    db.session.rollback()  # read what the served app committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _race_form(live: LiveServer, email: str, path: str, form: dict) -> list[requests.Response]:
    """The same form posted at once by RACERS sessions of the user `email`."""
    sessions = [logged_in(live, email) for _ in range(RACERS)]
    return _race([(lambda s=s: s.post(live.url + path, data=form, timeout=30)) for s in sessions])


def test_same_contract_reference_registered_at_once_is_saved_once(live, authority, contractor):
    officer = authority.members[0].user
    make_policy(authority)
    contractor.verified_at = utcnow()  # only verified contractors can be chosen
    db.session.commit()
    token = accounts.create_token(officer, "race")
    body = {
        "contractor_id": contractor.id,
        "title": "Onderhoud",
        "reference": "RACE-1",
        "value_cents": 120000000,
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
    }

    responses = _race([lambda: bearer_post(live, token, "/api/v1/contracts", body)] * RACERS)

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409, 422}, statuses
    losers = [r.json()["error"] for r in responses if r.status_code != 201]
    assert all(e["code"] == "conflict" or "reference" in e["fields"] for e in losers), losers
    assert _count(Contract, Contract.reference == "RACE-1") == 1


def test_same_policy_date_added_at_once_is_saved_once(live, authority):
    officer = authority.members[0].user
    token = accounts.create_token(officer, "race")
    body = {
        "name": "Beleid 2027",
        "effective_from": "2027-01-01",
        "threshold_cents": 25000000,
        "min_duration_months": 6,
        "percentage_bp": 500,
        "blocks": [{"code": "KOS", "label": "Kosten", "unit": "cost"}],
    }
    path = f"/api/v1/authorities/{authority.id}/policies"

    responses = _race([lambda: bearer_post(live, token, path, body)] * RACERS)

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409, 422}, statuses
    assert _count(SroiPolicy, SroiPolicy.authority_id == authority.id) == 1


def test_same_email_registered_at_once_makes_one_account(live, app):
    form = {"email": "tegelijk@example.com", "password": PASSWORD, "confirm": PASSWORD}

    def register() -> requests.Response:
        return requests.post(live.url + "/account/registreren", data=form, timeout=30)

    _race([register] * RACERS)

    assert _count(User, User.email == "tegelijk@example.com") == 1


def test_same_kvk_number_and_name_registered_at_once_make_one_organisation(live, user):
    form = {
        "name": "Gelijktijdig B.V.",
        "kind": "contractor",
        "kvk_number": "87654321",
        "street": "Straat 1",
        "postcode": "7811 AP",
        "city": "Emmen",
        "arbeidsmarktregio": "Drenthe",
        "province": "Drenthe",
    }

    responses = _race_form(live, user.email, "/organisaties/registreren", form)

    assert _count(Organisation, Organisation.kvk_number == "87654321") == 1
    conflicts = [r for r in responses if r.status_code == 409]
    assert all(DUPLICATE in r.text for r in conflicts)


def test_same_pso_certificate_recorded_at_once_is_saved_once(live, contractor):
    owner = contractor.members[0].user
    form = {
        "form": "certificate",
        "certificate-level": "trede_1",
        "certificate-number": "PSO-RACE-1",
        "certificate-valid_until": "2027-12-31",
    }

    _race_form(live, owner.email, "/opdrachtnemer/pso", form)

    assert _count(PsoCertificate, PsoCertificate.number == "PSO-RACE-1") == 1
