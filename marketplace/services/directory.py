"""The public profile of a social enterprise or werkbedrijf in the directory (`/organisaties`):
what it does, where, how much, and the certifications the platform verified, shown as badges
(docs/architecture.md "Search" for the listing itself).

Choices where the rules are silent:
- A verified organisation's page is public; the directory links to those it lists (verified
  social enterprises and werkbedrijven, services/search.py), and `listed` says so.
- An unverified organisation's page is seen by its own members and the platform admin only;
  anyone else gets a 404, as for a name that does not exist: nobody has checked yet that it is
  who it says it is, so its page must not lend it credibility (or be found by guessing).
- A badge shows a certification only while it counts (domain/certification.py): verified and
  valid today. An expired or unverified one is not shown at all, rather than shown as doubtful.
- A member badge shows each network where the organisation has member features now (active or
  past due): the badge is the member's own, shown whatever its consent to be named on the
  network's public page; a suspended or cancelled membership shows none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Organisation, OrganisationCertification, PsoCertificate, User
from marketplace.models._types import utcnow
from marketplace.services import deals, memberships, organisations, search
from marketplace.services.errors import NotFound


@dataclass(frozen=True)
class Badge:
    """One certification as the profile shows it: its code (a key of labels.certification_labels
    or "pso"), the PSO level when it is one, and until when it is valid (None: open-ended)."""

    code: str
    level: str | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class Profile:
    organisation: Organisation
    badges: list[Badge]
    offerings: list[search.Hit]
    deals: deals.DealRecord
    role: str | None  # the viewer's role in the organisation, None for an outsider
    networks: list[Organisation]

    @property
    def listed(self) -> bool:
        return search.in_directory(self.organisation)


def profile(slug: str, today: date, viewer: User) -> Profile:
    """The profile of the organisation with `slug` as `viewer` (a user or the anonymous one) may
    see it: its verified, valid certifications, its open offerings, and its delivered deals with
    published reviews. NotFound for an unknown slug, and for an unverified organisation unless
    the viewer is one of its members or the platform admin (module docstring)."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound()
    role = organisations.role_of(viewer, org)
    if not org.is_verified and role is None and not getattr(viewer, "is_admin", False):
        raise NotFound()
    return Profile(
        org,
        _badges(org, today),
        search.newest("offering", 50, org.id),
        deals.record_of(org, utcnow()),
        role,
        memberships.member_networks_of(org),
    )


def _badges(org: Organisation, today: date) -> list[Badge]:
    badges = []
    pso = db.session.scalars(
        select(PsoCertificate)
        .where(
            PsoCertificate.organisation_id == org.id,
            PsoCertificate.verified_at.is_not(None),
            PsoCertificate.rejected_at.is_(None),
            PsoCertificate.valid_until >= today,
        )
        .order_by(PsoCertificate.valid_until.desc())
    ).first()
    if pso is not None:
        badges.append(Badge("pso", pso.level, pso.valid_until))
    if org.kind == "werkbedrijf":
        badges.append(Badge("werkbedrijf"))
    for cert in db.session.scalars(
        select(OrganisationCertification)
        .where(
            OrganisationCertification.organisation_id == org.id,
            OrganisationCertification.verified_at.is_not(None),
            OrganisationCertification.valid_from <= today,
            (OrganisationCertification.valid_until.is_(None))
            | (OrganisationCertification.valid_until >= today),
        )
        .order_by(OrganisationCertification.code)
    ):
        if cert.code != "werkbedrijf" or org.kind != "werkbedrijf":
            badges.append(Badge(cert.code, None, cert.valid_until))
    return badges
