"""Failed jobs for the platform admin: which job, on what, for whom, why, how often; and a retry.

The outbox rows are the record in both modes, so one list serves both: in embedded mode a failed
run leaves its row pending with the error (nothing retries it until `flask run-jobs` or this
page does), under RQ the row is relayed while RQ retries it and failed once the attempts are
used up."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from marketplace.extensions import db
from marketplace.labels import job_label
from marketplace.models import OutboxJob, User
from marketplace.services import audit, outbox
from marketplace.services.errors import Conflict, NotFound

# An admin may start these again. A relayed row is RQ's to retry: a second run beside RQ's own
# would only race it.
RETRYABLE = ("failed", "pending")
ERROR_CHARS = 300


@dataclass(frozen=True)
class FailedJob:
    """One failed job as the admin page shows it."""

    id: int
    job: str
    object: str
    recipient: str | None
    error: str
    attempts: int
    state: str
    retryable: bool


def listing(limit: int = 100) -> list[FailedJob]:
    """Jobs that failed for good, and jobs whose last run failed and that wait for a retry."""
    rows = db.session.scalars(
        select(OutboxJob).where(_failed()).order_by(OutboxJob.id.desc()).limit(limit)
    )
    return [_describe(row) for row in rows]


def get(outbox_id: int) -> FailedJob:
    """One listed job; NotFound for a job that is not (or no longer) failed."""
    row = db.session.scalar(select(OutboxJob).where(OutboxJob.id == outbox_id, _failed()))
    if row is None:
        raise NotFound()
    return _describe(row)


def retry(outbox_id: int, actor: User) -> None:
    """Run a failed job again with fresh attempts (audited); it runs, or goes to RQ, on commit.

    Sending twice is harmless: jobs are idempotent, and a mail job sends a message at most once
    (services/mail.py), so a retried mail that did go out is not sent again."""
    row = db.session.get(OutboxJob, outbox_id)
    if row is None:
        raise NotFound()
    before = {"status": row.status, "attempts": row.attempts}
    if not outbox.requeue(outbox_id, RETRYABLE):
        db.session.rollback()
        raise Conflict(_("Job %(id)s is not waiting for a retry any more.", id=outbox_id))
    audit.record(
        "job.retry", row, before=before, after={"status": "pending", "attempts": 0}, actor=actor
    )
    db.session.commit()


def _failed():
    return or_(
        OutboxJob.status == "failed",
        and_(OutboxJob.status.in_(("pending", "relayed")), OutboxJob.last_error.is_not(None)),
    )


def _describe(row: OutboxJob) -> FailedJob:
    obj, recipient = _object_of(row.job_name, list(row.args))
    return FailedJob(
        id=row.id,
        job=job_label(row.job_name),
        object=obj,
        recipient=recipient,
        error=error_summary(row.last_error),
        attempts=row.attempts,
        state=_state_label(row.status),
        retryable=row.status in RETRYABLE,
    )


def _object_of(job_name: str, args: list) -> tuple[str, str | None]:
    """What the job works on and, for e-mail, to whom, from its arguments (worker/jobs.py)."""
    if job_name == "send_mail" and len(args) >= 3:
        return _("E-mail “%(subject)s”", subject=args[2]), str(args[1])
    if job_name == "recompute_contract" and args:
        return _("Contract %(id)s", id=args[0]), None
    return ", ".join(str(a) for a in args) or "—", None


def error_summary(text: str | None) -> str:
    """The exception line of a stored traceback (its last line), shortened for a table cell."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    summary = lines[-1] if lines else "—"
    return summary if len(summary) <= ERROR_CHARS else summary[: ERROR_CHARS - 1] + "…"


def _state_label(status: str) -> str:
    return {
        "failed": _("Failed; no more automatic attempts"),
        "pending": _("Failed; waiting for a retry"),
        "relayed": _("Failed; being retried automatically"),
    }.get(status, status)
