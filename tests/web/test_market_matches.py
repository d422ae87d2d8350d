"""A listing's page shows its matches with their reasons and SROI preview (docs/domain.md
"Matches and their SROI value")."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from marketplace.extensions import db
from marketplace.models import OrganisationCertification
from marketplace.models._types import utcnow
from tests.factories import make_listing, make_org, make_parties, make_user
from tests.querycount import counting_statements

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def buyer(app):
    return make_org("contractor", owner=make_user("koper@example.com"), verified=True)


@pytest.fixture
def contract(buyer, authority):
    """The buyer's contract: the `parties` contract with this module's buyer as contractor."""
    return make_parties(authority, buyer).register(title="Onderhoud wegen")


def test_a_demand_shows_the_offerings_that_fit_with_dutch_reasons(client, buyer, emco):
    demand = make_listing(buyer, "demand", fte=2)
    make_listing(emco, title="Schoonmaakteam Emmen", fte=3)

    page = client.get(f"/markt/vraag/{demand.id}").get_data(as_text=True)

    assert "Aanbod dat past" in page
    assert "Schoonmaakteam Emmen" in page
    for reason in ("zelfde sector", "in jouw arbeidsmarktregio", "capaciteit 3 fte past"):
        assert reason in page
    assert "Werkbedrijf / SW-bedrijf" in page
    assert "Leveranciers die passen" in page
    assert f'href="/organisaties/{emco.slug}">EMCO-groep</a>' in page


def test_the_contractor_sees_the_sroi_preview_naming_its_contract(
    client, auth, buyer, emco, contract
):
    demand = make_listing(buyer, "demand", contract_id=contract.id, amount_cents=None)
    make_listing(emco, amount_cents=1_234_567)

    auth.login("koper@example.com")
    page = client.get(f"/markt/vraag/{demand.id}").get_data(as_text=True)

    assert (
        "Een inkoop van €\xa012.345,67 bij deze leverancier telt voor €\xa012.345,67 mee voor "
        f"contract Onderhoud wegen ({contract.reference}) (beleid van Gemeente Test)."
    ) in page


def test_others_see_the_preview_without_the_contract(client, buyer, emco, contract):
    demand = make_listing(buyer, "demand", contract_id=contract.id, amount_cents=500_000)
    make_listing(emco, amount_cents=None)

    page = client.get(f"/markt/vraag/{demand.id}").get_data(as_text=True)

    assert "telt voor €\xa05.000,00 mee voor het SROI-contract van deze vraag" in page
    assert "Onderhoud wegen" not in page


def test_an_offering_shows_the_demand_it_answers(client, auth, buyer, emco, contract):
    make_listing(buyer, "demand", title="Schoonmaak gemeentehuis", contract_id=contract.id)
    offering = make_listing(emco, amount_cents=300_000)

    auth.login("emco@example.com")
    page = client.get(f"/markt/aanbod/{offering.id}").get_data(as_text=True)

    assert "Vraag die past" in page and "Schoonmaak gemeentehuis" in page
    assert "telt voor €\xa03.000,00 mee voor het SROI-contract van deze vrager" in page


def test_a_closed_listing_shows_no_matches(client, buyer, emco):
    demand = make_listing(buyer, "demand", status="closed")
    make_listing(emco)
    assert "Aanbod dat past" not in client.get(f"/markt/vraag/{demand.id}").get_data(as_text=True)


def test_a_listing_page_in_english_says_the_reasons_in_english(client, buyer, emco):
    demand = make_listing(buyer, "demand")
    make_listing(emco)
    db.session.add(
        OrganisationCertification(
            organisation_id=emco.id,
            code="code_sociale_ondernemingen",
            valid_from=TODAY,
            verified_at=utcnow(),
        )
    )
    db.session.commit()
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = client.get(f"/markt/vraag/{demand.id}").get_data(as_text=True)
    assert "same sector" in page and "Code Sociale Ondernemingen" in page


def test_the_contract_page_shows_how_to_close_the_gap(client, auth, buyer, emco, contract):
    make_listing(emco, title="Groenonderhoud Emmen", sector="groenvoorziening", amount_cents=None)
    buyer.sectors = ["groenvoorziening"]
    db.session.commit()

    auth.login("koper@example.com")
    page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)

    assert "Zo dicht je het tekort" in page
    assert "Groenonderhoud Emmen" in page
    assert "Een inkoop van €\xa060.000,00 telt voor €\xa060.000,00 mee." in page
    prefill = (
        f"/markt/nieuw?soort=vraag&amp;contract={contract.id}&amp;sector=groenvoorziening"
        "&amp;region=Drenthe&amp;budget=6000000"
    )
    assert prefill in page


def test_the_gap_button_starts_a_demand_pre_filled_from_the_contract(client, auth, buyer, contract):
    auth.login("koper@example.com")
    form = client.get(
        f"/markt/nieuw?soort=vraag&contract={contract.id}&sector=groenvoorziening"
        "&region=Drenthe&budget=6000000"
    ).get_data(as_text=True)
    assert f'<option selected value="{contract.id}">' in form
    assert '<option selected value="groenvoorziening">' in form
    assert 'id="amount_cents" name="amount_cents" type="text" value="60.000"' in form


def test_the_officer_is_not_shown_the_contractors_gap(client, auth, buyer, emco, contract):
    make_listing(emco)
    auth.login("officer@authority.example.com")
    page = client.get(f"/contracten/{contract.id}").get_data(as_text=True)
    assert "Zo dicht je het tekort" not in page


def test_the_obligation_card_shows_how_to_close_the_gap(client, auth, buyer, emco, contract):
    make_listing(emco, title="Schoonmaakploeg", amount_cents=2_000_000)
    auth.login("koper@example.com")
    page = client.get("/opdrachtnemer/").get_data(as_text=True)
    assert "Zo dicht je het tekort" in page
    assert "Een inkoop van €\xa020.000,00 telt voor €\xa020.000,00 mee." in page


def test_a_demand_page_with_matches_sends_the_same_few_statements_at_few_and_many(
    client, auth, buyer, emco, contract
):
    demand_id = make_listing(buyer, "demand", contract_id=contract.id).id
    other = make_org("social_enterprise", verified=True, sectors=["schoonmaak"])
    for n in range(3):
        make_listing(emco if n % 2 else other, title=f"Aanbod {n}")
    auth.login("koper@example.com")

    def statements() -> int:
        db.session.remove()
        with counting_statements(db.engine) as sent:
            assert "Aanbod dat past" in client.get(f"/markt/vraag/{demand_id}").get_data(
                as_text=True
            )
        return sent.count

    few = statements()
    emco, other = db.session.merge(emco), db.session.merge(other)
    for n in range(40):
        make_listing(emco if n % 2 else other, title=f"Meer aanbod {n}", region="Groningen")
    assert statements() == few <= 10
