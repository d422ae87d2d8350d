"""Locale selection: the user's choice (session), else Dutch. Browsers' headers are ignored on
purpose: the product is Dutch first, English on request."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def select_locale() -> str:
    if not has_request_context():  # jobs and CLI write Dutch
        return "nl"
    chosen = session.get("locale")
    return chosen if chosen in current_app.config["LANGUAGES"] else "nl"
