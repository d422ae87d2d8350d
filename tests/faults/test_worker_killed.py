"""A worker killed with SIGKILL in the middle of a job (issue 16): the job runs again and its
effect happens once, its e-mail included.

The worker is a real `python -m worker` process; it is killed, with its work horse, while the
SMTP server holds the message it has received but not yet acknowledged: the moment a crash hurts
most, since the mail has left and the worker has not recorded it. RQ notices a dead worker's job
when the job's heartbeat has expired (its monitoring interval plus a minute) and retries it; the
test moves that clock on instead of waiting a minute and a half."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rq.registry import StartedJobRegistry
from sqlalchemy import select, text

from marketplace.extensions import db
from marketplace.models import OutboxJob, SentMail
from marketplace.services import mail
from marketplace.services.queue import queue
from tests.backends import ONLY_POSTGRESQL
from tests.conftest import SmtpServer
from tests.faults.workers import kill, start_worker, wait_for

pytestmark = ONLY_POSTGRESQL


class HoldingSmtp(SmtpServer):
    """Keeps each message it receives, then holds the first acknowledgement until released."""

    def __init__(self) -> None:
        super().__init__()
        self.received = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        self.messages.append(envelope.original_content)
        self.received.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 OK"


@pytest.fixture
def holding_smtp(rq_app):
    server = HoldingSmtp()
    server.start()
    rq_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, JOB_RETRY_INTERVALS=[0])
    yield server
    server.release.set()
    server.stop()


def diagnosis(job_id: int, log) -> str:
    row = outbox_row(job_id)
    activity = db.session.execute(
        text("SELECT state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity")
    ).all()
    return f"{row.status} {row.attempts} {row.last_error}\n{activity}\n{log.read_text()[-1500:]}"


def outbox_row(job_id: int) -> OutboxJob:
    db.session.expire_all()
    return db.session.get(OutboxJob, job_id)


def test_a_worker_killed_mid_send_leads_to_one_mail(rq_app, redis_conn, holding_smtp, tmp_path):
    with rq_app.test_request_context():
        mail.send("lid@example.com", "Je lidmaatschap", "Je factuur staat klaar.")
        db.session.commit()
    job_id = db.session.scalar(select(OutboxJob.id).where(OutboxJob.job_name == "send_mail"))

    first = start_worker(rq_app, tmp_path / "worker.log")
    try:
        assert holding_smtp.received.wait(90), diagnosis(job_id, tmp_path / "worker.log")
    finally:
        kill(first)  # SIGKILL to the worker and its work horse, mid-conversation
    holding_smtp.release.set()
    assert outbox_row(job_id).status == "relayed"  # not done: the worker died

    # The dead worker's heartbeat expires; RQ's registry clean-up then retries the job.
    q = queue(redis_conn)
    StartedJobRegistry(queue=q).cleanup(timestamp=time.time() + 3600)

    second = start_worker(rq_app, tmp_path / "worker.log")
    try:
        wait_for(lambda: outbox_row(job_id).status == "done", 60, "the job to run again")
    finally:
        kill(second)
    row = outbox_row(job_id)
    assert row.attempts == 2  # it ran again...
    assert len(holding_smtp.messages) == 1  # ...and the mail left once
    assert db.session.scalar(select(SentMail.recipient)) == "lid@example.com"
