"""Locale selection: the user's choice (session), else Dutch. Browsers' headers are ignored on
purpose: the product is Dutch first, English on request."""

from __future__ import annotations

from flask import current_app, session


def select_locale() -> str:
    chosen = session.get("locale")
    return chosen if chosen in current_app.config["LANGUAGES"] else "nl"
