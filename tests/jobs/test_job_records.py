"""The daily purge of finished outbox rows and sent-mail keys (services/job_records.py): they
hold e-mail addresses and mail bodies, kept only as long as they serve a purpose."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, OutboxJob, SentMail
from marketplace.services import failed_jobs, job_records, jobs, mail

NOW = datetime(2027, 3, 1, 4, 45)


def job_row(status: str, *, days_ago: int, finished: bool = True) -> int:
    """An outbox row of a mail job that ended (or was made) `days_ago` days before NOW."""
    at = NOW - timedelta(days=days_ago)
    row = OutboxJob(
        job_name="send_mail",
        args=["key", "iemand@example.com", "Onderwerp", "Hallo"],
        status=status,
        attempts=1,
        created_at=at - timedelta(minutes=5),
        finished_at=at if finished else None,
        last_error="ConnectionRefusedError" if status == "failed" else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def key_row(key: str, *, days_ago: int) -> str:
    claimed = NOW - timedelta(days=days_ago)
    db.session.add(SentMail(key=key, recipient="iemand@example.com", claimed_at=claimed))
    db.session.commit()
    return key


def remaining_jobs() -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(OutboxJob.id)))


def remaining_keys() -> set[str]:
    return set(db.session.scalars(select(SentMail.key)))


def purge_runs() -> list[AuditLog]:
    return list(
        db.session.scalars(
            select(AuditLog).where(AuditLog.action == "retention.job_records_deleted")
        )
    )


def run_job() -> None:
    with time_machine.travel(NOW, tick=False):
        jobs.purge_job_records()


def test_done_rows_go_after_30_days_and_younger_ones_stay(app):
    old = job_row("done", days_ago=31)
    young = job_row("done", days_ago=29)

    run_job()

    assert remaining_jobs() == {young}
    assert old not in remaining_jobs()


def test_the_term_for_done_rows_is_configurable(app):
    app.config["OUTBOX_KEEP_DAYS"] = 7
    old = job_row("done", days_ago=8)
    young = job_row("done", days_ago=6)

    run_job()

    assert remaining_jobs() == {young}
    assert old not in remaining_jobs()


def test_failed_rows_stay_90_days_on_the_admin_page_then_go(app):
    old = job_row("failed", days_ago=91)
    recent = job_row("failed", days_ago=89)
    before_the_moment_was_kept = job_row("failed", days_ago=91, finished=False)

    run_job()

    assert remaining_jobs() == {recent}
    assert [job.id for job in failed_jobs.listing()] == [recent]
    assert {old, before_the_moment_was_kept}.isdisjoint(remaining_jobs())


def test_rows_with_work_left_are_never_deleted(app):
    waiting = {
        job_row("pending", days_ago=400, finished=False),
        job_row("relayed", days_ago=400, finished=False),
    }

    run_job()

    assert remaining_jobs() == waiting
    assert purge_runs() == []


def test_sent_mail_keys_go_after_90_days(app):
    key_row("oud", days_ago=91)
    key_row("recent", days_ago=89)

    run_job()

    assert remaining_keys() == {"recent"}


def test_a_run_is_audited_once_with_its_numbers_and_a_second_run_does_nothing(app):
    job_row("done", days_ago=40)
    job_row("done", days_ago=40)
    job_row("failed", days_ago=100)
    key_row("oud", days_ago=100)

    run_job()
    run_job()

    [entry] = purge_runs()
    assert (entry.after["done_jobs"], entry.after["failed_jobs"], entry.after["sent_mails"]) == (
        2,
        1,
        1,
    )
    assert entry.actor_id is None


def test_a_large_table_goes_in_batches_to_the_last_row(app, monkeypatch):
    monkeypatch.setattr(job_records, "BATCH", 2)
    for _ in range(5):
        job_row("done", days_ago=40)
    for number in range(5):
        key_row(f"oud-{number}", days_ago=100)

    result = job_records.purge(NOW)

    assert (result.done_jobs, result.sent_mails) == (5, 5)
    assert remaining_jobs() == set() and remaining_keys() == set()


@pytest.mark.usefixtures("app")
def test_a_sent_mail_leaves_no_address_behind_a_month_later():
    with time_machine.travel(NOW - timedelta(days=31), tick=False):
        mail.send("iemand@example.com", "Welkom", "Hallo")
        db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SentMail)) == 1

    run_job()
    assert remaining_jobs() == set()  # the row with the address and the body
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        jobs.purge_job_records()
    assert remaining_keys() == set()
