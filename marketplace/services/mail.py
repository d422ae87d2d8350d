"""Outgoing mail through the outbox. Without MAIL_SERVER a message is written to
instance/mail/<id>.eml and logged, so a developer can click confirmation links locally."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import SentMail
from marketplace.models._types import utcnow
from marketplace.observability import current_request_id
from marketplace.services.outbox import enqueue, enqueue_many

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> None:
    """Queue a plain-text mail in the current transaction."""
    enqueue("send_mail", uuid.uuid4().hex, to, subject, body)


def send_many(messages: list[tuple[str, str, str]]) -> int:
    """Queue (to, subject, body) mails in the current transaction with one insert."""
    return len(enqueue_many("send_mail", [[uuid.uuid4().hex, *m] for m in messages]))


def deliver(message_id: str, to: str, subject: str, body: str) -> None:
    """Send (or write) one message at most once, keyed by `message_id` (its idempotency key).

    The key is claimed and committed before the message leaves, so a retry after a worker died
    mid-send sends nothing rather than a second copy. A send that fails with an error gives the
    key back: the server did not take the message, and the job's retry must send it. The
    Message-ID header is derived from the key, so a receiving system can also spot a copy."""
    if not _claim(message_id, to):
        log.info("mail %s to %s was sent before (or its send broke off): not again", message_id, to)
        return
    try:
        _transmit(_compose(message_id, to, subject, body), message_id)
    except Exception:
        db.session.rollback()
        db.session.execute(delete(SentMail).where(SentMail.key == message_id))
        db.session.commit()
        raise
    db.session.execute(update(SentMail).where(SentMail.key == message_id).values(sent_at=utcnow()))
    db.session.commit()
    log.info("mail to %s: %s\n%s", to, subject, body)


def _claim(message_id: str, to: str) -> bool:
    """Record the key in its own committed transaction; False when it was there already."""
    db.session.add(SentMail(key=message_id, recipient=to))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _compose(message_id: str, to: str, subject: str, body: str) -> EmailMessage:
    """The message; the subject on one line, because it is built from text users typed (a
    listing's title, an organisation's name) and a header with a line break is refused by the
    email package, so the mail would never leave (and could otherwise add a header)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = " ".join(subject.split())
    msg["Message-ID"] = f"<{message_id}@sociaalrendement>"
    if request_id := current_request_id():  # the request that caused it, for the logs
        msg["X-Request-ID"] = request_id
    msg.set_content(body)
    return msg


def _transmit(msg: EmailMessage, message_id: str) -> None:
    """Hand the message to the SMTP server, or without one write it to the mail folder."""
    cfg = current_app.config
    if cfg.get("MAIL_SERVER"):
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(msg)
        return
    folder = Path(cfg["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{message_id}.eml").write_bytes(bytes(msg))


def forget_recipient(old: str, new: str) -> None:
    """Replace a deleted account's address in the sent-mail keys (the keys stay: they guard
    against a retry sending twice); in the caller's transaction."""
    db.session.execute(update(SentMail).where(SentMail.recipient == old).values(recipient=new))
