"""What every page's layout needs besides its route's data: the user's organisations, the
selected one and the user's role in it (loaded before the route runs, which acts for it) and
the nav's counts: unread notifications, and realisations awaiting a decision. `create_app`
registers these for the whole app."""

from __future__ import annotations

from flask import g, has_request_context, session
from flask_login import current_user

from marketplace.services import notifications, organisations, realisations


def load_current_org() -> None:
    """Put the user's organisations and the selected one on `g` for every page, and forget the
    previous request's nav count (`g` outlives a request when an app context was pushed around
    it: tests, scripts)."""
    g.pop("awaiting_count", None)
    g.pop("unread_notifications", None)
    g.user_orgs, g.current_org, g.current_role = [], None, None
    if current_user.is_authenticated:
        roles = organisations.roles_of(current_user)
        g.user_orgs = [org for org, _role in roles]
        chosen = session.get("org_id")
        g.current_org, g.current_role = next(
            (pair for pair in roles if pair[0].id == chosen), roles[0] if roles else (None, None)
        )


def member_ids() -> set[int]:
    """The ids of the user's organisations, as loaded before the route (`load_current_org`):
    routes and API views hand them to the services' membership checks instead of having each
    check ask the database again."""
    return {o.id for o in g.user_orgs}


def nav_counts() -> dict[str, int]:
    """`unread_notifications` for a logged-in user, and `awaiting_count` for an authority's
    pages (the nav and the dashboard show it): taken from the approval queue when the route
    has loaded a page of it (`remember_awaiting`); each counted at most once per request."""
    counts: dict[str, int] = {}
    if not has_request_context():
        return counts  # a job rendering a report or a mail: no one is logged in, no nav
    if current_user.is_authenticated:
        if "unread_notifications" not in g:
            g.unread_notifications = notifications.unread_count(current_user)
        counts["unread_notifications"] = g.unread_notifications
    org = g.get("current_org")
    if org is not None and org.kind == "authority":
        if "awaiting_count" not in g:
            g.awaiting_count = realisations.awaiting_count(org.id)
        counts["awaiting_count"] = g.awaiting_count
    return counts


def remember_awaiting(total: int) -> None:
    """The number awaiting a decision, as a route just read it with a page of the queue: the nav
    shows it without counting again."""
    g.awaiting_count = total
