"""The procurement officer's pages: dashboard, policy versions, contract registration, the
contract page (shared with the contractor) and the approval queue."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import event, func, select

from marketplace.domain.money import format_eur
from marketplace.extensions import db
from marketplace.models import Contract, Realisation, SroiPolicy
from marketplace.services import policies, realisations
from tests.factories import (
    add_member,
    bulk_realisations,
    fte_realisation,
    make_contract,
    make_org,
    make_user,
)

OFFICER = "officer@authority.example.com"
OWNER = "owner@contractor.example.com"
TODAY = date(2027, 3, 1)


@pytest.fixture(autouse=True)
def _today():
    """Halfway through the factory contract (2026-03-01..2028-02-29): € 30.000 expected."""
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def officer(authority):
    return authority.members[0].user


@pytest.fixture
def owner(contractor):
    return contractor.members[0].user


@pytest.fixture
def policy(parties):
    return parties.policy


@pytest.fixture
def submitted(contract, owner):
    """A realisation on `contract` awaiting the officer's decision."""
    return realisations.submit(contract, fte_realisation("KAND-A"), owner)


def other_officer() -> str:
    """The e-mail address of the officer of another authority."""
    other = make_user("inkoper@elders.example.com")
    make_org("authority", owner=other, name="Gemeente Elders")
    return other.email


def copies_of(contract: Contract, n: int, **fields) -> None:
    """n more contracts like `contract`, inserted directly: registering each one through the
    service (and its recompute job) would make these tests slow without testing more."""
    columns = {
        c.key: getattr(contract, c.key)
        for c in Contract.__table__.columns
        if c.key not in ("id", "reference", "created_at")
    }
    db.session.add_all(
        Contract(**{**columns, **fields, "reference": f"{contract.reference}-{i:02d}"})
        for i in range(n)
    )
    db.session.commit()


def page_of(response) -> str:
    return response.get_data(as_text=True)


# Dashboard


def test_dashboard_lists_overdue_and_at_risk_contracts_first(
    client, auth, authority, contractor, officer, policy
):
    make_contract(authority, contractor, officer, reference="LATER", start_date=date(2027, 6, 1))
    make_contract(authority, contractor, officer, reference="BEHIND")
    make_contract(
        authority,
        contractor,
        officer,
        reference="ENDED",
        start_date=date(2026, 3, 1),
        end_date=date(2026, 12, 31),
    )
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/"))
    assert page.index("ENDED") < page.index("BEHIND") < page.index("LATER")
    assert "Verlopen" in page or "verlopen" in page
    assert "€\xa060.000,00" in page


def test_dashboard_filters_by_status(client, auth, authority, contractor, officer, policy):
    make_contract(authority, contractor, officer, reference="LATER", start_date=date(2027, 6, 1))
    make_contract(authority, contractor, officer, reference="BEHIND")
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/?status=at_risk"))
    assert "BEHIND" in page
    assert "LATER" not in page


def test_dashboard_filters_by_text_and_department(
    client, auth, authority, contractor, officer, policy
):
    make_contract(authority, contractor, officer, reference="R-1", title="Groenonderhoud Noord")
    make_contract(
        authority,
        contractor,
        officer,
        reference="R-2",
        title="Groenonderhoud Zuid",
        department="Wijken",
    )
    make_contract(authority, contractor, officer, reference="R-3", title="Schoonmaak")
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/?q=groen&department=Wijken"))
    assert "R-2" in page
    assert "R-1" not in page and "R-3" not in page


def test_dashboard_ignores_a_filter_value_it_cannot_read(
    client, auth, authority, contractor, officer, policy
):
    make_contract(authority, contractor, officer, reference="R-1")
    auth.login(OFFICER)
    response = client.get("/inkoop/?contractor=abc&ends_before=morgen&status=nonsense")
    assert response.status_code == 200
    assert "R-1" in page_of(response)


def test_dashboard_pagination_keeps_the_filters(
    client, auth, authority, contractor, officer, policy
):
    copies_of(make_contract(authority, contractor, officer, department="Bouw"), 50)
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/?department=Bouw"))
    assert "department=Bouw" in page
    assert "page=2" in page
    second = page_of(client.get("/inkoop/?department=Bouw&page=2"))
    assert second.count('href="/contracten/') == 1


def test_dashboard_without_policy_asks_for_a_policy_first(client, auth, authority):
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/"))
    assert "Begin met je SROI-beleid" in page
    assert 'href="/inkoop/beleid/nieuw"' in page


def test_dashboard_without_contracts_invites_to_register_one(client, auth, authority, policy):
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/"))
    assert "Nog geen contracten" in page
    assert 'href="/inkoop/contracten/nieuw"' in page


def test_dashboard_shows_the_queue_of_realisations_awaiting_approval(client, auth, submitted):
    auth.login(OFFICER)
    page = page_of(client.get("/inkoop/"))
    assert "Wacht op jouw besluit" in page
    assert "Alle 1 realisaties" in page
    assert "Te beoordelen (1)" in page


def test_dashboard_needs_very_few_queries_whatever_the_number_of_contracts(
    app, client, auth, authority, contractor, officer, owner, policy
):
    contract = make_contract(authority, contractor, officer)
    copies_of(contract, 59)
    realisations.submit(contract, fte_realisation("KAND-1"), owner)
    auth.login(OFFICER)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/inkoop/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert page_of(response).count('href="/contracten/') >= 50
    assert len(statements) <= 10, "\n".join(statements)


def test_contractor_organisation_has_no_dashboard(client, auth, contractor):
    auth.login(OWNER)
    assert client.get("/inkoop/").status_code == 404


# Policies


def _policy_form(csv_bytes: bytes | None, **overrides) -> dict:
    data = {
        "name": "SROI-beleid 2027",
        "effective_from": "2027-01-01",
        "threshold_cents": "250.000",
        "min_duration_months": "6",
        "percentage_bp": "2,5",
        "pso_trede_1": "50",
        "pso_trede_2": "0",
        **overrides,
    }
    if csv_bytes is not None:
        data["value_table"] = (io.BytesIO(csv_bytes), "waardetabel.csv")
    return data


def test_officer_creates_a_policy_version_from_a_csv_upload(client, auth, authority, policy):
    csv_text = policies.export_csv(policy)
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beleid/nieuw",
        data=_policy_form(csv_text.encode(), copy_current=""),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    created = db.session.scalar(select(SroiPolicy).where(SroiPolicy.name == "SROI-beleid 2027"))
    assert created.percentage_bp == 250
    assert created.threshold_cents == 25000000
    assert created.pso_remaining_bp == {"trede_1": 5000, "trede_2": 0}
    assert [b.code for b in created.blocks] == ["PW", "WEP", "MA", "INK", "KOS"]
    detail = page_of(client.get(response.headers["Location"]))
    assert "Participatiewet" in detail
    assert "€\xa040.000,00" in detail


def test_bad_csv_is_refused_with_a_message_and_nothing_saved(client, auth, authority, policy):
    bad = b"code,label,unit,rate_cents\nPW,Participatiewet,fte_year,veertigduizend\n"
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beleid/nieuw", data=_policy_form(bad), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "Regel 2 van het CSV-bestand" in page_of(response)
    assert db.session.scalar(select(func.count()).select_from(SroiPolicy)) == 1


def test_binary_file_as_value_table_is_refused(client, auth, authority):
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beleid/nieuw",
        data=_policy_form(b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
        content_type="multipart/form-data",
    )
    assert "geen leesbaar CSV-tekstbestand" in page_of(response)
    assert db.session.scalar(select(func.count()).select_from(SroiPolicy)) == 0


def test_policy_without_a_value_table_is_refused(client, auth, authority):
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beleid/nieuw", data=_policy_form(None), content_type="multipart/form-data"
    )
    assert "Een beleid heeft een waardetabel nodig" in page_of(response)
    assert db.session.scalar(select(func.count()).select_from(SroiPolicy)) == 0


def test_new_version_can_copy_the_current_value_table(client, auth, authority, policy):
    auth.login(OFFICER)
    form = page_of(client.get("/inkoop/beleid/nieuw"))
    assert "checked" in re.search(r"<input[^>]*copy_current[^>]*>", form).group(0)
    response = client.post(
        "/inkoop/beleid/nieuw",
        data=_policy_form(None, copy_current="y"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    created = db.session.scalar(select(SroiPolicy).where(SroiPolicy.name == "SROI-beleid 2027"))
    assert len(created.blocks) == 5


def test_policy_list_and_csv_export(client, auth, authority, policy):
    auth.login(OFFICER)
    listing = page_of(client.get("/inkoop/beleid"))
    assert "Beleid" in listing and "5%" in listing
    response = client.get(f"/inkoop/beleid/{policy.id}/waardetabel.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert policies.parse_csv(page_of(response))[0].rules.code == "PW"


def test_officer_of_another_authority_cannot_read_a_policy(client, authority, auth, policy):
    auth.login(other_officer())
    assert client.get(f"/inkoop/beleid/{policy.id}").status_code == 404


# Contracts


def _contract_form(contractor, **overrides) -> dict:
    return {
        "title": "Groenonderhoud",
        "reference": "2026-GRO-01",
        "contractor_id": str(contractor.id),
        "department": "Openbare ruimte",
        "value_cents": "1.200.000",
        "labour_share_bp": "",
        "award_date": "2026-02-01",
        "start_date": "2026-03-01",
        "end_date": "2028-02-29",
        **overrides,
    }


def test_register_contract_shows_its_obligation_and_explanation(
    client, auth, authority, contractor, policy
):
    auth.login(OFFICER)
    response = client.post("/inkoop/contracten/nieuw", data=_contract_form(contractor))
    assert response.status_code == 302
    page = page_of(client.get(response.headers["Location"]))
    assert "€\xa060.000,00" in page
    assert "5% van € 1.200.000,00 = € 60.000,00" in page
    assert "Groenonderhoud" in page


def test_register_contract_with_bad_amount_shows_the_field_error(
    client, auth, authority, contractor, policy
):
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/contracten/nieuw", data=_contract_form(contractor, value_cents="veel")
    )
    assert response.status_code == 200
    assert "Vul een bedrag in euro" in page_of(response)
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_register_contract_without_policy_in_force_is_refused_next_to_the_award_date(
    client, auth, authority, contractor, policy
):
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/contracten/nieuw", data=_contract_form(contractor, award_date="2024-06-01")
    )
    assert "geen geldend social-returnbeleid" in page_of(response)
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_edit_contract_recomputes_the_obligation(client, auth, contractor, contract):
    auth.login(OFFICER)
    form = page_of(client.get(f"/inkoop/contracten/{contract.id}/bewerken"))
    assert 'value="1.200.000"' in form
    response = client.post(
        f"/inkoop/contracten/{contract.id}/bewerken",
        data=_contract_form(contractor, reference=contract.reference, value_cents="2.000.000"),
    )
    assert response.status_code == 302
    page = page_of(client.get(response.headers["Location"]))
    assert "€\xa0100.000,00" in page
    assert "Contract gewijzigd" in page


def test_contractor_cannot_change_once_a_draft_is_reported(client, auth, contract, owner):
    realisations.submit(contract, fte_realisation("KAND-A"), owner, draft=True)
    newcomer = make_org("contractor", name="Nieuwe Aannemer B.V.", verified=True)
    auth.login(OFFICER)

    response = client.post(
        f"/inkoop/contracten/{contract.id}/bewerken",
        data=_contract_form(newcomer, reference=contract.reference),
    )

    assert response.status_code == 200
    assert "De opdrachtnemer kan niet meer wijzigen" in page_of(response)
    db.session.expire_all()
    assert (
        db.session.get(Contract, contract.id).contractor_id == owner.memberships[0].organisation_id
    )


def test_contractor_can_change_while_nothing_is_reported(client, auth, contract):
    newcomer = make_org("contractor", name="Nieuwe Aannemer B.V.", verified=True)
    auth.login(OFFICER)

    response = client.post(
        f"/inkoop/contracten/{contract.id}/bewerken",
        data=_contract_form(newcomer, reference=contract.reference),
    )

    assert response.status_code == 302
    assert db.session.get(Contract, contract.id).contractor_id == newcomer.id


def test_contractor_sees_the_contract_page_without_decision_buttons(
    client, auth, contract, submitted
):
    auth.login(OWNER)
    response = client.get(f"/contracten/{contract.id}")
    page = page_of(response)
    assert response.status_code == 200
    assert "KAND-A" in page
    assert "Goedkeuren" not in page
    assert "/bewerken" not in page


def test_contractor_cannot_open_the_edit_form(client, auth, contract):
    auth.login(OWNER)
    assert client.get(f"/inkoop/contracten/{contract.id}/bewerken").status_code == 403


def test_stranger_gets_404_on_a_contract(client, auth, contract):
    stranger = make_user("nieuwsgierig@example.com")
    auth.login(stranger.email)
    assert client.get(f"/contracten/{contract.id}").status_code == 404


# Decisions


def test_bulk_approve_updates_the_approved_amount_on_the_contract_page(
    client, auth, contract, owner
):
    a = realisations.submit(contract, fte_realisation("KAND-A"), owner)
    b = realisations.submit(contract, fte_realisation("KAND-B"), owner)
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beoordelen", data={"ids": [a.id, b.id], "approve": "1"}, follow_redirects=True
    )
    assert "2 realisaties goedgekeurd" in page_of(response)
    page = page_of(client.get(f"/contracten/{contract.id}"))
    assert format_eur(a.value_cents + b.value_cents) in page
    assert "Goedkeuren" not in page


def test_reject_without_reason_shows_the_dutch_message(client, auth, contract, submitted):
    auth.login(OFFICER)
    response = client.post("/inkoop/beoordelen", data={"ids": [submitted.id], "reject": "1"})
    assert "Geef een reden voor de afwijzing" in page_of(response)
    assert db.session.get(Realisation, submitted.id).state == "submitted"


def test_reject_from_the_contract_page_records_the_reason(client, auth, contract, submitted):
    auth.login(OFFICER)
    response = client.post(
        "/inkoop/beoordelen/contract",
        data={
            "ids": [submitted.id],
            "reject": "1",
            "reason": "Bewijs ontbreekt",
            "contract_id": contract.id,
        },
        follow_redirects=True,
    )
    page = page_of(response)
    assert "1 realisatie afgewezen" in page
    assert "Bewijs ontbreekt" in page
    assert db.session.get(Realisation, submitted.id).state == "rejected"


def test_deciding_twice_is_a_message_not_an_error(client, auth, contract, submitted):
    auth.login(OFFICER)
    client.post("/inkoop/beoordelen", data={"ids": [submitted.id], "approve": "1"})
    response = client.post(
        "/inkoop/beoordelen/contract",
        data={"ids": [submitted.id], "approve": "1", "contract_id": contract.id},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Deze realisatie is al beoordeeld door" in page_of(response)


def test_approving_what_a_colleague_rejected_names_the_colleague(
    client, auth, authority, contract, submitted
):
    colleague = make_user("collega@authority.example.com")
    add_member(authority, colleague)
    realisations.reject([submitted.id], colleague, "Bewijs ontbreekt")
    auth.login(OFFICER)

    response = client.post(
        "/inkoop/beoordelen",
        data={"ids": [submitted.id], "approve": "1"},
        follow_redirects=True,
    )

    assert (
        "Deze realisatie is al beoordeeld door collega@authority.example.com op 1 mrt 2027"
        in page_of(response)
    )
    assert db.session.get(Realisation, submitted.id).state == "rejected"


def test_officer_of_another_authority_cannot_approve(client, auth, contract, submitted):
    auth.login(other_officer())
    response = client.post("/inkoop/beoordelen", data={"ids": [submitted.id], "approve": "1"})
    assert response.status_code in (403, 404)
    assert db.session.get(Realisation, submitted.id).state == "submitted"


def test_contract_history_shows_who_approved(client, auth, contract, submitted, officer):
    realisations.approve([submitted.id], officer)
    auth.login(OFFICER)
    page = page_of(client.get(f"/contracten/{contract.id}"))
    assert "Contract geregistreerd" in page
    assert f"Realisatie {submitted.id} (PW" in page
    assert OFFICER in page and OWNER in page


# Contract page: a contract with many realisations is read a page at a time


def test_contract_page_shows_50_realisations_and_a_link_to_page_2(client, auth, contract):
    bulk_realisations(contract, 60)
    auth.login(OFFICER)
    first = page_of(client.get(f"/contracten/{contract.id}"))
    assert first.count("Kandidaat BULK-") == 50
    assert f'href="/contracten/{contract.id}?page=2#realisations-heading"' in first
    assert '<nav aria-label="Pagina\'s met realisaties"' in first
    assert 'aria-current="page"><span class="app-visually-hidden">Pagina </span>1<' in first
    second = page_of(client.get(f"/contracten/{contract.id}?page=2"))
    assert second.count("Kandidaat BULK-") == 10
    assert "Kandidaat BULK-000" in second  # oldest last
    assert 'aria-current="page"><span class="app-visually-hidden">Pagina </span>2<' in second


def test_contract_history_pages_on_their_own_keeping_the_realisations_page(client, auth, contract):
    bulk_realisations(contract, 60)
    auth.login(OFFICER)
    page = page_of(client.get(f"/contracten/{contract.id}?page=2&history=2"))
    history = page.split('id="history-heading"')[1]
    # 60 realisation rows and the contract's registration: 11 on the second page of 50.
    assert history.count('data-label="Wie">systeem</td>') == 10
    assert "Contract geregistreerd" in history
    assert f'href="/contracten/{contract.id}?page=2&amp;history=1#history-heading"' in history
    assert page.split('id="history-heading"')[0].count("Kandidaat BULK-") == 10


def test_contract_page_needs_the_same_queries_for_60_realisations_as_for_1(
    client, auth, contract, submitted
):
    auth.login(OFFICER)

    def statements() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/contracten/{contract.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    one = statements()
    bulk_realisations(contract, 60)
    assert statements() == one


def test_contractor_sees_every_draft_whatever_page_of_realisations(client, auth, contract, owner):
    draft = realisations.submit(contract, fte_realisation("KAND-DRAFT"), owner, draft=True)
    bulk_realisations(contract, 60)  # newer: the draft is on page 2 of the realisations
    auth.login(OWNER)
    page = page_of(client.get(f"/contracten/{contract.id}"))
    assert f'action="/opdrachtnemer/realisaties/{draft.id}/indienen"' in page


def test_deciding_on_page_2_of_the_realisations_returns_to_page_2(client, auth, contract):
    ids = bulk_realisations(contract, 60)
    auth.login(OFFICER)
    page = page_of(client.get(f"/contracten/{contract.id}?page=2"))
    assert 'action="/inkoop/beoordelen/contract?page=2"' in page
    response = client.post(
        "/inkoop/beoordelen/contract?page=2",
        data={"ids": [ids[0]], "approve": "1", "contract_id": contract.id},
    )
    assert response.headers["Location"].endswith(
        f"/contracten/{contract.id}?page=2#realisations-heading"
    )


def test_officer_sees_neither_a_draft_nor_its_history_on_the_contract_page(
    client, auth, contract, owner
):
    reported = realisations.submit(contract, fte_realisation("KAND-REPORTED"), owner)
    draft = realisations.submit(contract, fte_realisation("KAND-DRAFT"), owner, draft=True)
    auth.login(OFFICER)
    page = page_of(client.get(f"/contracten/{contract.id}"))
    assert "KAND-REPORTED" in page and f"Realisatie {reported.id} (" in page
    assert "KAND-DRAFT" not in page and f"Realisatie {draft.id} (" not in page


def test_three_mistakes_on_the_contract_form_are_shown_after_one_submit(
    client, auth, authority, contractor, policy
):
    auth.login(OFFICER)
    form = _contract_form(
        contractor,
        value_cents="veel",  # not an amount: the form's own message
        end_date="2026-01-01",  # before the start: the service's
        award_date="2024-06-01",  # no policy in force then: the service's
    )
    response = client.post("/inkoop/contracten/nieuw", data=form)
    page = page_of(response)
    assert "Vul een bedrag in euro" in page
    assert "Einddatum" in page and "De einddatum ligt vóór de begindatum." in page
    assert "geen geldend social-returnbeleid" in page
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0
