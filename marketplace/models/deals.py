"""From demand to counted social return: a supplier's proposal on a demand with the thread the two
sides talk in, the deal an accepted proposal becomes (with its invoice and the realisation it
created), and the reviews both sides leave after delivery. Rules: docs/domain.md "The marketplace"
and "Realisations, approval and no double counting"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import Organisation, User
from marketplace.models.market import Listing
from marketplace.models.sroi import Contract, Realisation

PROPOSAL_STATES = ("open", "revision_requested", "accepted", "declined", "withdrawn")
# A proposal still under discussion: a supplier has at most one of these per demand.
ACTIVE_PROPOSAL_STATES = ("open", "revision_requested")
_ACTIVE = "status IN ('open', 'revision_requested')"
ACTIVE_PROPOSAL_INDEX = "uq_proposals_active_per_supplier"
DEAL_STATES = ("agreed", "delivered")


class Proposal(db.Model):
    """A supplier's answer to a demand: a message, a price and/or volume, an optional attachment
    (stored like evidence files, services/evidence.py). Only the demand's poster and the supplier
    see it."""

    __tablename__ = "proposals"
    __table_args__ = (
        # One proposal under discussion per supplier per demand, held by the database.
        Index(
            ACTIVE_PROPOSAL_INDEX,
            "listing_id",
            "organisation_id",
            unique=True,
            postgresql_where=text(_ACTIVE),
            sqlite_where=text(_ACTIVE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(
        ForeignKey("listings.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    offering_id: Mapped[int | None] = mapped_column(ForeignKey("listings.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(Text, default="")
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    volume: Mapped[str] = mapped_column(String(80), default="")
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    attachment_content_type: Mapped[str | None] = mapped_column(String(60))
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    listing: Mapped[Listing] = relationship(foreign_keys=[listing_id])
    offering: Mapped[Listing | None] = relationship(foreign_keys=[offering_id])
    organisation: Mapped[Organisation] = relationship()
    messages: Mapped[list[ProposalMessage]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalMessage.id"
    )


class ProposalMessage(db.Model):
    """One message in a proposal's thread, by a member of one of the two sides."""

    __tablename__ = "proposal_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Deal(db.Model):
    """An accepted proposal: who buys from whom, for which demand and contract, at what value.
    The buyer marks it delivered with the invoice, which creates the realisation it links to."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), unique=True
    )
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"))
    agreed_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(10), default="agreed")
    invoice_number: Mapped[str | None] = mapped_column(String(60))
    invoice_date: Mapped[date | None]
    invoice_amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    invoice_file_name: Mapped[str | None] = mapped_column(String(200))
    invoice_file_stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    invoice_file_content_type: Mapped[str | None] = mapped_column(String(60))
    invoice_file_sha256: Mapped[str | None] = mapped_column(String(64))
    realisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("realisations.id", ondelete="SET NULL")
    )
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    buyer: Mapped[Organisation] = relationship(foreign_keys=[buyer_id])
    supplier: Mapped[Organisation] = relationship(foreign_keys=[supplier_id])
    listing: Mapped[Listing] = relationship()
    contract: Mapped[Contract | None] = relationship()
    realisation: Mapped[Realisation | None] = relationship()
    reviews: Mapped[list[Review]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="Review.id"
    )


class Review(db.Model):
    """One side's review of a delivered deal. `published_at` is the moment it becomes public:
    14 days after it was written, or at once for both when the other side writes theirs
    (services/deals.py "reviews")."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("deal_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime]

    deal: Mapped[Deal] = relationship(back_populates="reviews")
    author: Mapped[Organisation] = relationship()
