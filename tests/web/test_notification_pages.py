"""/meldingen: the list with its unread count in the navigation, marking read, the settings
(kinds on and off per channel) and saved searches; another user's notification or saved search
is a 404, and the pages send the same few statements however many notifications there are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, SavedSearch
from marketplace.services import notifications
from marketplace.services.notifications import Link
from tests.factories import make_user
from tests.querycount import counting_statements

MAX_STATEMENTS = 10


@pytest.fixture
def reader(app):
    return make_user("lezer@example.com")


def tell(user, n: int = 1, title: str = "Groenonderhoud Assen") -> None:
    for i in range(n):
        notifications.notify(
            user,
            "listing_match",
            {"title": f"{title} {i}", "kind": "offering", "organisation": "Menso"},
            Link("offering", {"listing_id": 1}),
        )
    db.session.commit()


def test_the_navigation_counts_unread_notifications_and_the_list_shows_them(client, auth, reader):
    tell(reader, 3)
    auth.login("lezer@example.com")
    page = client.get("/meldingen").get_data(as_text=True)
    assert "Meldingen (3)" in page
    assert "Nieuw aanbod dat bij je past: Groenonderhoud Assen 0 (Menso)" in page


def test_marking_one_read_and_then_all_read_empties_the_count(client, auth, reader):
    tell(reader, 2)
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    auth.login("lezer@example.com")

    client.post(f"/meldingen/{first.id}/gelezen")
    assert "Meldingen (1)" in client.get("/meldingen").get_data(as_text=True)

    client.post("/meldingen/alles-gelezen")
    page = client.get("/meldingen").get_data(as_text=True)
    assert "Meldingen (" not in page
    assert "Alles als gelezen markeren" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, auth, reader):
    tell(reader)
    note = db.session.scalar(select(Notification))
    auth.login("lezer@example.com")
    response = client.post(f"/meldingen/{note.id}/gelezen", data={"open": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/markt/aanbod/1")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None


def test_another_users_notification_is_not_found(client, auth, reader):
    tell(reader)
    note = db.session.scalar(select(Notification))
    make_user("ander@example.com")
    auth.login("ander@example.com")
    assert client.post(f"/meldingen/{note.id}/gelezen").status_code == 404
    assert client.post("/meldingen/999999/gelezen").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None
    assert "Groenonderhoud" not in client.get("/meldingen").get_data(as_text=True)


def test_the_list_has_an_empty_state_and_a_page_past_the_end_is_not_found(client, auth, reader):
    auth.login("lezer@example.com")
    assert "Nog geen meldingen" in client.get("/meldingen").get_data(as_text=True)
    assert client.get("/meldingen?page=2").status_code == 404


def test_the_list_pages_by_twenty(client, auth, reader):
    tell(reader, 25)
    auth.login("lezer@example.com")
    assert "Pagina 1 van 2" in client.get("/meldingen").get_data(as_text=True)
    second = client.get("/meldingen?page=2").get_data(as_text=True)
    assert second.count("Nieuw aanbod dat bij je past") == 5


def test_the_pages_send_the_same_few_statements_at_5_and_at_60_notifications(client, auth, reader):
    auth.login("lezer@example.com")
    counts = []
    for n in (5, 55):
        tell(reader, n)
        for url in ("/meldingen", "/meldingen/instellingen"):
            with counting_statements(db.engine) as statements:
                assert client.get(url).status_code == 200
            assert statements.count <= MAX_STATEMENTS, str(statements)
            counts.append(statements.count)
    assert counts[:2] == counts[2:]


def test_turning_a_kind_off_stops_it_on_that_channel_only(client, auth, reader):
    auth.login("lezer@example.com")
    on = [f"{k}:{c}" for k in notifications.KINDS for c in ("in_app", "email")]
    on.remove("listing_match:in_app")
    client.post("/meldingen/instellingen", data={"on": on})

    tell(reader)
    assert db.session.scalars(select(Notification)).all() == []
    page = client.get("/meldingen/instellingen").get_data(as_text=True)
    assert 'value="listing_match:in_app">' in page
    assert 'value="listing_match:email" checked>' in page


def test_a_logged_in_user_saves_a_search_sees_it_and_deletes_it(client, auth, reader):
    auth.login("lezer@example.com")
    response = client.post("/zoeken/bewaren", data={"q": "schoonmaak", "sector": ["schoonmaak"]})
    assert response.status_code == 302
    assert "/zoeken?" in response.headers["Location"]
    [saved] = db.session.scalars(select(SavedSearch)).all()
    assert (saved.query, saved.filters) == ("schoonmaak", {"sector": ["schoonmaak"]})
    assert "schoonmaak" in client.get("/meldingen/instellingen").get_data(as_text=True)
    assert "Deze zoekopdracht bewaren" in client.get("/zoeken?q=groen").get_data(as_text=True)

    client.post(f"/meldingen/zoekopdrachten/{saved.id}/verwijderen")
    assert db.session.scalars(select(SavedSearch)).all() == []


def test_another_users_saved_search_cannot_be_deleted(client, auth, reader):
    auth.login("lezer@example.com")
    client.post("/zoeken/bewaren", data={"q": "groen"})
    saved = db.session.scalar(select(SavedSearch))
    auth.logout()
    make_user("ander@example.com")
    auth.login("ander@example.com")
    assert client.post(f"/meldingen/zoekopdrachten/{saved.id}/verwijderen").status_code == 404
    assert db.session.get(SavedSearch, saved.id) is not None


def test_visitors_are_sent_to_log_in(client):
    assert client.get("/meldingen").status_code == 302
    assert client.post("/zoeken/bewaren", data={"q": "x"}).status_code == 302
    assert "Deze zoekopdracht bewaren" not in client.get("/zoeken").get_data(as_text=True)


# how an officer has submitted realisations mailed ------------------------------------------------


def settings_form(enabled=("realisation_submitted:email",), **fields) -> dict:
    return {"on": list(enabled), **fields}


def test_an_officer_chooses_the_daily_digest_on_the_settings_page(client, auth, authority):
    auth.login("officer@authority.example.com")
    page = client.get("/meldingen/instellingen").get_data(as_text=True)
    assert "E-mail over realisaties die bij je organisatie zijn ingediend" in page
    assert 'value="immediate" checked' in page  # the default

    response = client.post("/meldingen/instellingen", data=settings_form(mail_mode="daily"))

    assert response.status_code == 302
    officer = authority.members[0].user
    assert notifications.mail_mode(officer, "realisation_submitted") == "daily"
    assert 'value="daily" checked' in client.get("/meldingen/instellingen").get_data(as_text=True)


def test_an_officer_goes_back_to_immediate_mails(client, auth, authority):
    officer = authority.members[0].user
    notifications.set_mail_mode(officer, "realisation_submitted", "daily")
    auth.login(officer.email)
    client.post("/meldingen/instellingen", data=settings_form(mail_mode="immediate"))
    assert notifications.mail_mode(officer, "realisation_submitted") == "immediate"


def test_an_unknown_choice_is_refused_with_a_field_message_and_nothing_saved(
    client, auth, authority
):
    auth.login("officer@authority.example.com")
    response = client.post("/meldingen/instellingen", data=settings_form((), mail_mode="weekly"))

    assert response.status_code == 400
    assert "Kies direct of één keer per dag." in response.get_data(as_text=True)
    officer = authority.members[0].user
    assert notifications.preferences(officer)[("listing_match", "email")]  # not turned off
    assert notifications.mail_mode(officer, "realisation_submitted") == "immediate"


def test_who_is_no_officer_is_not_asked_and_cannot_choose(client, auth, reader):
    auth.login("lezer@example.com")
    assert "E-mail over realisaties" not in client.get("/meldingen/instellingen").get_data(
        as_text=True
    )
    client.post("/meldingen/instellingen", data=settings_form(mail_mode="daily"))
    assert notifications.mail_mode(reader, "realisation_submitted") == "immediate"
