"""Retention of the records the job machinery keeps: outbox rows and sent-mail keys.

An outbox row holds its job's arguments, and for a mail those are the recipient's address and
the whole message; a sent-mail key holds the recipient. Neither is needed for long once the job
has ended: a done row only proves it ran, a failed one is listed on the admin's failed-jobs page
until someone looks, and a key only stops a retry of the same job from sending its message
twice, and a retry comes minutes or hours later, never months. So a daily sweep deletes:

- done outbox rows finished more than OUTBOX_KEEP_DAYS (default 30) days ago;
- failed outbox rows that gave up more than 90 days ago (rows failed before they carried that
  moment count from their creation);
- sent-mail keys claimed more than 90 days ago.

Pending and relayed rows are never touched: they still have work to do. The rows go in batches
of BATCH, each committed on its own, so a large table is never locked as a whole, and each run
writes one audit row with the numbers (none when there was nothing to delete). Idempotent: a
second run finds nothing older than the cut-offs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from marketplace.extensions import db
from marketplace.models import OutboxJob, SentMail
from marketplace.services import audit

BATCH = 1000
FAILED_KEEP_DAYS = 90
SENT_MAIL_KEEP_DAYS = 90


@dataclass(frozen=True)
class PurgeResult:
    done_jobs: int
    failed_jobs: int
    sent_mails: int


def purge(now: datetime) -> PurgeResult:
    """Delete the outbox rows and sent-mail keys past their term at `now` (naive UTC)."""
    done_before = now - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    failed_before = now - timedelta(days=FAILED_KEEP_DAYS)
    keys_before = now - timedelta(days=SENT_MAIL_KEEP_DAYS)
    result = PurgeResult(
        done_jobs=_delete(
            OutboxJob.id, (OutboxJob.status == "done") & (OutboxJob.finished_at < done_before)
        ),
        failed_jobs=_delete(
            OutboxJob.id,
            (OutboxJob.status == "failed")
            & (func.coalesce(OutboxJob.finished_at, OutboxJob.created_at) < failed_before),
        ),
        sent_mails=_delete(SentMail.key, SentMail.claimed_at < keys_before),
    )
    if result.done_jobs or result.failed_jobs or result.sent_mails:
        audit.record_many(
            "retention.job_records_deleted",
            "OutboxJob",
            [
                (
                    None,
                    None,
                    {
                        "done_jobs": result.done_jobs,
                        "failed_jobs": result.failed_jobs,
                        "sent_mails": result.sent_mails,
                        "done_before": done_before.isoformat(timespec="seconds"),
                        "failed_before": failed_before.isoformat(timespec="seconds"),
                        "sent_mails_before": keys_before.isoformat(timespec="seconds"),
                    },
                )
            ],
        )
        db.session.commit()
    return result


def _delete(key, condition) -> int:
    """Delete the rows of `key`'s table that meet `condition`, BATCH at a time in key order,
    each batch committed on its own; how many went."""
    deleted = 0
    while True:
        keys = list(db.session.scalars(select(key).where(condition).order_by(key).limit(BATCH)))
        if not keys:
            return deleted
        # The condition again: a row an admin retried since the select is no longer failed.
        deleted += db.session.execute(
            delete(key.class_)
            .where(key.in_(keys), condition)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
