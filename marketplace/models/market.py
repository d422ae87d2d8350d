"""The marketplace: listings (demand and offerings in one table) and the certifications of
social enterprises that the platform verified. Rules: docs/domain.md, "The marketplace"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import Organisation, User
from marketplace.models.sroi import Contract

LISTING_KINDS = ("demand", "offering")
LISTING_TYPES = ("service", "product", "placement")
LISTING_VISIBILITIES = ("public", "network")
CERTIFICATION_CODES = ("code_sociale_ondernemingen", "social_enterprise_nl", "werkbedrijf")


class Listing(db.Model):
    """A demand (vraag) or an offering (aanbod) of one organisation. Both sides share the
    classification, so matching and search read one table. `amount_cents` is the budget of a
    demand and the price of an offering; `expires_on` is the day after which the daily job
    marks the listing expired (a demand's wanted-by date, an offering's end of availability)."""

    __tablename__ = "listings"
    __table_args__ = (
        Index("ix_listings_kind_status", "kind", "status"),
        # Matching's bounded candidate ranges (services/matches.py): the newest open listings of
        # one side in a sector and region, a sector, a region, each read in index order.
        Index(
            "ix_listings_match_sector_region", "kind", "status", "sector", "region", "published_at"
        ),
        Index("ix_listings_match_sector", "kind", "status", "sector", "published_at"),
        Index("ix_listings_match_region", "kind", "status", "region", "published_at"),
        # A network-only listing names its network; a public one names none.
        CheckConstraint(
            "(visibility = 'network' AND network_id IS NOT NULL)"
            " OR (visibility = 'public' AND network_id IS NULL)",
            name="network_visibility",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(60), index=True)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    volume: Mapped[str] = mapped_column(String(80), default="")
    fte: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    wanted_by: Mapped[date | None]
    available_from: Mapped[date | None]
    expires_on: Mapped[date | None]
    contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), index=True
    )
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    # The network whose members alone see the listing (docs/domain.md "The marketplace":
    # visibility public or network only); RESTRICT: a network with such listings stays.
    network_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    expiry_notice_sent_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    network: Mapped[Organisation | None] = relationship(foreign_keys=[network_id])
    created_by: Mapped[User | None] = relationship()
    contract: Mapped[Contract | None] = relationship()

    @property
    def amount_name(self) -> str:
        """The API's name of `amount_cents` for this side: budget_cents or price_cents."""
        return "budget_cents" if self.kind == "demand" else "price_cents"

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.kind} {self.status}>"


class OrganisationCertification(db.Model):
    """A social-enterprise certification (Code Sociale Ondernemingen, Social Enterprise NL, or
    werkbedrijf) the organisation recorded; it counts only once the platform admin verified it,
    never once rejected (services/certifications.py). PSO certificates stay in `PsoCertificate`;
    a werkbedrijf organisation counts as certified "werkbedrijf" by its verified kind without a
    row here."""

    __tablename__ = "organisation_certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(40))
    reference: Mapped[str] = mapped_column(String(60), default="")
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime | None]
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    @property
    def verification(self) -> str:
        """ "verified", "rejected" or "pending" (recorded by the organisation, not checked yet),
        as for a PSO certificate."""
        if self.verified_at is not None:
            return "verified"
        return "rejected" if self.rejected_at is not None else "pending"
