"""What each side of a contract is told about its realisations (issue 15): the authority's
officers when one is sent to them, at once or in a daily digest as each officer chooses, and the
contractor's members on every decision. The mails are real messages: what happened, on which
contract, what to do, the link."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, NotificationDigest
from marketplace.services import jobs, notifications, realisation_notices, realisations
from tests.factories import add_member, fte_realisation, make_contract, make_user
from tests.mailbox import outbox_messages as all_messages
from tests.served import at_once

OFFICER = "officer@authority.example.com"
OWNER = "owner@contractor.example.com"
# Amsterdam is UTC+2 in September: 05:05 UTC is the digest's 07:05.
DAY_1 = datetime(2026, 9, 15, 8, 0, tzinfo=UTC)
DAY_2_DIGEST = datetime(2026, 9, 16, 5, 5, tzinfo=UTC)
DAY_3_DIGEST = datetime(2026, 9, 17, 5, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _day_1():
    with time_machine.travel(DAY_1, tick=False) as traveller:
        yield traveller


def outbox_messages(to: str):
    """The mails to `to` about realisations (a submission also moves the contract's status,
    which its parties are told in a mail of their own)."""
    return [m for m in all_messages(to) if "status" not in m["Subject"]]


def notices(email_of_user, kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(
                Notification.user_id == email_of_user.id, Notification.kind == kind
            )
        )
    )


def chooses_the_digest(officer) -> None:
    """The officer chooses the daily digest an hour before the day's submissions."""
    with time_machine.travel(DAY_1.replace(hour=7), tick=False):
        notifications.set_mail_mode(officer, "realisation_submitted", "daily")


def digest_run(moment: datetime) -> None:
    with time_machine.travel(moment, tick=False):
        jobs.realisation_digest()


# at once -----------------------------------------------------------------------------------------


def test_a_submission_is_mailed_to_the_officer_at_once_saying_what_where_and_what_to_do(
    parties, contract
):
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    [mail] = outbox_messages(OFFICER)
    assert mail["Subject"] == "Realisatie te beoordelen: Onderhoud openbare ruimte (EMM-01)"
    body = mail.get_content()
    assert (
        "Aannemer Test B.V. heeft een realisatie ingediend op het contract Onderhoud openbare "
        "ruimte (EMM-01) van Gemeente Test." in body
    )
    assert "(KAND-1)" in body and "€" in body
    assert "Wat je nu doet: open het contract" in body
    assert f"http://localhost/contracten/{contract.id}" in body


def test_a_submission_is_an_in_app_notification_with_its_contract_link(parties, contract):
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    [notice] = notices(parties.officer, "realisation_submitted")
    assert notice.link_name == "contract" and notice.link_args == {"contract_id": contract.id}
    assert notice.params["reference"] == "EMM-01"


def test_every_member_of_the_authority_is_told(parties, contract):
    add_member(parties.authority, make_user("collega@authority.example.com"))
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    assert len(outbox_messages("collega@authority.example.com")) == 1


def test_a_draft_tells_no_officer_until_it_is_sent(parties, contract):
    draft = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner, draft=True)
    assert outbox_messages(OFFICER) == []

    realisations.submit_draft(draft, parties.owner)
    assert len(outbox_messages(OFFICER)) == 1


def test_an_officer_who_chose_the_digest_gets_the_notification_but_no_mail_now(parties, contract):
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    assert outbox_messages(OFFICER) == []
    assert len(notices(parties.officer, "realisation_submitted")) == 1


def test_an_officer_who_turned_the_mail_off_gets_none(parties, contract):
    notifications.set_preferences(parties.officer, [("realisation_submitted", "in_app")])
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    assert outbox_messages(OFFICER) == []


# decisions ---------------------------------------------------------------------------------------


def test_an_approval_is_mailed_to_the_contractor_with_nothing_to_do(parties, contract):
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.approve([r.id], parties.officer)

    [mail] = outbox_messages(OWNER)
    assert mail["Subject"] == "Realisaties goedgekeurd: Onderhoud openbare ruimte (EMM-01)"
    body = mail.get_content()
    assert "Gemeente Test heeft 1 realisatie goedgekeurd op het contract" in body
    assert "Je hoeft niets te doen" in body
    assert f"http://localhost/contracten/{contract.id}" in body


def test_a_rejection_is_mailed_with_its_reason_and_the_link_to_correct_it(parties, contract):
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.reject([r.id], parties.officer, "Het contract ontbreekt.")

    body = outbox_messages(OWNER)[-1].get_content()
    assert "Reden: Het contract ontbreekt." in body
    assert f"http://localhost/opdrachtnemer/realisaties/{r.id}/bewerken" in body


def test_a_question_is_mailed_with_the_question_and_an_in_app_notification(parties, contract):
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.ask([r.id], parties.officer, "Hoeveel uur per week?")

    mail = outbox_messages(OWNER)[-1]
    assert mail["Subject"] == "Vraag over realisaties: Onderhoud openbare ruimte (EMM-01)"
    assert "De vraag: Hoeveel uur per week?" in mail.get_content()
    [notice] = notices(parties.owner, "realisation_decided")
    assert notice.params["state"] == "questioned"


def test_the_answer_goes_to_the_officer_with_the_question(parties, contract):
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.ask([r.id], parties.officer, "Hoeveel uur per week?")
    r = realisations.correct(
        r, realisations._data_of(r), parties.owner, send=True, answer="24 uur."
    )

    mail = outbox_messages(OFFICER)[-1]
    assert mail["Subject"] == "Vraag beantwoord: Onderhoud openbare ruimte (EMM-01)"
    body = mail.get_content()
    assert "Je vraag: Hoeveel uur per week?" in body and "Het antwoord: 24 uur." in body


# the daily digest --------------------------------------------------------------------------------


def test_the_digest_lists_what_came_in_in_one_mail_the_next_morning(parties, contract):
    chooses_the_digest(parties.officer)
    p = parties
    other = make_contract(p.authority, p.contractor, p.officer, reference="EMM-02")
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.submit(contract, fte_realisation("KAND-2"), parties.owner)
    realisations.submit(other, fte_realisation("KAND-3"), parties.owner)

    digest_run(DAY_2_DIGEST)

    [mail] = outbox_messages(OFFICER)
    assert mail["Subject"] == "3 realisaties ingediend om te beoordelen"
    body = mail.get_content()
    assert "(EMM-01) van Gemeente Test, van Aannemer Test B.V.: 2 realisaties" in body
    assert "(EMM-02) van Gemeente Test, van Aannemer Test B.V.: 1 realisatie" in body
    assert all(f"({ref})" in body for ref in ("KAND-1", "KAND-2", "KAND-3"))
    assert f"http://localhost/contracten/{other.id}" in body
    assert "http://localhost/inkoop/beoordelen" in body


def test_the_digest_is_sent_once_however_often_the_job_runs_that_day(parties, contract):
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    digest_run(DAY_2_DIGEST)
    digest_run(DAY_2_DIGEST.replace(hour=9))

    assert len(outbox_messages(OFFICER)) == 1


def test_the_next_digest_lists_only_what_came_in_since_the_previous_one(parties, contract):
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    digest_run(DAY_2_DIGEST)
    with time_machine.travel(DAY_2_DIGEST.replace(hour=10), tick=False):
        realisations.submit(contract, fte_realisation("KAND-2"), parties.owner)

    digest_run(DAY_3_DIGEST)

    second = outbox_messages(OFFICER)[-1].get_content()
    assert "(KAND-2)" in second and "(KAND-1)" not in second


def test_no_digest_mail_when_nothing_came_in(parties, contract):
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner, draft=True)

    digest_run(DAY_2_DIGEST)

    assert outbox_messages(OFFICER) == []
    assert db.session.scalar(select(NotificationDigest.sent_on)).isoformat() == "2026-09-16"


def test_an_officer_who_chose_the_digest_and_turned_the_mail_off_gets_no_digest(parties, contract):
    chooses_the_digest(parties.officer)
    notifications.set_preferences(parties.officer, [("realisation_submitted", "in_app")])
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    digest_run(DAY_2_DIGEST)

    assert outbox_messages(OFFICER) == []


def test_what_was_mailed_at_once_before_choosing_the_digest_is_not_in_it(parties, contract):
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    with time_machine.travel(DAY_1.replace(hour=12), tick=False):
        notifications.set_mail_mode(parties.officer, "realisation_submitted", "daily")

    digest_run(DAY_2_DIGEST)

    assert len(outbox_messages(OFFICER)) == 1  # the immediate mail only


def test_the_digest_of_an_officer_who_reads_english_is_english(app, parties, contract):
    parties.officer.locale = "en"
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    digest_run(DAY_2_DIGEST)

    mail = outbox_messages(OFFICER)[0]
    assert mail["Subject"] == "1 realisation came in for your decision"
    assert "What to do: approve them" in mail.get_content()


def test_the_digest_job_returns_how_many_it_mailed(parties, contract):
    chooses_the_digest(parties.officer)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    with time_machine.travel(DAY_2_DIGEST, tick=False):
        now = datetime.now(UTC).replace(tzinfo=None)
        assert realisation_notices.daily_digest(now.date(), now) == 1
        assert realisation_notices.daily_digest(now.date(), now) == 0


def test_four_runs_at_the_same_moment_mail_each_officer_once(app, parties, contract):
    """Each officer's day is claimed by one conditional update: of runs racing (two workers, a
    retry), one mails and the others find the day taken (on PostgreSQL truly concurrent)."""
    colleague = make_user("collega@authority.example.com")
    add_member(parties.authority, colleague)
    chooses_the_digest(parties.officer)
    chooses_the_digest(colleague)
    realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)

    def run() -> int:
        with app.app_context():
            now = datetime.now(UTC).replace(tzinfo=None)
            mailed = realisation_notices.daily_digest(now.date(), now)
            db.session.remove()
            return mailed

    with time_machine.travel(DAY_2_DIGEST, tick=False):
        results = at_once([run] * 4)

    assert sum(results) == 2
    assert len(outbox_messages(OFFICER)) == 1
    assert len(outbox_messages("collega@authority.example.com")) == 1


def test_the_notifications_read_what_happened_in_the_readers_words(client, auth, parties, contract):
    r = realisations.submit(contract, fte_realisation("KAND-1"), parties.owner)
    realisations.reject([r.id], parties.officer, "Het contract ontbreekt.")

    auth.login(OFFICER)
    officer_page = client.get("/meldingen").get_data(as_text=True)
    assert (
        "Aannemer Test B.V. heeft een realisatie ingediend op Onderhoud openbare ruimte (EMM-01)"
        in officer_page
    )
    auth.logout()
    auth.login(OWNER)
    owner_page = client.get("/meldingen").get_data(as_text=True)
    assert "1 realisatie afgewezen op Onderhoud openbare ruimte (EMM-01)" in owner_page
