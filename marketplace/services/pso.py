"""PSO certificates (Prestatieladder Socialer Ondernemen): recording, verification, and the daily
expiry sweep.

A company records its own certificate, so a certificate counts for obligations only once someone
who can check it has verified it against the uploaded certificate or the public PSO register:
a procurement officer of a verified authority the company holds a contract with, or the platform
admin (issue 11: self-declared "trede 3" made the next obligation € 0). Until then contracts are
computed without it and their page says so; a rejection says why."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace.domain.obligation import PSO_LEVELS, add_months, pso_counts
from marketplace.domain.pso import expiry_state
from marketplace.extensions import db
from marketplace.labels import pso_level_label
from marketplace.models import Contract, Organisation, OrganisationMember, PsoCertificate, User
from marketplace.models._types import utcnow
from marketplace.services import (
    audit,
    contracts,
    decisions,
    evidence,
    notify,
    organisations,
    search,
)
from marketplace.services.errors import NotFound, ServiceError

WARN_DAYS = 60


def record_certificate(
    org: Organisation,
    level: str,
    number: str,
    valid_until: date,
    by: User,
    today: date,
    upload: evidence.Upload | None = None,
) -> PsoCertificate:
    """Record a certificate, unverified, with the certificate file if given (a PDF or image,
    checked by content and stored like evidence); valid for at most two years (docs/domain.md
    "PSO"). A number the organisation already recorded is refused: the same certificate would be
    listed twice."""
    organisations.require_role(by, org)
    number = number.strip()
    fields = {}
    mime = None
    if upload is not None:
        try:
            mime = evidence.check(upload)
        except ServiceError as exc:
            fields["file"] = exc.message
    if level not in PSO_LEVELS:
        fields["level"] = _("Choose a PSO level.")
    if not number:
        fields["number"] = _("Enter the certificate number.")
    elif _recorded(org, number):
        fields["number"] = _("You have already recorded certificate %(number)s.", number=number)
    if expiry_state(valid_until, today, WARN_DAYS) == "expired":
        fields["valid_until"] = _("This certificate has already expired.")
    elif valid_until > add_months(today, 24):
        fields["valid_until"] = _("A PSO certificate is valid for at most two years.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    cert = PsoCertificate(
        organisation_id=org.id, level=level, number=number, valid_until=valid_until
    )
    if upload is not None and mime is not None:
        cert.file_stored_name = evidence.write(upload, mime)
        cert.file_name = evidence.display_name(upload.filename, mime)
        cert.file_content_type = mime
        cert.file_sha256 = hashlib.sha256(upload.content).hexdigest()
    try:
        db.session.add(cert)
        db.session.flush()
        audit.record(
            "pso.recorded",
            cert,
            after={
                "level": level,
                "valid_until": valid_until.isoformat(),
                "file_sha256": cert.file_sha256,
            },
            actor=by,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        if cert.file_stored_name:
            (evidence.folder() / cert.file_stored_name).unlink(missing_ok=True)
        raise
    return cert


# --- verification --------------------------------------------------------------------------


def _verifies_for(user: User, contractor_id: int) -> bool:
    """Whether the user may verify the company's certificates: the platform admin, or a member
    of a verified authority that has a contract with the company (it works for them)."""
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            select(Contract.id)
            .join(Organisation, Organisation.id == Contract.authority_id)
            .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
            .where(
                Contract.contractor_id == contractor_id,
                OrganisationMember.user_id == user.id,
                Organisation.verified_at.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def get_for_verifier(certificate_id: int, user: User) -> PsoCertificate:
    """A certificate the user may verify or reject; NotFound for anyone else (ids cannot be
    probed)."""
    cert = db.session.get(PsoCertificate, certificate_id)
    if cert is None or not _verifies_for(user, cert.organisation_id):
        raise NotFound()
    return cert


def file_of(certificate_id: int, user: User) -> tuple[PsoCertificate, Path]:
    """The certificate's uploaded file for its company's members and its verifiers."""
    cert = db.session.get(PsoCertificate, certificate_id)
    if cert is None or not cert.file_stored_name:
        raise NotFound()
    if organisations.role_of(user, cert.organisation) is None and not _verifies_for(
        user, cert.organisation_id
    ):
        raise NotFound()
    return cert, evidence.folder() / cert.file_stored_name


def awaiting_verification(authority: Organisation | None) -> list[PsoCertificate]:
    """Certificates nobody has verified or rejected yet: of the companies holding a contract of
    `authority` (none while it is unverified itself), or all of them for the admin (None)."""
    query = select(PsoCertificate).where(
        PsoCertificate.verified_at.is_(None), PsoCertificate.rejected_at.is_(None)
    )
    if authority is not None:
        if not authority.is_verified:
            return []
        holders = select(Contract.contractor_id).where(Contract.authority_id == authority.id)
        query = query.where(PsoCertificate.organisation_id.in_(holders))
    return list(
        db.session.scalars(
            query.options(joinedload(PsoCertificate.organisation)).order_by(
                PsoCertificate.created_at, PsoCertificate.id
            )
        )
    )


def _already_decided() -> dict[str, str]:
    """What the second of two verifiers at once is told."""
    return {
        "already_verified": _("This certificate has already been verified."),
        "already_rejected": _("This certificate has already been rejected."),
    }


def verify(certificate_id: int, by: User) -> tuple[PsoCertificate, list[Contract]]:
    """Verify a certificate; from now on it counts for obligations. Returns it with the
    contracts whose obligation changed (contracts.apply_verified_certificate says which)."""
    cert = get_for_verifier(certificate_id, by)
    decisions.decide_once(cert, verified_at=utcnow(), verified_by_id=by.id, **_already_decided())
    changed = contracts.apply_verified_certificate(cert, by)
    audit.record(
        "pso.verified",
        cert,
        after={"level": cert.level, "number": cert.number, "contracts": [c.id for c in changed]},
        actor=by,
    )
    search.index_organisation(cert.organisation)  # its PSO level is a search filter
    notify.organisation(
        cert.organisation_id,
        _l("Your PSO certificate is verified"),
        _l(
            "Your %(level)s certificate %(number)s is verified. It counts for contracts awarded "
            "while it is valid.",
            level=LazyString(pso_level_label, cert.level),
            number=cert.number,
        ),
    )
    db.session.commit()
    return cert, changed


def reject(certificate_id: int, reason: str, by: User) -> PsoCertificate:
    """Reject a certificate with the reason the company is told; it never counts."""
    cert = get_for_verifier(certificate_id, by)
    reason = decisions.rejection_reason(reason, _("Say why the certificate is rejected."))
    decisions.decide_once(
        cert,
        rejected_at=utcnow(),
        rejected_by_id=by.id,
        rejection_reason=reason,
        **_already_decided(),
    )
    audit.record("pso.rejected", cert, after={"reason": reason}, actor=by)
    notify.organisation(
        cert.organisation_id,
        _l("Your PSO certificate was not accepted"),
        _l(
            "Your %(level)s certificate %(number)s was not accepted: %(reason)s",
            level=LazyString(pso_level_label, cert.level),
            number=cert.number,
            reason=reason,
        ),
    )
    db.session.commit()
    return cert


def unverified_for(contract: Contract) -> PsoCertificate | None:
    """A certificate still awaiting verification that would count for this contract once
    verified (contracts.apply_verified_certificate), while the contract is computed without
    one: the contract page says why there is no discount. SQL picks the candidate valid
    longest; whether it counts on the award date is the domain's `pso_counts`."""
    if contract.pso_level is not None:
        return None
    candidate = db.session.scalar(
        select(PsoCertificate)
        .where(
            PsoCertificate.organisation_id == contract.contractor_id,
            PsoCertificate.created_at <= contract.created_at,
            PsoCertificate.verified_at.is_(None),
            PsoCertificate.rejected_at.is_(None),
        )
        .order_by(PsoCertificate.valid_until.desc())
        .limit(1)
    )
    if candidate is None or not pso_counts(candidate.valid_until, contract.award_date):
        return None
    return candidate


def _recorded(org: Organisation, number: str) -> bool:
    """Whether the organisation has a certificate with this number (case ignored)."""
    return (
        db.session.scalar(
            select(PsoCertificate.id).where(
                PsoCertificate.organisation_id == org.id,
                func.lower(PsoCertificate.number) == number.lower(),
            )
        )
        is not None
    )


def certificates_of(org: Organisation) -> list[PsoCertificate]:
    return list(
        db.session.scalars(
            select(PsoCertificate)
            .where(PsoCertificate.organisation_id == org.id)
            .order_by(PsoCertificate.valid_until.desc())
        )
    )


def current(org: Organisation, today: date) -> PsoCertificate | None:
    """The certificate that counts today (it no longer applies to new contracts once expired)."""
    for cert in certificates_of(org):
        if expiry_state(cert.valid_until, today, WARN_DAYS) != "expired":
            return cert
    return None


def expiry_sweep(today: date) -> dict[str, int]:
    """Remind 60 days before valid_until; tell the company once it has expired. Idempotent:
    reminded_at / expired_noticed_at record what was sent.

    SQL only narrows the certificates down to those that may need a message; whether one is
    expiring or expired is the domain's `expiry_state`, the rule `current` uses too."""
    horizon = today + timedelta(days=WARN_DAYS)
    reminded = expired = 0
    due = db.session.scalars(
        select(PsoCertificate).where(
            PsoCertificate.valid_until <= horizon,
            (PsoCertificate.reminded_at.is_(None)) | (PsoCertificate.expired_noticed_at.is_(None)),
        )
    ).all()
    for cert in due:
        facts = {  # worded in each member's language (lazily, notify.organisation)
            "level": LazyString(pso_level_label, cert.level),
            "number": cert.number,
            "date": cert.valid_until.isoformat(),
        }
        state = expiry_state(cert.valid_until, today, WARN_DAYS)
        if state == "expired" and cert.expired_noticed_at is None:
            cert.expired_noticed_at = utcnow()
            expired += 1
            subject = _l("Your PSO certificate has expired")
            body = _l(
                "Your %(level)s certificate %(number)s expired on %(date)s. It no longer "
                "counts for new contracts.",
                **facts,
            )
        elif state == "expiring" and cert.reminded_at is None:
            cert.reminded_at = utcnow()
            reminded += 1
            subject = _l("Your PSO certificate expires soon")
            body = _l(
                "Your %(level)s certificate %(number)s is valid until %(date)s. Renew it in "
                "time so it keeps counting for new contracts.",
                **facts,
            )
        else:
            continue  # already told
        notify.organisation(cert.organisation_id, subject, body)
    db.session.commit()
    return {"reminded": reminded, "expired": expired}
