"""Marketplace listings: an organisation's demand and offerings, and who may see them
(rules in domain/listings.py, docs/domain.md "The marketplace")."""

from __future__ import annotations

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing, Organisation


def listings_of(org: Organisation) -> list[Listing]:
    """All listings of `org`, newest first: its own members see every status."""
    return list(
        db.session.scalars(
            select(Listing)
            .where(Listing.organisation_id == org.id)
            .order_by(Listing.updated_at.desc(), Listing.id.desc())
        )
    )
