"""The job outbox: enqueue() writes a row in the caller's transaction; after commit the row is
run in-process (embedded mode, tests) or relayed to RQ (production). A rolled-back transaction
therefore enqueues nothing, and a Redis outage loses nothing: rows wait for the next relay."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, after_this_request, current_app, has_request_context
from sqlalchemy import String, cast, event, insert, select, update
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.models import OutboxJob
from marketplace.models._types import utcnow
from marketplace.observability import acting_for, current_request_id, log_job, new_request_id
from marketplace.services.audit import replaced
from marketplace.services.queue import enqueue_outbox_job, missing_outbox_jobs, redis_connection

log = logging.getLogger(__name__)
_PENDING_KEY = "outbox_pending_ids"
_AFTER_RESPONSE_KEY = "outbox_after_response"
# A relayed row whose RQ job is still missing after this long is relayed again (requeue_lost).
LOST_AFTER = timedelta(minutes=10)
LOST_BATCH = 500


def registry() -> dict[str, Callable[..., Any]]:
    """The job functions by name (services/jobs.py), as create_app handed them to the app.

    Not imported from there: the jobs call the services that enqueue through this module."""
    return current_app.extensions["jobs"]


def time_limit(job_name: str) -> int | None:
    """How long RQ may run the job before killing it: the `rq_timeout` its registration gave."""
    return getattr(registry().get(job_name), "rq_timeout", None)


def enqueue(job_name: str, *args: Any) -> OutboxJob:
    """Write a job row into the current transaction; it runs only if the transaction commits."""
    if job_name not in registry():
        raise ValueError(f"unknown job {job_name!r}")
    job = OutboxJob(job_name=job_name, args=list(args), request_id=current_request_id())
    db.session.add(job)
    db.session.flush()
    db.session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


def enqueue_many(job_name: str, args: list[list[Any]]) -> list[int]:
    """Write one job row per argument list into the current transaction with one INSERT (a
    sweep that mails thousands does not add them one by one); they run only after commit."""
    if job_name not in registry():
        raise ValueError(f"unknown job {job_name!r}")
    if not args:
        return []
    rid = current_request_id()
    ids = list(
        db.session.scalars(
            insert(OutboxJob).returning(OutboxJob.id),
            [{"job_name": job_name, "args": list(a), "request_id": rid} for a in args],
        )
    )
    db.session.info.setdefault(_PENDING_KEY, []).extend(ids)
    return ids


def requeue(outbox_id: int, from_states: tuple[str, ...]) -> bool:
    """Set a row in one of `from_states` back to pending with a fresh count of attempts, in the
    current transaction; like enqueue(), it runs (or is relayed) once the caller commits.

    One conditional update, so two admins retrying at once requeue it once: False for the
    loser, and for a row that is no longer in those states."""
    result = db.session.execute(
        update(OutboxJob)
        .where(OutboxJob.id == outbox_id, OutboxJob.status.in_(from_states))
        .values(status="pending", attempts=0)
    )
    if result.rowcount != 1:
        return False
    db.session.info.setdefault(_PENDING_KEY, []).append(outbox_id)
    return True


def dispatch_after_response() -> None:
    """Hand the rows of this request's next commit to their runner only once its response has
    gone out, instead of right after the commit.

    For a caller that waits for the answer and retries when it is slow (Stripe's webhook):
    once the rows are committed the job is safe, and relaying it to Redis, or running it in
    process in embedded mode (which for a Stripe event means calls to Stripe), is no reason
    to keep the caller waiting. A response that is never closed leaves the rows pending for
    the next relay; outside a request this changes nothing."""
    if has_request_context():
        db.session.info[_AFTER_RESPONSE_KEY] = True


@event.listens_for(Session, "after_commit")
def _dispatch_after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    later = session.info.pop(_AFTER_RESPONSE_KEY, False)
    if ids and later and has_request_context():
        _dispatch_after_response(current_app._get_current_object(), ids)
    elif ids:
        dispatch(ids)


def _dispatch_after_response(app: Flask, ids: list[int]) -> None:
    def dispatch_in_app() -> None:
        with app.app_context():
            dispatch(ids)

    @after_this_request
    def when_sent(response):  # the WSGI server closes the response once it is sent
        response.call_on_close(dispatch_in_app)
        return response


@event.listens_for(Session, "after_transaction_end")
def _forget_after_outer_end(session: Session, transaction: Any) -> None:
    # Only the outermost transaction decides: a rolled-back savepoint must not drop jobs enqueued
    # before it (dispatch re-reads the rows, so ids of rolled-back rows are harmless), and a
    # close() without commit must not leave ids behind for the session's next transaction.
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_AFTER_RESPONSE_KEY, None)


def dispatch(ids: list[int]) -> None:
    """Hand committed outbox rows to their runner for the configured mode.

    Runs after the caller's commit, so nothing here may raise into the caller: its data is
    already committed, and a row that was not run or relayed waits for the next pass."""
    app = current_app._get_current_object()
    try:
        if app.config["JOBS_MODE"] == "inline":
            for job_id in ids:
                with app.app_context():  # a fresh session, apart from the caller's
                    execute(job_id, raise_errors=False)
        else:
            with app.app_context():
                relay(ids)
    except Exception:
        log.exception("outbox dispatch of %s failed; the rows wait for the next pass", ids)


def relay(ids: list[int] | None = None) -> int:
    """Move pending rows to RQ and return how many moved. Safe to repeat: the RQ job id is
    derived from the row id, and a job already on RQ is not enqueued twice."""
    query = select(OutboxJob.id).where(OutboxJob.status == "pending")
    if ids is not None:
        query = query.where(OutboxJob.id.in_(ids))
    pending = list(db.session.scalars(query.order_by(OutboxJob.id)))
    db.session.commit()  # no transaction stays open while we talk to Redis
    return _hand_to_rq(pending, from_status="pending")


def requeue_lost(now: datetime | None = None) -> int:
    """Relay again the rows marked relayed more than LOST_AFTER ago whose RQ job is gone (Redis
    flushed, or a failover to a replica that had not seen it); returns how many.

    Without this such a row is never run: nothing else looks at relayed rows. The grace period
    leaves a just-relayed job time to show up on a lagging replica; a row whose job still
    exists (queued, scheduled for a retry, running, ended) is left to RQ. Jobs are idempotent,
    so a job that was in fact still somewhere runs twice to the effect of once."""
    cutoff = (now or utcnow()) - LOST_AFTER
    relayed = list(
        db.session.scalars(
            select(OutboxJob.id)
            .where(OutboxJob.status == "relayed", OutboxJob.relayed_at < cutoff)
            .order_by(OutboxJob.id)
            .limit(LOST_BATCH)
        )
    )
    db.session.commit()
    if not relayed:
        return 0
    try:
        lost = missing_outbox_jobs(relayed, redis_connection())
    except Exception as exc:  # Redis down: the next sweep looks again
        log.warning("outbox sweep could not reach Redis: %s", exc)
        return 0
    if lost:
        log.warning("outbox rows %s were relayed but their RQ jobs are gone: relaying again", lost)
    return _hand_to_rq(lost, from_status="relayed")


def _hand_to_rq(ids: list[int], *, from_status: str) -> int:
    """Enqueue each row's RQ job, then mark the row relayed (now); returns how many moved."""
    if not ids:
        return 0
    moved = 0
    rows = {
        row.id: row
        for row in db.session.execute(
            select(OutboxJob.id, OutboxJob.job_name, OutboxJob.request_id).where(
                OutboxJob.id.in_(ids)
            )
        )
    }
    try:
        connection = redis_connection()
        for outbox_id in ids:
            row = rows.get(outbox_id)
            enqueue_outbox_job(
                outbox_id,
                connection=connection,
                timeout=time_limit(row.job_name) if row else None,
                request_id=row.request_id if row else None,
            )
            # Commit per row, and only from the state we read: a fast worker may already have
            # set the row to "done", which a blind write would overwrite.
            db.session.execute(
                update(OutboxJob)
                .where(OutboxJob.id == outbox_id, OutboxJob.status == from_status)
                .values(status="relayed", relayed_at=utcnow())
            )
            db.session.commit()
            moved += 1
    except Exception as exc:  # Redis down: the remaining rows wait for the next relay
        db.session.rollback()
        log.warning("outbox relay stopped after %s of %s rows: %s", moved, len(ids), exc)
    return moved


def execute(outbox_id: int, *, raise_errors: bool = True) -> None:
    """Run one outbox job by id. Done jobs are skipped, so a second delivery does nothing.

    It runs under the request id of its row (a fresh one for a row without), and writes one
    log line with its outcome: done, retry (it runs again), failed (for good) or skipped."""
    started = time.perf_counter()
    job = db.session.get(OutboxJob, outbox_id)
    if job is None or job.status == "done":
        with acting_for(job.request_id if job and job.request_id else new_request_id()):
            log_job(job.job_name if job else "?", outbox_id, "skipped", started)
        return
    with acting_for(job.request_id or new_request_id()):
        _execute(job, started, raise_errors)


def _execute(job: OutboxJob, started: float, raise_errors: bool) -> None:
    outbox_id, name, args = job.id, job.job_name, list(job.args)
    job.attempts += 1
    attempt = job.attempts
    db.session.commit()
    try:
        registry()[name](*args)
    except Exception:
        db.session.rollback()
        job = db.session.get(OutboxJob, outbox_id)
        job.last_error = traceback.format_exc(limit=5)
        if job.attempts >= current_app.config["JOB_MAX_ATTEMPTS"]:
            job.status = "failed"  # listed on /beheer/
            job.finished_at = utcnow()  # when it gave up: its row is kept 90 days from here
        elif raise_errors:
            job.status = "relayed"  # RQ's Retry runs it again
        else:
            job.status = "pending"  # the next retry_pending() runs it again
        db.session.commit()
        log.exception("job %s (%s) failed", name, outbox_id)
        outcome = "failed" if job.status == "failed" else "retry"
        log_job(name, outbox_id, outcome, started, attempt=attempt)
        if raise_errors:
            raise
        return
    job = db.session.get(OutboxJob, outbox_id)
    job.status = "done"
    job.finished_at = utcnow()
    job.last_error = None
    db.session.commit()
    log_job(name, outbox_id, "done", started, attempt=attempt)


def retry_pending() -> int:
    """Embedded mode's periodic pass: run rows left pending by an earlier failure."""
    ids = list(db.session.scalars(select(OutboxJob.id).where(OutboxJob.status == "pending")))
    for job_id in ids:
        execute(job_id, raise_errors=False)
    return len(ids)


def jobs_mentioning(text: str) -> list[OutboxJob]:
    """The rows whose arguments contain `text` (an e-mail address: the mails queued to it)."""
    return list(
        db.session.scalars(
            select(OutboxJob)
            .where(cast(OutboxJob.args, String).ilike(f"%{text}%"))
            .order_by(OutboxJob.id)
        )
    )


def replace_text(old: str, new: str) -> None:
    """Replace a deleted account's address in the arguments of finished rows (kept until
    `job_records` purges them); rows still to run keep theirs and are sent. In the caller's
    transaction."""
    for row in jobs_mentioning(old):
        if row.status in ("done", "failed"):
            row.args = replaced(list(row.args), old, new)
