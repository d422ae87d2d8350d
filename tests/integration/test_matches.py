"""Explained matches with their SROI value, and closing a contract's gap (services/matches.py,
docs/domain.md "Matches and their SROI value")."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from marketplace.domain.matching import Reason
from marketplace.extensions import db
from marketplace.models import Listing, OrganisationCertification
from marketplace.models._types import utcnow
from marketplace.services import matches, realisations
from marketplace.services.matches import SUPPLIER_KINDS
from tests.factories import make_network, make_org
from tests.querycount import counting_statements

TODAY = date(2026, 12, 1)
_titles = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 12, 1, 10, 0), tick=False):
        yield


def listing(org, kind="offering", **fields) -> Listing:
    """An open public listing published `age` days ago (default: today)."""
    age = fields.pop("age", 0)
    row = Listing(
        organisation_id=org.id,
        kind=kind,
        title=fields.pop("title", f"Aanbod {next(_titles)}"),
        sector=fields.pop("sector", "schoonmaak"),
        type=fields.pop("type", "service"),
        region=fields.pop("region", "Drenthe"),
        status=fields.pop("status", "open"),
        published_at=datetime(2026, 12, 1, 9, 0) - timedelta(days=age),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def supplier(name="Sociaal Bedrijf", kind="social_enterprise", **fields):
    return make_org(kind, name=name, verified=True, **fields)


def member_of_social_enterprise_nl(org) -> None:
    db.session.add(
        OrganisationCertification(
            organisation_id=org.id,
            code="social_enterprise_nl",
            valid_from=date(2026, 1, 1),
            verified_at=utcnow(),
        )
    )
    db.session.commit()


def ids(found) -> list[int]:
    return [m.listing.id for m in found.listings]


def test_an_offering_in_the_same_sector_and_region_ranks_first_with_its_reasons(contractor):
    demand = listing(contractor, "demand", fte=Decimal("2"))
    org = supplier()
    elsewhere = listing(org, sector="schoonmaak", region="Zuid-Limburg")
    near = listing(org, sector="schoonmaak", region="Drenthe", fte=Decimal("3"), age=40)
    other_sector = listing(org, sector="bouw", region="Groningen")

    found = matches.matches_for_demand(demand)

    assert ids(found) == [near.id, elsewhere.id]
    best = found.listings[0]
    assert best.reasons[:4] == (
        Reason("same_sector"),
        Reason("same_type", {"type": "service"}),
        Reason("same_region", {"region": "Drenthe"}),
        Reason("capacity_fits", {"fte": "3"}),
    )
    assert other_sector.id not in ids(found)
    assert best.sroi_preview is None  # the demand serves no contract


def test_hidden_and_own_offerings_are_no_matches(contractor):
    demand = listing(contractor, "demand")
    org = supplier()
    for status in ("draft", "paused", "closed", "expired", "matched"):
        listing(org, status=status)
    listing(org, visibility="network", network_id=make_network().id)
    listing(contractor)  # the poster's own offering
    listing(org, "demand")  # the same side
    shown = listing(org)

    assert ids(matches.matches_for_demand(demand)) == [shown.id]


def test_the_sroi_preview_values_the_offering_price_as_its_invoice_realisation(
    contractor, contract
):
    demand = listing(contractor, "demand", contract_id=contract.id, amount_cents=5_000_000)
    member = supplier()
    member_of_social_enterprise_nl(member)
    offering = listing(member, amount_cents=1_234_567)

    found = matches.matches_for_demand(demand, viewer_orgs={contractor.id})
    preview = found.listings[0].sroi_preview

    # docs/domain.md worked example: € 12.345,67 from a Social Enterprise NL member.
    assert (preview.amount_cents, preview.value_cents) == (1_234_567, 617_284)
    assert preview.certification == "social_enterprise_nl"
    assert preview.contract.id == contract.id and preview.contract_shown
    block = realisations.block_of(contract, "INK")
    assert realisations.invoice_value(block, 1_234_567, "social_enterprise_nl").value_cents == (
        preview.value_cents
    )
    assert offering.id == demand.id + 1


def test_the_submitted_invoice_realisation_is_worth_exactly_the_preview(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id)
    member = supplier()
    member_of_social_enterprise_nl(member)
    listing(member, amount_cents=333_333)
    preview = matches.matches_for_demand(demand).listings[0].sroi_preview

    realisation = realisations.submit(
        contract,
        realisations.RealisationData(
            block_code="INK",
            invoice_excl_vat_cents=preview.amount_cents,
            invoice_number="F-2026-001",
            supplier_name=member.name,
            supplier_kvk=member.kvk_number,
            supplier_certification=preview.certification,
        ),
        contractor.members[0].user,
    )

    assert realisation.value_cents == preview.value_cents == 166_667  # 333.333 × 50%, half up


def test_without_price_the_preview_uses_the_demands_budget(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id, amount_cents=1_000_000)
    listing(supplier(kind="werkbedrijf"))
    preview = matches.matches_for_demand(demand).listings[0].sroi_preview
    assert (preview.amount_cents, preview.value_cents) == (1_000_000, 1_000_000)
    assert preview.certification == "werkbedrijf"
    assert not preview.contract_shown  # no viewer: the contract itself stays unnamed


def test_without_any_amount_the_contractor_sees_what_closes_the_gap(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id)
    member = supplier()
    member_of_social_enterprise_nl(member)
    listing(member)

    found = matches.matches_for_demand(demand, viewer_orgs={contractor.id})
    preview = found.listings[0].sroi_preview
    assert contract.remaining_cents == 6_000_000
    assert (preview.amount_cents, preview.value_cents) == (12_000_000, 6_000_000)
    assert preview.closes_gap

    elsewhere = make_org("contractor")
    found = matches.matches_for_demand(demand, viewer_orgs={elsewhere.id})
    assert found.listings[0].sroi_preview is None


def test_a_supplier_without_certification_adds_nothing(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id, amount_cents=1_000_000)
    listing(supplier())
    preview = matches.matches_for_demand(demand).listings[0].sroi_preview
    assert (preview.certification, preview.value_cents) == ("none", 0)


def test_suppliers_of_the_region_are_ranked_by_their_profile(contractor):
    demand = listing(contractor, "demand")
    fitting = supplier("Werkbedrijf Emmen", kind="werkbedrijf", sectors=["schoonmaak"])
    supplier("Groen Emmen", sectors=["groenvoorziening"])  # same region only: 20 points
    make_org("werkbedrijf", name="Niet geverifieerd", sectors=["schoonmaak"])

    found = matches.matches_for_demand(demand).suppliers
    assert [s.organisation.name for s in found] == ["Werkbedrijf Emmen", "Groen Emmen"]
    assert found[0].organisation.id == fitting.id
    assert Reason("certified", {"certification": "werkbedrijf"}) in found[0].reasons


def test_an_offering_sees_the_demand_it_answers_with_the_preview(contractor, contract):
    member = supplier(kind="werkbedrijf")
    offering = listing(member, amount_cents=300_000)
    demand = listing(contractor, "demand", contract_id=contract.id)
    listing(contractor, "demand", sector="bouw", region="Zeeland")

    found = matches.matches_for_offering(offering, viewer_orgs={member.id})
    assert ids(found) == [demand.id]
    preview = found.listings[0].sroi_preview
    assert (preview.amount_cents, preview.value_cents) == (300_000, 300_000)
    assert not preview.contract_shown  # the supplier is not the contract's party


def test_closing_the_gap_lists_offerings_with_what_each_adds(contractor, contract):
    listing(contractor, "demand", contract_id=contract.id, sector="groenvoorziening")
    werkbedrijf = supplier(kind="werkbedrijf")
    priced = listing(werkbedrijf, sector="groenvoorziening", amount_cents=2_000_000)
    unpriced = listing(werkbedrijf, sector="groenvoorziening", age=20)
    listing(supplier(), sector="groenvoorziening")  # no certification: adds nothing

    gap = matches.closing_the_gap(contract)

    assert gap.remaining_cents == 6_000_000
    assert (gap.sector, gap.region) == ("groenvoorziening", "Drenthe")
    assert [(m.listing.id, m.sroi_preview.value_cents) for m in gap.offerings] == [
        (priced.id, 2_000_000),
        (unpriced.id, 6_000_000),
    ]


def test_a_fulfilled_contract_has_no_gap_to_close(contractor, contract):
    listing(supplier(kind="werkbedrijf"))
    contract.approved_cents = contract.obligation_cents
    db.session.commit()
    assert matches.closing_the_gap(contract).offerings == []


def test_matches_cost_the_same_queries_at_few_and_many_listings(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id)

    def queries() -> int:
        db.session.expire_all()
        assert demand.organisation.id == contractor.id  # loaded by the page
        with counting_statements(db.engine) as statements:
            matches.matches_for_demand(demand, viewer_orgs={contractor.id})
        return statements.count

    suppliers = [supplier(kind=kind, sectors=["schoonmaak"]) for kind in SUPPLIER_KINDS * 2]
    for org in suppliers:
        listing(org, amount_cents=1000)
    few = queries()
    for i in range(40):
        listing(suppliers[i % 4], amount_cents=1000 * i, region="Groningen")
    assert queries() == few <= 8


def test_a_job_asking_for_nobody_sees_the_preview_without_the_contract(contractor, contract):
    demand = listing(contractor, "demand", contract_id=contract.id, amount_cents=100_000)
    listing(supplier(kind="werkbedrijf"))
    found = matches.matches_of(demand, None)
    assert not found.listings[0].sroi_preview.contract_shown
