"""Notifications in a real browser, at desktop and phone width: the unread count in the
navigation, opening a notification, saving a search and turning a kind off; axe finds nothing
on the pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.services import notifications
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in
from tests.factories import make_org, make_user
from tests.integration.test_search import directory_org, listed

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def reader(live_server: LiveServer) -> str:
    with live_server.app.test_request_context():
        supplier = directory_org("Werkbedrijf Schoon", sectors=["schoonmaak"])
        offering = listed(supplier, title="Schoonmaak van kantoren")
        user = make_user("lezer@example.com")
        notifications.notify(
            user,
            "listing_match",
            {"title": offering.title, "kind": "offering", "organisation": supplier.name},
            notifications.Link("offering", {"listing_id": offering.id}),
        )
        db.session.commit()
        return user.email


def unfold_menu(page: Page, width: int) -> None:
    """On a phone the navigation is folded behind the Menu button (static/js/menu.js, below
    40rem); the click waits until the script has shown it, so no page is looked at too early."""
    if width < 640:
        page.get_by_role("button", name="Menu").click()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_user_reads_a_notification_saves_a_search_and_turns_a_kind_off(
    page: Page, reader: str, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/account/inloggen")
    log_in(page, reader)

    page.goto("/meldingen")
    unfold_menu(page, width)
    expect(page.get_by_role("link", name="Meldingen (1)")).to_be_attached()
    expect(
        page.get_by_text("Nieuw aanbod dat bij je past: Schoonmaak van kantoren")
    ).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Openen").click()
    expect(page).to_have_url(re.compile(r"/markt/aanbod/\d+$"))
    unfold_menu(page, width)
    expect(page.get_by_role("link", name="Meldingen")).to_be_attached()
    expect(page.get_by_role("link", name="Meldingen (1)")).to_have_count(0)

    page.goto("/zoeken?q=schoonmaak")
    page.get_by_role("button", name="Deze zoekopdracht bewaren").click()
    expect(page.get_by_text("Zoekopdracht bewaard")).to_be_visible()

    page.goto("/meldingen/instellingen")
    expect(page.get_by_role("link", name="schoonmaak")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label(
        "Een nieuwe vraag of nieuw aanbod past bij je organisatie: Per e-mail"
    ).uncheck()
    page.get_by_role("button", name="Instellingen opslaan").click()
    expect(page.get_by_text("Je instellingen voor meldingen zijn opgeslagen.")).to_be_visible()
    expect(
        page.get_by_label("Een nieuwe vraag of nieuw aanbod past bij je organisatie: Per e-mail")
    ).not_to_be_checked()
    assert_no_axe_violations(page)


@pytest.fixture
def officer(live_server: LiveServer) -> str:
    with live_server.app.test_request_context():
        user = make_user("inkoper@gemeente.example.com")
        make_org("authority", owner=user, name="Gemeente Proef")
        return user.email


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_an_officer_chooses_one_daily_overview_of_submitted_realisations(
    page: Page, officer: str, width: int
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/account/inloggen")
    log_in(page, officer)

    page.goto("/meldingen/instellingen")
    expect(page.get_by_label("Direct, één e-mail per realisatie")).to_be_checked()
    assert_no_axe_violations(page)
    daily = page.get_by_label("Eén keer per dag, één overzicht van wat er binnenkwam")
    daily.check()
    page.get_by_role("button", name="Instellingen opslaan").click()

    expect(page.get_by_text("Je instellingen voor meldingen zijn opgeslagen.")).to_be_visible()
    expect(
        page.get_by_label("Eén keer per dag, één overzicht van wat er binnenkwam")
    ).to_be_checked()
    assert_no_axe_violations(page)
