"""The job outbox: in-process runs (embedded mode) and the relay to real RQ on real Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select, update

from marketplace.extensions import db
from marketplace.models import OutboxJob, SentMail
from marketplace.services import mail, outbox
from marketplace.services.jobs import JOBS
from marketplace.services.queue import enqueue_outbox_job, outbox_job_id, queue
from tests import backends
from tests.jobs.conftest import run_burst_worker
from tests.mailbox import outbox_messages


class Tally:
    """A test-only job that records each run; `failures` makes that many runs raise first."""

    name = "test_tally"

    def __init__(self) -> None:
        self.runs: list[tuple] = []
        self.failures = 0

    def __call__(self, *args) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("tally exploded")
        self.runs.append(args)


@pytest.fixture
def tally(app):
    job = Tally()
    JOBS[job.name] = job
    yield job
    del JOBS[job.name]


def row(outbox_id: int) -> OutboxJob:
    """The row as committed, not as this session last saw it."""
    db.session.expire_all()
    return db.session.get(OutboxJob, outbox_id)


def enqueue_committed(name: str, *args) -> int:
    job_id = outbox.enqueue(name, *args).id
    db.session.commit()
    return job_id


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxJob))


# -- embedded mode: jobs run in-process right after commit -------------------------------------


def test_job_enqueued_in_committed_transaction_runs_once(tally):
    job_id = enqueue_committed(tally.name, 7)

    assert tally.runs == [(7,)]
    done = row(job_id)
    assert (done.status, done.attempts, done.finished_at is not None) == ("done", 1, True)


def test_rolled_back_transaction_enqueues_and_runs_nothing(tally):
    outbox.enqueue(tally.name, 1)
    db.session.rollback()
    db.session.commit()  # a later commit of the same session must not run the forgotten job

    assert tally.runs == []
    assert outbox_count() == 0


def test_closed_session_forgets_uncommitted_jobs(tally):
    outbox.enqueue(tally.name, 1)
    db.session.close()
    enqueue_committed(tally.name, 2)

    assert tally.runs == [(2,)]


def test_rolled_back_savepoint_keeps_jobs_enqueued_before_it(tally):
    first = outbox.enqueue(tally.name, "kept").id
    with db.session.begin_nested() as savepoint:
        outbox.enqueue(tally.name, "dropped")
        savepoint.rollback()
    db.session.commit()

    assert tally.runs == [("kept",)]
    assert row(first).status == "done"
    assert outbox_count() == 1


def test_failing_job_is_retried_by_retry_pending_until_it_succeeds(tally):
    tally.failures = 1
    job_id = enqueue_committed(tally.name, 3)
    assert (row(job_id).status, row(job_id).attempts) == ("pending", 1)
    assert "tally exploded" in row(job_id).last_error

    assert outbox.retry_pending() == 1

    assert tally.runs == [(3,)]
    assert (row(job_id).status, row(job_id).attempts, row(job_id).last_error) == ("done", 2, None)


def test_job_failing_max_attempts_times_is_failed_and_listed_for_admins(
    app, tally, client, auth, admin
):
    tally.failures = 99
    job_id = enqueue_committed(tally.name, 4)
    for _ in range(app.config["JOB_MAX_ATTEMPTS"] - 1):
        assert row(job_id).status == "pending"
        outbox.retry_pending()

    failed = row(job_id)
    assert (failed.status, failed.attempts) == ("failed", app.config["JOB_MAX_ATTEMPTS"])
    assert outbox.retry_pending() == 0  # a failed job is not run again
    assert row(job_id).attempts == app.config["JOB_MAX_ATTEMPTS"]

    auth.login(admin.email)
    page = client.get("/beheer/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert tally.name in html
    assert "tally exploded" in html


def test_execute_twice_for_the_same_row_does_the_work_once(tally):
    job = OutboxJob(job_name=tally.name, args=[5])  # written without enqueue(): nothing dispatches
    db.session.add(job)
    db.session.commit()

    outbox.execute(job.id)
    outbox.execute(job.id)

    assert tally.runs == [(5,)]
    assert row(job.id).attempts == 1


def test_mail_job_delivers_once_even_when_executed_again(app):
    mail.send("iemand@example.com", "Welkom", "Hallo")
    db.session.commit()
    job_id = db.session.scalar(select(OutboxJob.id))

    outbox.execute(job_id)

    messages = outbox_messages("iemand@example.com")
    assert [m["Subject"] for m in messages] == ["Welkom"]
    assert row(job_id).status == "done"


def test_unknown_job_name_is_refused(app):
    with pytest.raises(ValueError, match="unknown job"):
        outbox.enqueue("no_such_job")


# -- production mode: rows are relayed to RQ on real Redis -------------------------------------


def test_commit_relays_the_row_to_the_prefixed_rq_queue(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 8)

    relayed = row(job_id)
    assert (relayed.status, relayed.relayed_at is not None) == ("relayed", True)
    assert queue(redis_conn).name == f"{backends.redis_prefix()}default"
    assert queue(redis_conn).job_ids == [outbox_job_id(job_id)]
    assert tally.runs == []


def test_rq_worker_runs_the_relayed_job_and_the_row_is_done(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 9)

    run_burst_worker(redis_conn)

    assert tally.runs == [(9,)]
    assert (row(job_id).status, row(job_id).attempts) == ("done", 1)
    rq_job = Job.fetch(outbox_job_id(job_id), connection=redis_conn)
    assert rq_job.get_status() == JobStatus.FINISHED
    assert queue(redis_conn).count == 0


def test_rq_retries_a_failing_job_until_the_rows_max_attempts(rq_app, redis_conn, tally):
    rq_app.config["JOB_RETRY_INTERVALS"] = [0]  # requeue at once, so one burst runs every try
    tally.failures = 99
    job_id = enqueue_committed(tally.name, 10)

    run_burst_worker(redis_conn)

    failed = row(job_id)
    assert (failed.status, failed.attempts) == ("failed", rq_app.config["JOB_MAX_ATTEMPTS"])
    registry = FailedJobRegistry(queue=queue(redis_conn))
    assert registry.get_job_ids() == [outbox_job_id(job_id)]


def test_redis_outage_leaves_the_row_pending_until_a_later_relay(rq_app, redis_conn, tally):
    rq_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    job_id = enqueue_committed(tally.name, 11)
    assert row(job_id).status == "pending"
    assert queue(redis_conn).count == 0

    rq_app.config["REDIS_URL"] = backends.redis_url()
    assert outbox.relay() == 1

    assert row(job_id).status == "relayed"
    assert queue(redis_conn).job_ids == [outbox_job_id(job_id)]


def test_relaying_the_same_row_twice_creates_one_rq_job(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 12)
    assert outbox.relay() == 0  # already relayed: nothing pending

    # A relay that died after enqueueing, before marking the row, leaves it pending.
    db.session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(status="pending"))
    db.session.commit()
    assert outbox.relay() == 1
    assert enqueue_outbox_job(job_id) is False

    assert queue(redis_conn).job_ids == [outbox_job_id(job_id)]
    run_burst_worker(redis_conn)
    assert tally.runs == [(12,)]


def test_pending_row_replaces_a_finished_rq_job_left_under_its_id(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 13)
    run_burst_worker(redis_conn)
    # The id comes back as a new pending row (say, a restored database) while the old
    # job's result is still kept.
    db.session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(status="pending"))
    db.session.commit()

    assert outbox.relay() == 1
    assert queue(redis_conn).job_ids == [outbox_job_id(job_id)]
    run_burst_worker(redis_conn)

    assert tally.runs == [(13,), (13,)]
    assert row(job_id).status == "done"


def _lose_rq_state(redis_conn, outbox_id: int) -> None:
    """What a Redis flush or a failover to a stale replica does: the job hash and the queue go."""
    redis_conn.delete(Job.key_for(outbox_job_id(outbox_id)), queue(redis_conn).key)


def test_relayed_row_whose_rq_job_was_lost_is_relayed_again_by_the_sweep_and_runs(
    rq_app, redis_conn, tally
):
    job_id = enqueue_committed(tally.name, 14)
    _lose_rq_state(redis_conn, job_id)
    relayed_at = row(job_id).relayed_at
    assert outbox.requeue_lost() == 0  # too young: a replica may still be catching up

    later = relayed_at + outbox.LOST_AFTER + timedelta(seconds=1)
    assert outbox.requeue_lost(now=later) == 1

    assert row(job_id).status == "relayed"
    assert row(job_id).relayed_at > relayed_at
    assert queue(redis_conn).job_ids == [outbox_job_id(job_id)]
    run_burst_worker(redis_conn)
    assert tally.runs == [(14,)]
    assert row(job_id).status == "done"


def test_sweep_leaves_relayed_rows_whose_rq_job_still_exists(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 15)
    later = row(job_id).relayed_at + outbox.LOST_AFTER + timedelta(seconds=1)

    assert outbox.requeue_lost(now=later) == 0

    run_burst_worker(redis_conn)
    assert tally.runs == [(15,)]


def test_periodic_relay_job_also_sweeps_lost_jobs(rq_app, redis_conn, tally):
    job_id = enqueue_committed(tally.name, 16)
    _lose_rq_state(redis_conn, job_id)
    old = row(job_id).relayed_at - outbox.LOST_AFTER - timedelta(seconds=1)
    db.session.execute(update(OutboxJob).where(OutboxJob.id == job_id).values(relayed_at=old))
    db.session.commit()

    JOBS["relay_outbox"]()

    run_burst_worker(redis_conn)
    assert tally.runs == [(16,)]


# -- e-mail: at most once per idempotency key ---------------------------------------------------


def test_mail_job_run_twice_sends_one_message_through_smtp(app, smtp_server):
    smtp_server.start()

    # A worker killed after the send re-runs the job: the second run must not send again.
    JOBS["send_mail"]("a1b2c3", "iemand@example.com", "Welkom", "Hallo")
    JOBS["send_mail"]("a1b2c3", "iemand@example.com", "Welkom", "Hallo")

    assert len(smtp_server.messages) == 1
    assert b"Message-ID: <a1b2c3@sociaalrendement>" in smtp_server.messages[0]
    sent = db.session.get(SentMail, "a1b2c3")
    assert (sent.recipient, sent.sent_at is not None) == ("iemand@example.com", True)


def test_mail_job_run_twice_writes_one_eml_file(app):
    JOBS["send_mail"]("d4e5f6", "iemand@example.com", "Welkom", "Hallo")
    JOBS["send_mail"]("d4e5f6", "iemand@example.com", "Welkom", "Hallo")

    assert [m["Message-ID"] for m in outbox_messages()] == ["<d4e5f6@sociaalrendement>"]


def test_mail_refused_by_the_smtp_server_is_sent_once_it_is_back(app, smtp_server):
    with pytest.raises(ConnectionRefusedError):
        JOBS["send_mail"]("a7b8c9", "iemand@example.com", "Welkom", "Hallo")
    assert db.session.get(SentMail, "a7b8c9") is None  # not taken: the retry must send

    smtp_server.start()
    JOBS["send_mail"]("a7b8c9", "iemand@example.com", "Welkom", "Hallo")
    JOBS["send_mail"]("a7b8c9", "iemand@example.com", "Welkom", "Hallo")

    assert len(smtp_server.messages) == 1


def test_job_failed_under_rq_is_listed_and_an_admin_retry_runs_it_through_rq(
    rq_app, redis_conn, tally, client, auth, admin
):
    rq_app.config["JOB_RETRY_INTERVALS"] = [0]
    tally.failures = rq_app.config["JOB_MAX_ATTEMPTS"]
    job_id = enqueue_committed(tally.name, 17)
    run_burst_worker(redis_conn)
    assert row(job_id).status == "failed"
    auth.login(admin.email)
    assert "tally exploded" in client.get("/beheer/").get_data(as_text=True)

    assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 302

    assert row(job_id).status == "relayed"
    run_burst_worker(redis_conn)
    assert tally.runs == [(17,)]
    assert (row(job_id).status, row(job_id).attempts) == ("done", 1)
