"""Outgoing mail through the outbox. Without MAIL_SERVER a message is written to
instance/mail/<id>.eml and logged, so a developer can click confirmation links locally."""

from __future__ import annotations

import logging
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from marketplace.services.outbox import enqueue

log = logging.getLogger(__name__)


def send(to: str, subject: str, body: str) -> None:
    """Queue a plain-text mail in the current transaction."""
    enqueue("send_mail", uuid.uuid4().hex, to, subject, body)


def deliver(message_id: str, to: str, subject: str, body: str) -> None:
    """Send (or write) one message; a message id already written is not written again."""
    cfg = current_app.config
    msg = EmailMessage()
    msg["From"] = cfg["MAIL_DEFAULT_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}@sociaalrendement>"
    msg.set_content(body)
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
    path = folder / f"{message_id}.eml"
    if not path.exists():
        path.write_bytes(bytes(msg))
    log.info("mail to %s: %s\n%s", to, subject, body)


def outbox_messages(to: str | None = None) -> list[EmailMessage]:
    """Messages written to the mail folder (newest last); used by the demo and tests."""
    from email import policy
    from email.parser import BytesParser

    folder = Path(current_app.config["MAIL_DIR"])
    if not folder.exists():
        return []
    parser = BytesParser(policy=policy.default)
    found = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = parser.parsebytes(path.read_bytes())
        if to is None or message["To"] == to:
            found.append(message)
    return found
