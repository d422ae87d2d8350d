"""Locale selection: the user's choice (session), else Dutch. Browsers' headers are ignored on
purpose: the product is Dutch first, English on request.

A logged-in user's last choice is also kept on the user (`User.locale`), so that what is written
to them later, by a job or by another user's request, is in their language: `language_of`."""

from __future__ import annotations

from flask import current_app, has_request_context, session


def select_locale() -> str:
    if not has_request_context():  # jobs and CLI write Dutch unless told otherwise
        return "nl"
    chosen = session.get("locale")
    return chosen if chosen in current_app.config["LANGUAGES"] else "nl"


def language_of(locale: str | None) -> str:
    """The language to write to a user in: the one they last chose if the app offers it, else
    Dutch (use with flask_babel.force_locale)."""
    return locale if locale in current_app.config["LANGUAGES"] else "nl"
