"""The API refuses policies and contracts of an authority that is not verified yet (403 with the
reason in the error envelope)."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Contract, SroiPolicy
from marketplace.services import accounts
from tests.api.test_contracts_api import contract_payload
from tests.api.test_policies_api import POLICY
from tests.factories import make_policy


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def officer_of(authority):
    return accounts.find_by_email("officer@authority.example.com")


def unverify(org) -> None:
    org.verified_at = None
    db.session.commit()


def test_unverified_authority_cannot_add_a_policy_through_the_api(bearer, authority):
    unverify(authority)

    response = bearer(officer_of(authority)).post(
        f"/api/v1/authorities/{authority.id}/policies", POLICY
    )

    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "unverified_organisation"
    assert "nog niet geverifieerd" in error["message"]
    assert count(SroiPolicy) == 0


def test_unverified_authority_cannot_register_a_contract_through_the_api(
    bearer, authority, contractor
):
    make_policy(authority)
    unverify(authority)

    response = bearer(officer_of(authority)).post("/api/v1/contracts", contract_payload(contractor))

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "unverified_organisation"
    assert count(Contract) == 0
