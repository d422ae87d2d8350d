"""The pages that services link to in mails (`marketplace.links`), by name, and their endpoints."""

from __future__ import annotations

from typing import Any

from flask import url_for

ENDPOINTS = {
    "login": "auth.login",
    "forgot_password": "auth.forgot_password",
    "confirm_email": "auth.confirm",
    "reset_password": "auth.reset_password",
    "accept_invitation": "orgs.accept_invitation",
    "proposal": "deals.proposal",
    "deal": "deals.deal",
}


def external_url(name: str, **values: Any) -> str:
    """The absolute URL of the page `name`: a mail is read outside the site."""
    return url_for(ENDPOINTS[name], _external=True, **values)
