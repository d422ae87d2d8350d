"""One log line per job (name, outbox id, outcome, duration, request id), and the request id
carried from the outbox row into RQ's job and the mails a worker sends."""

from __future__ import annotations

import logging

import pytest
from rq.job import Job

from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.observability import acting_for
from marketplace.services import mail, outbox
from marketplace.services.jobs import JOBS
from marketplace.services.queue import outbox_job_id
from tests.jobs.conftest import run_burst_worker
from tests.mailbox import outbox_messages


@pytest.fixture
def job_lines(caplog):
    caplog.set_level(logging.INFO, logger="marketplace.jobs")
    return lambda: [r.fields for r in caplog.records if r.name == "marketplace.jobs"]


@pytest.fixture
def chain(app):
    """A job that enqueues a mail, as a sweep does."""

    def mail_someone() -> None:
        mail.send("someone@example.com", "Onderwerp", "Tekst")
        db.session.commit()

    JOBS["test_chain"] = mail_someone
    yield "test_chain"
    del JOBS["test_chain"]


@pytest.fixture
def flaky(app):
    def explode() -> None:
        raise RuntimeError("flaky")

    JOBS["test_flaky"] = explode
    yield "test_flaky"
    del JOBS["test_flaky"]


def test_a_job_without_a_request_gets_an_id_that_the_jobs_it_enqueues_inherit(
    app, chain, job_lines
):
    outbox.enqueue(chain)
    db.session.commit()

    lines = job_lines()
    assert [(f["job"], f["outcome"]) for f in lines] == [("send_mail", "done"), (chain, "done")]
    assert lines[0]["request_id"] == lines[1]["request_id"] is not None
    [message] = outbox_messages("someone@example.com")
    assert message["X-Request-ID"] == lines[0]["request_id"]


def test_a_failing_job_logs_retry_then_failed_with_its_attempt(app, flaky, job_lines):
    with acting_for("trace-flaky"):
        outbox.enqueue(flaky)
        db.session.commit()
    for _ in range(2):
        outbox.retry_pending()

    assert [(f["outcome"], f["attempt"], f["request_id"]) for f in job_lines()] == [
        ("retry", 1, "trace-flaky"),
        ("retry", 2, "trace-flaky"),
        ("failed", 3, "trace-flaky"),
    ]


def test_a_job_run_again_after_it_was_done_is_logged_as_skipped(app, job_lines):
    with acting_for("trace-twice"):
        mail.send("someone@example.com", "Onderwerp", "Tekst")
        db.session.commit()
    outbox.execute(db.session.query(OutboxJob.id).scalar())

    assert [(f["outcome"], f["request_id"]) for f in job_lines()] == [
        ("done", "trace-twice"),
        ("skipped", "trace-twice"),
    ]


def test_under_rq_the_request_id_reaches_the_jobs_meta_and_the_workers_mail(
    rq_app, redis_conn, job_lines
):
    with acting_for("trace-rq"):
        mail.send("someone@example.com", "Onderwerp", "Tekst")
        db.session.commit()
    outbox_id = db.session.query(OutboxJob.id).scalar()

    assert Job.fetch(outbox_job_id(outbox_id), connection=redis_conn).meta == {
        "request_id": "trace-rq"
    }
    run_burst_worker(redis_conn)
    [message] = outbox_messages("someone@example.com")
    assert message["X-Request-ID"] == "trace-rq"
    assert [(f["job_id"], f["outcome"], f["request_id"]) for f in job_lines()] == [
        (outbox_id, "done", "trace-rq")
    ]
