"""The mails the app wrote to its mail folder (MAIL_DIR, where it writes without MAIL_SERVER), read
back for the tests' assertions."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from flask import current_app


def outbox_messages(to: str | None = None) -> list[EmailMessage]:
    """Messages written to the mail folder, oldest first; only those to `to` when given."""
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
