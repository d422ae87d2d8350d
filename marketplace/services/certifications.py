"""Suppliers' certifications: an organisation records one (Code Sociale Ondernemingen, Social
Enterprise NL, werkbedrijf), the platform admin verifies it or rejects it with a reason, and what
is verified is read for the domain's `certification.best_certification` (docs/domain.md "Matches
and their SROI value").

As with PSO certificates (services/pso.py), a self-declared certification earns no purchase
credit and shows no badge until someone who can check it against the public register verified it:
here only the platform admin, since no authority's contract depends on it.

The marketplace's SROI preview and a deal's invoice realisation both ask which certification of a
supplier counts on a date; both read the facts here, so a preview and the realisation it previews
cannot disagree about the supplier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, null, select, union_all
from sqlalchemy.orm import joinedload

from marketplace.domain.certification import (
    HeldCertification,
    HeldPsoCertificate,
    SupplierFacts,
    best_certification,
    recordable_codes,
)
from marketplace.domain.valuation import Block
from marketplace.extensions import db
from marketplace.labels import certification_label
from marketplace.models import Organisation, OrganisationCertification, PsoCertificate, User
from marketplace.models._types import utcnow
from marketplace.services import audit, decisions, notify, organisations, search
from marketplace.services.errors import NotFound, ServiceError

REFERENCE_MAX = 60


def supplier_facts(orgs: Iterable[Organisation]) -> dict[int, SupplierFacts]:
    """The certification facts of each organisation, by id, in one query whatever their number:
    its kind and verification (from `orgs`), its recorded certifications and its PSO
    certificates (a rejected PSO certificate is never verified: a rejection clears the
    verification). Only the columns the rule reads are loaded: matching asks this for a hundred
    suppliers at once."""
    by_id = {org.id: org for org in orgs}
    if not by_id:
        return {}
    recorded = select(
        OrganisationCertification.organisation_id,
        literal(False).label("pso"),
        OrganisationCertification.code,
        OrganisationCertification.valid_from,
        OrganisationCertification.valid_until,
        OrganisationCertification.verified_at,
    ).where(OrganisationCertification.organisation_id.in_(by_id))
    pso_certificates = select(
        PsoCertificate.organisation_id,
        literal(True).label("pso"),
        PsoCertificate.level,
        null().label("valid_from"),
        PsoCertificate.valid_until,
        PsoCertificate.verified_at,
    ).where(PsoCertificate.organisation_id.in_(by_id))
    held: dict[int, list[HeldCertification]] = defaultdict(list)
    pso: dict[int, list[HeldPsoCertificate]] = defaultdict(list)
    for org_id, is_pso, code, valid_from, valid_until, verified_at in db.session.execute(
        union_all(recorded, pso_certificates)
    ):
        verified = verified_at is not None
        if is_pso:
            pso[org_id].append(HeldPsoCertificate(code, valid_until, verified))
        else:
            held[org_id].append(HeldCertification(code, valid_from, valid_until, verified))
    return {
        org_id: SupplierFacts(
            kind=org.kind,
            verified=org.is_verified,
            certifications=tuple(held[org_id]),
            pso_certificates=tuple(pso[org_id]),
        )
        for org_id, org in by_id.items()
    }


def certification_of(org: Organisation, on: date, block: Block | None = None) -> str:
    """The certification of `org` that earns the most purchase credit on `on` under the invoice
    `block`'s credit table (None: the defaults), as an invoice realisation records it."""
    return best_certification(supplier_facts([org])[org.id], on, block)


# --- recording and verification ------------------------------------------------------------


def record(
    org: Organisation,
    code: str,
    reference: str,
    valid_from: date | None,
    valid_until: date | None,
    by: User,
) -> OrganisationCertification:
    """Record a certification of `org` by one of its members, awaiting verification; every
    field that is not valid is named at once."""
    organisations.require_role(by, org)
    reference = reference.strip()
    fields = {}
    if code not in recordable_codes(org.kind):
        fields["code"] = _("Choose a certification.")
    if not reference:
        fields["reference"] = _("Enter the register number or membership reference.")
    elif len(reference) > REFERENCE_MAX:
        fields["reference"] = _("Use at most %(n)d characters.", n=REFERENCE_MAX)
    if valid_from is None:
        fields["valid_from"] = _("Enter the date from which it is valid.")
    elif valid_until is not None and valid_until < valid_from:
        fields["valid_until"] = _("The end date cannot be before the start date.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    cert = OrganisationCertification(
        organisation_id=org.id,
        code=code,
        reference=reference,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    db.session.add(cert)
    db.session.flush()
    audit.record(
        "certification.recorded",
        cert,
        after={
            "code": code,
            "reference": reference,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
        actor=by,
    )
    db.session.commit()
    return cert


def certifications_of(org: Organisation, by: User) -> list[OrganisationCertification]:
    """The organisation's recorded certifications, newest first, for its members only."""
    organisations.require_role(by, org)
    return list(
        db.session.scalars(
            select(OrganisationCertification)
            .where(OrganisationCertification.organisation_id == org.id)
            .order_by(OrganisationCertification.created_at.desc(), OrganisationCertification.id)
        )
    )


def awaiting_verification() -> list[OrganisationCertification]:
    """Certifications nobody has verified or rejected yet, oldest first (the admin's queue)."""
    return list(
        db.session.scalars(
            select(OrganisationCertification)
            .where(
                OrganisationCertification.verified_at.is_(None),
                OrganisationCertification.rejected_at.is_(None),
            )
            .options(joinedload(OrganisationCertification.organisation))
            .order_by(OrganisationCertification.created_at, OrganisationCertification.id)
        )
    )


def get_for_verifier(certification_id: int, user: User) -> OrganisationCertification:
    """A certification the platform admin may decide on; NotFound for anyone else."""
    cert = db.session.get(OrganisationCertification, certification_id)
    if cert is None or not user.is_admin:
        raise NotFound()
    return cert


def _already_decided() -> dict[str, str]:
    """What the second of two admins deciding at once is told."""
    return {
        "already_verified": _("This certification has already been verified."),
        "already_rejected": _("This certification has already been rejected."),
    }


def verify(certification_id: int, by: User) -> OrganisationCertification:
    """Verify a certification: from now on it shows as a badge and earns purchase credit while
    valid; the directory and search index show it in the same transaction."""
    cert = get_for_verifier(certification_id, by)
    decisions.decide_once(cert, verified_at=utcnow(), verified_by_id=by.id, **_already_decided())
    audit.record("certification.verified", cert, after={"code": cert.code}, actor=by)
    search.index_organisation(cert.organisation)  # its certifications are badges and filters
    notify.organisation(
        cert.organisation_id,
        _l("Your certification is verified"),
        _l(
            "Your certification %(name)s (%(reference)s) is verified. It shows on your profile "
            "and counts in the SROI value of your offers while it is valid.",
            name=LazyString(certification_label, cert.code),
            reference=cert.reference,
        ),
    )
    db.session.commit()
    return cert


def reject(certification_id: int, reason: str, by: User) -> OrganisationCertification:
    """Reject a certification with the reason the organisation is told; it never counts."""
    cert = get_for_verifier(certification_id, by)
    reason = decisions.rejection_reason(reason, _("Say why the certification is rejected."))
    decisions.decide_once(
        cert,
        rejected_at=utcnow(),
        rejected_by_id=by.id,
        rejection_reason=reason,
        **_already_decided(),
    )
    audit.record("certification.rejected", cert, after={"reason": reason}, actor=by)
    notify.organisation(
        cert.organisation_id,
        _l("Your certification was not accepted"),
        _l(
            "Your certification %(name)s (%(reference)s) was not accepted: %(reason)s",
            name=LazyString(certification_label, cert.code),
            reference=cert.reference,
            reason=reason,
        ),
    )
    db.session.commit()
    return cert
