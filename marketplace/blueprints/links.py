"""The pages that services name (`marketplace.links`, the links of mails and notifications), by
name, and their endpoints with any values the name fixes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

ENDPOINTS: dict[str, str | tuple[str, dict[str, str]]] = {
    "login": "auth.login",
    "register": "auth.register",
    "contractor_overview": "contractor.index",
    "organisation": "orgs.profile",
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
    """In a request, the request's own address; in a job or a command (no request), BASE_URL:
    Flask's url_for cannot build a URL there without SERVER_NAME, which `make run` and a
    production server behind a proxy do not set."""
    endpoint = ENDPOINTS[name]
    if isinstance(endpoint, tuple):
        endpoint, fixed = endpoint
        values = {**fixed, **values}
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=external, **values)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=external)


def external_url(name: str, **values: Any) -> str:
    """The absolute URL of the page `name`: a mail is read outside the site."""
    return _url(name, True, values)


def link_path(name: str | None, values: dict[str, Any] | None = None) -> str | None:
    """The path of the page `name` within the site (a notification's link); None without a
    name or for a name this version no longer knows."""
    if name is None or name not in ENDPOINTS:
        return None
    return _url(name, False, dict(values or {}))
