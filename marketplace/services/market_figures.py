"""The marketplace's figures of the year, for the front page: what was posted and who can be found.

Choices where the rules are silent:
- A listing counts for the year it was first published in (`published_at`, UTC), whatever its
  status now: a demand that found its supplier and closed still counts as posted.
- Deals, their value and the SROI value they realised are counted by services/deals.py
  (`year_figures`), for the same year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Listing
from marketplace.services import deals, search


@dataclass(frozen=True)
class YearFigures:
    year: int
    demand_posted: int
    offerings_posted: int
    organisations_listed: int
    deals: deals.YearFigures


def this_year(today: date) -> YearFigures:
    """Listings published since 1 January of `today`'s year, by kind, the directory's size, and
    the year's deals."""
    start = datetime(today.year, 1, 1)
    rows = db.session.execute(
        select(Listing.kind, func.count())
        .where(Listing.published_at >= start)
        .group_by(Listing.kind)
    )
    posted = {kind: n for kind, n in rows}
    return YearFigures(
        today.year,
        posted.get("demand", 0),
        posted.get("offering", 0),
        search.counts_by_kind().get("organisation", 0),
        deals.year_figures(today.year),
    )
