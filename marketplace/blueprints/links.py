"""The pages that services name (`marketplace.links`, the links of mails and notifications), by
name, and their endpoints with any values the name fixes."""

from __future__ import annotations

from typing import Any

from flask import url_for

ENDPOINTS: dict[str, str | tuple[str, dict[str, str]]] = {
    "login": "auth.login",
    "forgot_password": "auth.forgot_password",
    "confirm_email": "auth.confirm",
    "reset_password": "auth.reset_password",
    "accept_invitation": "orgs.accept_invitation",
    "proposal": "deals.proposal",
    "deal": "deals.deal",
    "demand": ("market.detail", {"side": "vraag"}),
    "offering": ("market.detail", {"side": "aanbod"}),
    "search": "market.search_page",
    "notifications": "notifications.index",
    "notification_settings": "notifications.settings",
    "approval_queue": "officer.queue",
    "contract": "contracts.detail",
    "realisation": "contractor.edit_realisation",
}


def _url(name: str, external: bool, values: dict[str, Any]) -> str:
    endpoint = ENDPOINTS[name]
    if isinstance(endpoint, tuple):
        endpoint, fixed = endpoint
        values = {**fixed, **values}
    return url_for(endpoint, _external=external, **values)


def external_url(name: str, **values: Any) -> str:
    """The absolute URL of the page `name`: a mail is read outside the site."""
    return _url(name, True, values)


def link_path(name: str | None, values: dict[str, Any] | None = None) -> str | None:
    """The path of the page `name` within the site (a notification's link); None without a
    name or for a name this version no longer knows."""
    if name is None or name not in ENDPOINTS:
        return None
    return _url(name, False, dict(values or {}))
