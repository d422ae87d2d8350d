"""Rate limits beyond the login form's (auth/routes.py): registering, asking for a password reset
or a new confirmation link, searching (the page and the API share one count) and the API as a whole.

Counted by Flask-Limiter in RATELIMIT_STORAGE_URI: Redis in production, so every app server
counts the same requests (config.py). Each limit is a config value (REGISTER_RATE_LIMIT,
PASSWORD_RESET_RATE_LIMIT, SEARCH_RATE_LIMIT, API_RATE_LIMIT) read per request, so a deployment
or a test sets its own. A request over the limit gets 429 with `Retry-After` (the limiter's
headers, RATELIMIT_HEADERS_ENABLED) and our error page or, under /api/, our error envelope
(errors.py handles it like any HTTP error).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from marketplace.extensions import limiter


def user_or_address() -> str:
    """The logged-in user (by session or bearer token) or else the client's address: users
    behind one office address each get their own count, visitors share their address's."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{get_remote_address()}"


# Module-level functions, not lambdas: the limiter keeps a set of limits per route, and equal
# providers keep a second app (the tests make several) from counting every request twice.
def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _password_reset_limit() -> str:
    return current_app.config["PASSWORD_RESET_RATE_LIMIT"]


def _resend_limit() -> str:
    return current_app.config["RESEND_RATE_LIMIT"]


def _resend_address_limit() -> str:
    return current_app.config["RESEND_ADDRESS_RATE_LIMIT"]


def _resend_address() -> str:
    """The e-mail address a new confirmation link is asked for: one mailbox is not flooded
    from many client addresses."""
    return f"resend:{(request.form.get('email') or '').strip().lower()}"


def _search_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def _api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


# Per client address: no one is logged in yet.
register = limiter.limit(_register_limit, methods=["POST"])
password_reset = limiter.limit(_password_reset_limit, methods=["POST"])
# A new confirmation link: per client address, and per e-mail address asked for.
resend_confirmation = limiter.limit(_resend_limit, methods=["POST"])
resend_confirmation_address = limiter.limit(
    _resend_address_limit, key_func=_resend_address, methods=["POST"]
)
# One count for /zoeken and /api/v1/search together; on the API on top of the API's own.
search = limiter.shared_limit(
    _search_limit, scope="search", key_func=user_or_address, override_defaults=False
)


def limit_api(blueprint: Blueprint) -> None:
    """Every route of an API blueprint counts towards one API_RATE_LIMIT per user or address."""
    limiter.shared_limit(_api_limit, scope="api", key_func=user_or_address)(blueprint)
