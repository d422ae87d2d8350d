"""Reported listings: anyone logged in reports a listing they can see, once while the report is
open; the reports wait on the admin's page, who dismisses them or closes the listing (both
audited); nobody else can decide (services/listing_reports.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, Listing, ListingReport
from tests.factories import make_listing, make_org, make_user

REASON = "Dit aanbod is geen sociaal aanbod maar reclame."


@pytest.fixture
def offering(app):
    org = make_org("werkbedrijf", owner=make_user("emco@example.com"), verified=True)
    return make_listing(org, "offering", title="Schoonmaak door EMCO")


def report(client, listing, reason=REASON):
    return client.post(f"/markt/aanbod/{listing.id}/melden", data={"reason": reason})


def reports() -> list[ListingReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(ListingReport).order_by(ListingReport.id)))


def test_a_logged_in_user_reports_a_listing_once_while_it_is_open(client, auth, offering):
    make_user("melder@example.com")
    auth.login("melder@example.com")
    assert "Dit melden bij het platform" in client.get(f"/markt/aanbod/{offering.id}").text

    assert report(client, offering).status_code == 302
    again = report(client, offering)
    assert again.status_code == 200
    assert "Je hebt dit al gemeld" in again.get_data(as_text=True)
    [only] = reports()
    assert (only.reason, only.state) == (REASON, "open")


def test_a_report_needs_a_reason_and_a_listing_the_user_can_see(client, auth, offering):
    make_user("melder@example.com")
    auth.login("melder@example.com")
    assert "tekens wat er niet klopt" in report(client, offering, "spam").get_data(as_text=True)
    hidden = make_listing(offering.organisation, "offering", status="draft")
    assert report(client, hidden).status_code == 404
    assert reports() == []


def test_the_owner_cannot_report_its_own_listing_and_visitors_must_log_in(client, auth, offering):
    assert report(client, offering).status_code == 302  # to the login page
    auth.login("emco@example.com")
    assert report(client, offering).status_code == 403
    assert reports() == []


def test_the_admin_dismisses_a_report_and_the_listing_stays_open(client, auth, offering, admin):
    make_user("melder@example.com")
    auth.login("melder@example.com")
    report(client, offering)
    auth.logout()
    auth.login("admin@example.com")
    page = client.get("/beheer/").get_data(as_text=True)
    assert REASON in page and "Schoonmaak door EMCO" in page

    [entry] = reports()
    client.post(f"/beheer/meldingen/{entry.id}/afwijzen")
    assert reports()[0].state == "dismissed"
    assert db.session.get(Listing, offering.id).status == "open"
    assert "Geen gemelde vraag of aanbod" in client.get("/beheer/").get_data(as_text=True)
    assert (
        db.session.scalar(
            select(AuditLog.actor_id).where(AuditLog.action == "listing_report.dismissed")
        )
        == admin.id
    )


def test_closing_the_listing_decides_every_open_report_of_it(client, auth, offering, admin):
    for email in ("een@example.com", "twee@example.com"):
        make_user(email)
        auth.login(email)
        report(client, offering)
        auth.logout()
    auth.login("admin@example.com")
    first = reports()[0]

    client.post(f"/beheer/meldingen/{first.id}/vermelding-sluiten")

    assert [r.state for r in reports()] == ["listing_closed", "listing_closed"]
    assert db.session.get(Listing, offering.id).status == "closed"
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"listing.close", "listing_report.listing_closed"} <= actions
    assert client.post(f"/beheer/meldingen/{first.id}/afwijzen").status_code == 404


def test_only_the_admin_sees_and_decides_reports(client, auth, offering):
    make_user("melder@example.com")
    auth.login("melder@example.com")
    report(client, offering)
    [entry] = reports()
    assert client.get("/beheer/").status_code == 403
    assert client.post(f"/beheer/meldingen/{entry.id}/afwijzen").status_code == 403
    assert client.post(f"/beheer/meldingen/{entry.id}/vermelding-sluiten").status_code == 403
    assert reports()[0].state == "open"
