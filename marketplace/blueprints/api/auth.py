"""Bearer-token authentication for API views (tokens are loaded by Flask-Login's request_loader)."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user
from flask_smorest import abort


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401, message="A valid bearer token is required.")
        return view(*args, **kwargs)

    return wrapped
