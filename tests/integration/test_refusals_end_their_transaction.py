"""A service that refuses cleans up its own transaction (docs/architecture.md, "Layering
rules"): the route shows the refusal and never rolls back for it, so the session is clean
again, no row lock taken for the check is held, and nothing half-applied is flushed later."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import Contract
from marketplace.services import contracts, realisations
from marketplace.services.errors import Conflict, ServiceError
from tests.factories import fte_realisation, make_contract, make_org


def _terms_of(contract: Contract) -> contracts.ContractData:
    return contracts.ContractData(
        title=contract.title,
        reference=contract.reference,
        contractor_id=contract.contractor_id,
        value_cents=contract.value_cents,
        award_date=contract.award_date,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_a_refused_change_of_contractor_releases_the_contract_it_locked(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    realisations.submit(contract, fte_realisation("KAND-1"), owner)
    newcomer = make_org("contractor")

    with pytest.raises(Conflict):
        contracts.update(contract, replace(_terms_of(contract), contractor_id=newcomer.id), officer)

    assert not db.session().in_transaction()
    assert contract.contractor_id == contractor.id


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_a_refused_edit_leaves_the_contract_as_stored(parties):
    authority, contractor, officer, _owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    # No policy is in force in 2020: refused after the contractor and reference were checked.
    refused = replace(_terms_of(contract), title="Nieuwe titel", award_date=date(2020, 1, 1))

    with pytest.raises(ServiceError) as err:
        contracts.update(contract, refused, officer)

    assert err.value.code == "no_policy"
    assert not db.session().in_transaction()
    assert db.session.get(Contract, contract.id).title == contract.title != "Nieuwe titel"


@time_machine.travel(date(2026, 9, 1), tick=False)
def test_a_decision_refused_as_already_taken_ends_its_transaction(parties):
    authority, contractor, officer, owner = parties.sides()
    contract = make_contract(authority, contractor, officer)
    realisation = realisations.submit(contract, fte_realisation("KAND-1"), owner)
    realisations.approve([realisation.id], officer)

    with pytest.raises(Conflict):
        realisations.reject([realisation.id], officer, "te laat")

    assert not db.session().in_transaction()
    assert realisation.state == "approved"
