"""A contractor's demand linked to its contract, and verified social suppliers to answer it: the
parties every proposal and deal test starts from."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace.models import Contract, Listing, Organisation, User
from tests.factories import make_contract, make_listing, make_org, make_policy, make_user


@dataclass
class DealParties:
    authority: Organisation
    officer: User
    contractor: Organisation
    buyer: User
    contract: Contract
    demand: Listing
    supplier: Organisation
    seller: User
    other_supplier: Organisation
    other_seller: User
    outsider: User


def make_deal_parties() -> DealParties:
    officer = make_user("officer@gemeente.example.com")
    authority = make_org("authority", owner=officer, name="Gemeente Emmen")
    make_policy(authority)
    buyer = make_user("inkoper@bouw.example.com")
    contractor = make_org("contractor", owner=buyer, name="Bouwbedrijf Noord B.V.", verified=True)
    contract = make_contract(authority, contractor, officer, reference="EMM-2026-001")
    demand = make_listing(
        contractor, "demand", contract_id=contract.id, title="Schoonmaak van het gemeentehuis"
    )
    seller = make_user("verkoop@emco.example.com")
    supplier = make_org(
        "werkbedrijf", owner=seller, name="EMCO-groep", verified=True, kvk_number="04036427"
    )
    other_seller = make_user("verkoop@menso.example.com")
    other_supplier = make_org("werkbedrijf", owner=other_seller, name="Menso", verified=True)
    outsider = make_user("iemand@elders.example.com")
    make_org("contractor", owner=outsider, name="Elders B.V.", verified=True)
    return DealParties(
        authority,
        officer,
        contractor,
        buyer,
        contract,
        demand,
        supplier,
        seller,
        other_supplier,
        other_seller,
        outsider,
    )
