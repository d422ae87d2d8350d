"""The password reset request does the same for every address, and a new password revokes the
user's API tokens. Timing is not measured: what makes the time equal is that the request does
the same work whether or not the address has an account (one queued job), and that is asserted."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, OutboxJob
from marketplace.services import accounts, jobs, outbox
from tests.factories import make_user
from tests.mailbox import outbox_messages

NEW = "een heel nieuw wachtwoord"
DUTCH_SUBJECT = "Herstel je wachtwoord"


@pytest.fixture
def jobs_wait(monkeypatch) -> None:
    """Queued jobs stay in the outbox, so the test sees what the request itself did."""
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)


def _request_reset(client, email: str):
    return client.post("/account/wachtwoord-vergeten", data={"email": email})


def _queued() -> list[tuple[str, int]]:
    return [(j.job_name, len(j.args)) for j in db.session.scalars(select(OutboxJob))]


@pytest.mark.usefixtures("jobs_wait")
def test_a_known_and_an_unknown_address_queue_the_same_job_and_get_the_same_answer(client, user):
    known = _request_reset(client, user.email)
    queued_for_known = _queued()
    db.session.execute(OutboxJob.__table__.delete())
    db.session.commit()
    unknown = _request_reset(client, "niemand@example.com")

    assert queued_for_known == _queued() == [("password_reset_mail", 3)]
    assert (known.status_code, known.location) == (unknown.status_code, unknown.location)
    assert outbox_messages() == []  # nothing is mailed by the request itself


def test_the_job_mails_a_known_address_a_link_that_resets(client, auth, user):
    _request_reset(client, user.email)
    body = outbox_messages(user.email)[-1].get_content()
    link = re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 302
    assert auth.login(user.email, NEW).status_code == 302


def test_the_job_mails_nothing_for_an_unknown_address(app):
    jobs.password_reset_mail("bericht-1", "niemand@example.com", "nl")
    assert outbox_messages() == []


def test_the_job_run_twice_mails_once(app, user):
    jobs.password_reset_mail("bericht-1", user.email, "nl")
    jobs.password_reset_mail("bericht-1", user.email, "nl")
    assert len(outbox_messages(user.email)) == 1


def test_the_reset_mail_is_in_the_users_language_else_the_requesters(app):
    for email, locale in (("english@example.com", "en"), ("nederlands@example.com", "nl")):
        make_user(email).locale = locale
    make_user("geenkeuze@example.com")
    db.session.commit()
    jobs.password_reset_mail("bericht-1", "english@example.com", "nl")
    jobs.password_reset_mail("bericht-2", "nederlands@example.com", "en")
    jobs.password_reset_mail("bericht-3", "geenkeuze@example.com", "en")
    assert outbox_messages("english@example.com")[0]["Subject"] == "Reset your password"
    assert outbox_messages("nederlands@example.com")[0]["Subject"] == DUTCH_SUBJECT
    assert outbox_messages("geenkeuze@example.com")[0]["Subject"] == "Reset your password"


def test_a_password_reset_revokes_the_users_api_tokens(client, user):
    token = accounts.create_token(user, "koppeling")
    other = make_user()
    others_token = accounts.create_token(other, "koppeling")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    _request_reset(client, user.email)
    body = outbox_messages(user.email)[-1].get_content()
    link = re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")
    client.post(link, data={"password": NEW, "confirm": NEW})

    assert client.get("/api/v1/me", headers=headers).status_code == 401
    others = {"Authorization": f"Bearer {others_token}"}
    assert client.get("/api/v1/me", headers=others).status_code == 200
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.password_reset"))
    assert entry.after == {"api_tokens_revoked": 1}


def test_a_reset_password_is_confirmed_by_mail_without_the_password(client, user):
    _request_reset(client, user.email)
    body = outbox_messages(user.email)[-1].get_content()
    link = re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")
    client.post(link, data={"password": NEW, "confirm": NEW})

    told = outbox_messages(user.email)[-1]
    assert told["Subject"] == "Je wachtwoord is gewijzigd"
    assert "Was jij het niet" in told.get_content()
    assert NEW not in told.get_content()
