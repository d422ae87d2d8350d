"""Telling the best matches of a newly published listing (docs/architecture.md "Notifications").

When a listing is published, `listings` enqueues the job `notify_listing_matches`; it ranks the
listing's matches (services/matches.py, the same ranking its page shows) and tells the members
of the `TOP` best-scoring organisations, in the app and by e-mail, each at most once per
(listing, organisation). The pair is a row of `match_notices` under a unique constraint, inserted
(`ON CONFLICT DO NOTHING`) in the transaction that writes the notifications: a second run, or
two runs at once, find the row (PostgreSQL makes the second insert wait for the first
transaction, then skip it) and tell nobody again.

Choices where the rules are silent:
- An organisation counts with its best score, from one of its listings or (for demand) from its
  profile as a supplier; the poster's own organisation is never a match.
- Only a listing still open when the job runs is announced: one closed in the meantime is not.
- A network-only listing is announced only to organisations with member features in its
  network (the network itself included): the best of them among the `WIDER` best matches.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.extensions import db
from marketplace.models import Listing, MatchNotice
from marketplace.models._types import utcnow
from marketplace.services import matches, memberships, notifications

# How many organisations hear of a new listing.
TOP = 5
# How many of the best matches a network-only listing's members are picked from.
WIDER = 50


def best_organisations(listing: Listing, top: int = TOP) -> list[tuple[int, int]]:
    """(organisation id, score) of the `top` best matches of `listing` that may see it, best
    first."""
    found = matches.matches_of(listing, None, limit=top if listing.network_id is None else WIDER)
    if found is None:
        return []
    best: dict[int, int] = {}
    for org_id, score in [(m.listing.organisation_id, m.score) for m in found.listings] + [
        (s.organisation.id, s.score) for s in found.suppliers
    ]:
        best[org_id] = max(score, best.get(org_id, 0))
    if listing.network_id is not None:
        members = memberships.with_member_features(listing.network_id, best)
        best = {org_id: score for org_id, score in best.items() if org_id in members}
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))[:top]


def notify_matches(listing_id: int) -> int:
    """Tell the best matches of an open listing about it, once per organisation; returns how
    many organisations were told now (0 on a repeat)."""
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.status != "open":
        db.session.rollback()
        return 0
    params = {
        "title": listing.title,
        "kind": listing.kind,
        "organisation": listing.organisation.name,
    }
    link = notifications.Link(listing.kind, {"listing_id": listing.id})
    told = 0
    for org_id, score in best_organisations(listing):
        if not _claim(listing.id, org_id, score):
            continue
        notifications.notify(org_id, "listing_match", params, link)
        told += 1
    db.session.commit()
    return told


def _claim(listing_id: int, org_id: int, score: int) -> bool:
    """Record the pair unless it is there; False when it was (told before, or by a run that
    committed while this one waited on PostgreSQL's unique index)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    inserted = db.session.scalar(
        insert(MatchNotice.__table__)
        .values(listing_id=listing_id, organisation_id=org_id, score=score, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["listing_id", "organisation_id"])
        .returning(MatchNotice.__table__.c.id)
    )
    return inserted is not None
