"""Saved searches and their daily digest (docs/architecture.md "Notifications").

A logged-in user keeps a search of /zoeken (its words and filters, as the page's GET
arguments hold them); once a day `daily_digest` runs each saved search through
services/search.py and tells its user of the hits published since the previous digest.

Choices where the rules are silent:
- "New" means published after the last digest (or after saving, for the first one): a listing
  edited later to fit the search is not new. The newest `DIGEST_HITS` new hits are named.
- Once a day per saved search, held in the database: a conditional update claims the day
  (`digested_on`), so a second run that day, or two at once, tell nobody again.
- A user keeps at most `MAX_PER_USER` saved searches; saving one already saved keeps the first.
- The digest finds what the user would find on the page that day: network-only demand of the
  networks where the user's organisations have member features then, nothing of the others.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from marketplace.extensions import db
from marketplace.models import SavedSearch, User
from marketplace.services import audit, memberships, notifications, organisations, pages, search
from marketplace.services.errors import NotFound, ServiceError

MAX_PER_USER = 20
QUERY_MAX = 200
DIGEST_HITS = 10
BATCH = 500


def of_user(user: User) -> list[SavedSearch]:
    """The user's saved searches, oldest first."""
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.id)
        )
    )


def save(user: User, text: str | None, filters: search.Filters) -> SavedSearch:
    """Keep the search of `text` and `filters` for `user`'s daily digest; the one already saved
    when it is the same search."""
    query = (text or "").strip()[:QUERY_MAX]
    stored = filters.storable()
    if stored is None:
        raise ServiceError(_("This search cannot be saved."), code="not_storable")
    chosen = {facet: list(values) for facet, values in stored.chosen().items()}
    saved = of_user(user)
    for existing in saved:
        if existing.query == query and existing.filters == chosen:
            return existing
    if len(saved) >= MAX_PER_USER:
        raise ServiceError(
            _("You can keep at most %(max)d searches: delete one first.", max=MAX_PER_USER),
            code="too_many",
        )
    saved_search = SavedSearch(user_id=user.id, query=query, filters=chosen)
    db.session.add(saved_search)
    db.session.flush()
    audit.record("saved_search.created", saved_search, after={"query": query}, actor=user)
    db.session.commit()
    return saved_search


def delete(user: User, saved_search_id: int) -> None:
    """Delete one of the user's saved searches; another user's answers 404."""
    saved_search = db.session.get(SavedSearch, saved_search_id)
    if saved_search is None or saved_search.user_id != user.id:
        raise NotFound()
    audit.record(
        "saved_search.deleted", saved_search, before={"query": saved_search.query}, actor=user
    )
    db.session.delete(saved_search)
    db.session.commit()


def search_args(saved_search: SavedSearch) -> dict[str, str | list[str]]:
    """The /zoeken GET arguments that show the saved search again."""
    args: dict[str, str | list[str]] = dict(saved_search.filters)
    if saved_search.query:
        args["q"] = saved_search.query
    return args


def new_hits(saved_search: SavedSearch, since: datetime) -> list[search.Hit]:
    """The newest hits of the saved search published after `since` (at most DIGEST_HITS), as
    its user may find them today."""
    user = db.session.get(User, saved_search.user_id)
    orgs = organisations.organisations_of(user) if user is not None else []
    results = search.search(
        saved_search.query,
        search.Filters.from_args(saved_search.filters),
        "newest",
        1,
        DIGEST_HITS,
        networks=memberships.access_of([o.id for o in orgs]).networks,
    )
    return [hit for hit in results.items if hit.published_at > since]


def daily_digest(today: date, now: datetime) -> int:
    """Tell each user of the new hits of each saved search not yet digested today; returns how
    many notifications were sent. Each saved search is claimed and told in one transaction."""
    ids = pages.ids_in_batches(
        lambda after: (
            select(SavedSearch.id)
            .where(
                SavedSearch.id > after,
                or_(SavedSearch.digested_on.is_(None), SavedSearch.digested_on < today),
            )
            .order_by(SavedSearch.id)
        ),
        BATCH,
    )
    return sum(_digest(saved_search_id, today, now) for saved_search_id in ids)


def _digest(saved_search_id: int, today: date, now: datetime) -> int:
    saved_search = db.session.get(SavedSearch, saved_search_id)
    if saved_search is None:
        return 0
    since = saved_search.digested_until
    claimed = db.session.execute(
        update(SavedSearch)
        .where(
            SavedSearch.id == saved_search_id,
            or_(SavedSearch.digested_on.is_(None), SavedSearch.digested_on < today),
        )
        .values(digested_on=today, digested_until=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return 0
    hits = new_hits(saved_search, since)
    if hits:
        notifications.notify(
            db.session.get(User, saved_search.user_id),
            "saved_search",
            {
                "query": saved_search.query,
                "count": len(hits),
                "items": [hit.title for hit in hits],
            },
            notifications.Link("search", search_args(saved_search)),
        )
    db.session.commit()
    return 1 if hits else 0
