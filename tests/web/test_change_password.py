"""A logged-in user changes their password on /account/wachtwoord-wijzigen: the current one is
asked, the new one follows the registration's rule, the change is audited, the session at hand
stays, every other session ends and the user's API tokens stop working."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog
from marketplace.services import accounts
from marketplace.services.errors import ServiceError
from tests.conftest import AuthActions
from tests.factories import PASSWORD
from tests.mailbox import outbox_messages

URL = "/account/wachtwoord-wijzigen"
NEW = "een heel nieuw wachtwoord"


def _change(client, current: str = PASSWORD, new: str = NEW, confirm: str | None = None):
    data = {"current_password": current, "password": new, "confirm": confirm or new}
    return client.post(URL, data=data)


def _logged_in(client) -> bool:
    return client.get("/organisaties/mijn").status_code == 200


def test_the_new_password_logs_in_and_the_old_one_does_not(app, client, auth, user):
    auth.login(user.email)
    response = _change(client)
    assert (response.status_code, response.location) == (302, "/account")
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 200  # the form again, with an error
    assert auth.login(user.email, NEW).status_code == 302


def test_the_session_at_hand_stays_and_other_sessions_end(app, client, auth, user):
    elsewhere = app.test_client()
    AuthActions(elsewhere).login(user.email)
    auth.login(user.email)
    _change(client)
    assert _logged_in(client)
    assert not _logged_in(elsewhere)


def test_the_users_api_tokens_stop_working(client, auth, user):
    headers = {"Authorization": f"Bearer {accounts.create_token(user, 'koppeling')}"}
    auth.login(user.email)
    _change(client)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_change_is_audited(client, auth, user):
    accounts.create_token(user, "koppeling")
    auth.login(user.email)
    _change(client)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.password_changed"))
    assert (entry.actor_id, entry.after) == (user.id, {"api_tokens_revoked": 1})


def test_a_wrong_current_password_changes_nothing(client, auth, user):
    auth.login(user.email)
    response = _change(client, current="niet mijn wachtwoord")
    assert response.status_code == 200
    assert "Dit is niet je wachtwoord." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 302
    assert (
        db.session.scalar(select(AuditLog).where(AuditLog.action == "user.password_changed"))
        is None
    )


def test_the_new_password_follows_the_registrations_rule(client, auth, user):
    auth.login(user.email)
    short = _change(client, new="kort").get_data(as_text=True)
    assert "Veld moet tussen 10 en 200 karakters lang zijn." in short
    differs = _change(client, confirm="iets anders dan nieuw").get_data(as_text=True)
    assert "De wachtwoorden verschillen." in differs
    auth.logout()
    assert auth.login(user.email, PASSWORD).status_code == 302


def test_wrong_current_passwords_lock_the_change_but_not_the_login(app, client, auth, user):
    auth.login(user.email)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _change(client, current="niet mijn wachtwoord")
    page = _change(client).get_data(as_text=True)
    assert "Te veel verkeerde wachtwoorden" in page
    assert AuthActions(app.test_client()).login(user.email).status_code == 302


def test_a_visitor_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/account/inloggen" in response.location


def test_the_account_page_links_to_the_change(client, auth, user):
    auth.login(user.email)
    assert URL in client.get("/account").get_data(as_text=True)


def test_the_service_refuses_a_short_new_password_on_its_own(app, user):
    try:
        accounts.change_password(user, PASSWORD, "kort", "127.0.0.1")
    except ServiceError as exc:
        assert set(exc.fields) == {"password"}
    else:
        raise AssertionError("a short password was accepted")


def test_the_user_is_mailed_that_the_password_changed_and_what_to_do_if_not_them(
    client, auth, user
):
    auth.login(user.email)
    _change(client)

    [message] = outbox_messages(user.email)
    body = message.get_content()
    assert message["Subject"] == "Je wachtwoord is gewijzigd"
    assert "Was jij het niet" in body
    assert "/account/wachtwoord-vergeten" in body
    assert NEW not in body and PASSWORD not in body


def test_the_mail_is_in_the_users_own_language(client, auth, user):
    user.locale = "en"
    db.session.commit()
    auth.login(user.email)
    _change(client)

    [message] = outbox_messages(user.email)
    assert message["Subject"] == "Your password has been changed"
    assert "If it was not you" in message.get_content()


def test_a_refused_change_mails_nothing(client, auth, user):
    auth.login(user.email)
    _change(client, current="niet mijn wachtwoord")
    assert outbox_messages(user.email) == []
