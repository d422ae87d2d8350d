"""Registration, confirmation, login with lockout, password reset."""

from __future__ import annotations

import re

from tests.factories import PASSWORD, make_user
from tests.mailbox import outbox_messages


def _link_in_last_mail(to: str) -> str:
    body = outbox_messages(to)[-1].get_content()
    return re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")


def test_register_confirm_and_login(client, auth):
    response = client.post(
        "/account/registreren",
        data={"email": "Nieuw@Example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 200
    assert "nieuw@example.com" in response.get_data(as_text=True)

    response = auth.login("nieuw@example.com")
    assert "Bevestig eerst je e-mailadres" in response.get_data(as_text=True)

    response = client.get(_link_in_last_mail("nieuw@example.com"), follow_redirects=True)
    assert "Je e-mailadres is bevestigd. Log in met je wachtwoord." in response.get_data(
        as_text=True
    )
    assert auth.login("nieuw@example.com").status_code == 302


def _register(client, email: str) -> str:
    """Register `email` and return its confirmation link."""
    client.post(
        "/account/registreren", data={"email": email, "password": PASSWORD, "confirm": PASSWORD}
    )
    return _link_in_last_mail(email)


def _logged_in(client) -> bool:
    return client.get("/organisaties/mijn").status_code == 200


def test_confirmation_link_confirms_but_does_not_log_in(client):
    link = _register(client, "nieuw@example.com")
    response = client.get(link)
    assert response.status_code == 302
    assert "/account/inloggen" in response.location
    assert not _logged_in(client)


def test_confirmation_link_works_only_once(client):
    link = _register(client, "nieuw@example.com")
    client.get(link)
    response = client.get(link, follow_redirects=True)
    assert "Deze bevestigingslink is al gebruikt" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_confirmation_link_is_spent_after_a_password_reset(client, auth):
    link = _register(client, "nieuw@example.com")
    client.post("/account/wachtwoord-vergeten", data={"email": "nieuw@example.com"})
    new = "een nieuw wachtwoord"
    client.post(_link_in_last_mail("nieuw@example.com"), data={"password": new, "confirm": new})
    response = client.get(link, follow_redirects=True)
    assert "al gebruikt" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_register_shows_field_errors_in_dutch_and_saves_nothing(client, app):
    response = client.post(
        "/account/registreren", data={"email": "geen-adres", "password": "kort", "confirm": "x"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ongeldig e-mailadres" in page
    assert "De wachtwoorden verschillen" in page
    from marketplace.services.accounts import find_by_email

    assert find_by_email("geen-adres") is None


def _page_without(response, email: str) -> str:
    return response.get_data(as_text=True).replace(email, "ADDRESS")


def test_registering_a_known_address_answers_like_a_new_one(client, user):
    form = {"password": PASSWORD, "confirm": PASSWORD}
    known = client.post("/account/registreren", data={"email": user.email, **form})
    new = client.post("/account/registreren", data={"email": "nieuw@example.com", **form})
    assert known.status_code == new.status_code == 200
    assert _page_without(known, user.email) == _page_without(new, "nieuw@example.com")
    assert "al geregistreerd" not in known.get_data(as_text=True)


def test_registering_a_known_address_mails_its_owner(client, user):
    client.post(
        "/account/registreren",
        data={"email": user.email, "password": PASSWORD, "confirm": PASSWORD},
    )
    message = outbox_messages(user.email)[-1]
    assert message["Subject"] == "Iemand probeerde zich te registreren met jouw e-mailadres"
    assert "/account/wachtwoord-vergeten" in message.get_content()


def test_registering_an_unconfirmed_address_again_sends_the_confirmation_again(client):
    _register(client, "nieuw@example.com")
    again = _register(client, "nieuw@example.com")
    assert "/account/bevestigen/" in again
    assert len(outbox_messages("nieuw@example.com")) == 2


def test_owner_who_registers_after_a_squatter_logs_in_with_their_own_password(client, auth):
    """Someone registers another's address first with a password of theirs. The owner, not
    knowing, registers too and confirms from their mail: the account must take the owner's
    password, not keep the squatter's (who would get into the confirmed account)."""
    squatter, owner = "het wachtwoord van een kraker", "het eigen wachtwoord van de eigenaar"
    email = "eigenaar@example.com"
    for password in (squatter, owner):
        client.post(
            "/account/registreren",
            data={"email": email, "password": password, "confirm": password},
        )
    client.get(_link_in_last_mail(email))
    assert auth.login(email, squatter).status_code == 200
    assert auth.login(email, owner).status_code == 302


def test_tampered_confirmation_link_is_refused(client):
    response = client.get("/account/bevestigen/not-a-token", follow_redirects=True)
    assert "niet geldig" in response.get_data(as_text=True)


def test_login_locks_after_repeated_failures(client, auth, user):
    for _ in range(5):
        auth.login(user.email, "wrong password!")
    response = auth.login(user.email)
    assert response.status_code == 200
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)


def test_unknown_address_locks_with_the_same_answer_as_a_known_one(client, auth, user):
    unknown = "niemand@example.com"
    pages = {}
    for email in (user.email, unknown):
        for _ in range(5):
            wrong = auth.login(email, "wrong password!")
            pages.setdefault(email, []).append(_page_without(wrong, email))
        pages[email].append(_page_without(auth.login(email, "wrong password!"), email))
    assert pages[user.email] == pages[unknown]
    assert "Te veel mislukte pogingen" in pages[unknown][-1]
    assert "E-mailadres of wachtwoord is onjuist" in pages[unknown][0]


def test_unknown_address_has_its_password_checked_against_a_hash_too(
    client, auth, user, monkeypatch
):
    from werkzeug import security

    from marketplace.services import accounts

    checked: list[str] = []

    def counting_check(pwhash: str, password: str) -> bool:
        checked.append(pwhash.split(":", 1)[0])
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    auth.login(user.email, "wrong password!")
    auth.login("niemand@example.com", "wrong password!")
    assert checked == [user.password_hash.split(":", 1)[0]] * 2


def test_login_is_rate_limited_per_account(client, auth):
    make_user("rate@example.com")
    statuses = [auth.login("rate@example.com", "wrong").status_code for _ in range(12)]
    assert 429 in statuses
    response = auth.login("rate@example.com", "wrong")
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)


def test_password_reset_link_works_once(client, auth, user):
    client.post("/account/wachtwoord-vergeten", data={"email": user.email})
    link = _link_in_last_mail(user.email)
    new = "een nieuw wachtwoord"
    response = client.post(link, data={"password": new, "confirm": new})
    assert response.status_code == 302
    assert auth.login(user.email, new).status_code == 302
    auth.logout()
    response = client.post(
        link, data={"password": "nog een ander ww", "confirm": "nog een ander ww"}
    )
    assert "niet geldig" in response.get_data(as_text=True)


def test_forgot_password_does_not_reveal_unknown_addresses(client):
    response = client.post(
        "/account/wachtwoord-vergeten", data={"email": "nobody@example.com"}, follow_redirects=True
    )
    assert "Als dit adres bij ons bekend is" in response.get_data(as_text=True)


def test_language_switch_to_english(client):
    client.post("/taal/en", data={"next": "/"})
    page = client.get("/account/inloggen").get_data(as_text=True)
    assert "Forgot your password?" in page
    assert 'lang="en"' in page


def test_dutch_error_page_for_unknown_url(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_outside_the_tests_passwords_are_hashed_with_scrypt_and_both_methods_check(app, user):
    """The suite hashes cheaply (conftest CHEAP_PASSWORD_HASH); the app's own default is
    werkzeug's scrypt, and a user whose hash was made either way can log in."""
    from marketplace import create_app
    from marketplace.config import Config
    from marketplace.services import accounts

    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    default_app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with default_app.app_context():
        real = accounts.hash_password(PASSWORD)
    assert real.startswith("scrypt:")

    user.password_hash = real
    assert accounts.authenticate(user.email, PASSWORD, "127.0.0.1") == user
