"""/beheer/ lists failed jobs readably in embedded mode, and a retry runs them again once."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditLog, OutboxJob
from marketplace.services import mail


def _refused_mail() -> int:
    """A mail queued while the SMTP server is down: in embedded mode it runs, and fails, at once."""
    mail.send("iemand@example.com", "Welkom bij Sociaal Rendement", "Hallo")
    db.session.commit()
    return db.session.scalar(select(OutboxJob.id))


def _row(outbox_id: int) -> OutboxJob:
    db.session.expire_all()
    return db.session.get(OutboxJob, outbox_id)


def test_mail_refused_by_smtp_in_embedded_mode_is_shown_failed_with_its_error(
    client, auth, admin, smtp_server
):
    job_id = _refused_mail()
    assert (_row(job_id).status, _row(job_id).attempts) == ("pending", 1)

    auth.login(admin.email)
    html = client.get("/beheer/").get_data(as_text=True)

    assert "Geen mislukte taken" not in html
    for shown in (
        "E-mail versturen",
        "Welkom bij Sociaal Rendement",
        "iemand@example.com",
        "ConnectionRefusedError",
        f"Taak {job_id} opnieuw proberen",
    ):
        assert shown in html
    assert "Traceback" not in html  # the exception line, not the stack


def test_admin_retries_a_refused_mail_once_smtp_works_and_it_is_sent_once(
    client, auth, admin, smtp_server
):
    job_id = _refused_mail()
    auth.login(admin.email)
    smtp_server.start()

    confirm = client.get(f"/beheer/taken/{job_id}/opnieuw")
    assert confirm.status_code == 200
    assert "iemand@example.com" in confirm.get_data(as_text=True)
    assert smtp_server.messages == []  # asking is not doing

    assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 302
    assert (_row(job_id).status, _row(job_id).attempts) == ("done", 1)
    assert len(smtp_server.messages) == 1
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "job.retry"))
    assert (audit.object_id, audit.actor_id) == (job_id, admin.id)
    assert audit.before["status"] == "pending"

    # Done: nothing left to retry.
    assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 404
    assert "Geen mislukte taken" in client.get("/beheer/").get_data(as_text=True)
    assert len(smtp_server.messages) == 1


def test_retry_while_smtp_is_still_down_lists_the_job_again(client, auth, admin, smtp_server):
    job_id = _refused_mail()
    auth.login(admin.email)

    client.post(f"/beheer/taken/{job_id}/opnieuw")

    assert (_row(job_id).status, _row(job_id).attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in client.get("/beheer/").get_data(as_text=True)


def test_only_admins_may_retry_jobs(client, auth, user, smtp_server):
    job_id = _refused_mail()
    auth.login(user.email)

    assert client.post(f"/beheer/taken/{job_id}/opnieuw").status_code == 403
    assert _row(job_id).attempts == 1


def test_every_registered_job_has_a_label_for_the_admin(app):
    from marketplace.labels import job_labels
    from marketplace.services.jobs import JOBS

    assert set(JOBS) <= set(job_labels())
