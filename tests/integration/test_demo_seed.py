"""`flask seed-demo` loads the demo once: running it again changes no table."""

from __future__ import annotations

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Listing, Organisation


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_seeding_the_demo_twice_leaves_every_table_as_the_first_run_did(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.remove()
    first = row_counts()
    assert first["organisation_members"] > 0 and first["contracts"] > 0

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    db.session.remove()
    assert row_counts() == first


def test_the_demo_werkbedrijven_and_social_enterprise_offer_and_the_contractor_asks(runner):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    offering_orgs = set(
        db.session.scalars(
            select(Organisation.name)
            .join(Listing, Listing.organisation_id == Organisation.id)
            .where(Listing.kind == "offering", Listing.status == "open")
        )
    )
    assert {
        "EMCO-groep",
        "Menso",
        "WVS-groep",
        "Weener XL",
        "Wedeka",
        "Buurtsupport Emmen",
    } <= offering_orgs
    demand_contracts = db.session.scalars(
        select(Listing.contract_id).where(Listing.kind == "demand", Listing.status == "open")
    ).all()
    assert len([c for c in demand_contracts if c is not None]) == 3


def test_demo_suppliers_are_in_the_directory_and_their_offerings_are_found(runner):
    from marketplace.services import search

    runner.invoke(args=["seed-demo"])

    listed = {hit.title for hit in search.directory("").items}
    assert {"EMCO-groep", "Menso", "WVS-groep", "Weener XL", "Wedeka"} <= listed
    assert "Gemeente Emmen" not in listed
    assert search.search("", search.Filters(kind=("offering",))).total > 0
