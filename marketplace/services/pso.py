"""PSO certificates (Prestatieladder Socialer Ondernemen) and the daily expiry sweep."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.domain.obligation import PSO_LEVELS, add_months, pso_level_label
from marketplace.domain.pso import expiry_state
from marketplace.extensions import db
from marketplace.models import Organisation, PsoCertificate, User
from marketplace.models._types import utcnow
from marketplace.services import audit, notify, organisations
from marketplace.services.errors import ServiceError

WARN_DAYS = 60


def record_certificate(
    org: Organisation, level: str, number: str, valid_until: date, by: User, today: date
) -> PsoCertificate:
    """Record a certificate; valid for at most two years (docs/domain.md "PSO"). A number the
    organisation already recorded is refused: the same certificate would be listed twice."""
    organisations.require_role(by, org)
    number = number.strip()
    fields = {}
    if level not in PSO_LEVELS:
        fields["level"] = _("Choose a PSO level.")
    if not number:
        fields["number"] = _("Enter the certificate number.")
    elif _recorded(org, number):
        fields["number"] = _("You have already recorded certificate %(number)s.", number=number)
    if valid_until < today:
        fields["valid_until"] = _("This certificate has already expired.")
    elif valid_until > add_months(today, 24):
        fields["valid_until"] = _("A PSO certificate is valid for at most two years.")
    if fields:
        raise ServiceError(_("Some fields are not valid."), fields)
    cert = PsoCertificate(
        organisation_id=org.id, level=level, number=number, valid_until=valid_until
    )
    db.session.add(cert)
    db.session.flush()
    audit.record(
        "pso.recorded",
        cert,
        after={"level": level, "valid_until": valid_until.isoformat()},
        actor=by,
    )
    db.session.commit()
    return cert


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
    reminded_at / expired_noticed_at record what was sent."""
    horizon = today + timedelta(days=WARN_DAYS)
    reminded = expired = 0
    due = db.session.scalars(
        select(PsoCertificate).where(
            PsoCertificate.valid_until <= horizon,
            (PsoCertificate.reminded_at.is_(None)) | (PsoCertificate.expired_noticed_at.is_(None)),
        )
    ).all()
    for cert in due:
        facts = {
            "level": pso_level_label(cert.level),
            "number": cert.number,
            "date": cert.valid_until.isoformat(),
        }
        if cert.valid_until < today and cert.expired_noticed_at is None:
            cert.expired_noticed_at = utcnow()
            expired += 1
            subject = _("Your PSO certificate has expired")
            body = _(
                "Your %(level)s certificate %(number)s expired on %(date)s. It no longer "
                "counts for new contracts.",
                **facts,
            )
        elif cert.valid_until >= today and cert.reminded_at is None:
            cert.reminded_at = utcnow()
            reminded += 1
            subject = _("Your PSO certificate expires soon")
            body = _(
                "Your %(level)s certificate %(number)s is valid until %(date)s. Renew it in "
                "time so it keeps counting for new contracts.",
                **facts,
            )
        else:
            continue  # already told
        notify.organisation(cert.organisation_id, subject, body)
    db.session.commit()
    return {"reminded": reminded, "expired": expired}
