"""A person's rights under the AVG: their personal data as JSON, and their account deleted;
an organisation owner's export of the organisation's data.

Deleting an account anonymises the person and keeps the business records they took part in:
a realisation, a decision, a message in a deal or an audit row stays (an auditor and the other
party still need them) but no longer names the person. What is theirs alone (sessions, tokens,
notifications, saved searches, held uploads, memberships of organisations) is deleted. An
organisation must keep an owner, so its last owner hands the role on first, unless nobody else
is a member.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash

from marketplace.extensions import db
from marketplace.models import (
    ApiToken,
    AuditLog,
    Contract,
    Deal,
    Evidence,
    Invitation,
    Invoice,
    Listing,
    ListingReport,
    Membership,
    Notification,
    NotificationOptOut,
    Organisation,
    OrganisationMember,
    Proposal,
    ProposalMessage,
    PsoCertificate,
    Realisation,
    SavedSearch,
    SentMail,
    SroiPolicy,
    User,
)
from marketplace.models._types import utcnow
from marketplace.models.accounts import new_session_token
from marketplace.services import (
    accounts,
    audit,
    evidence,
    login_throttle,
    mail,
    organisations,
    outbox,
    realisations,
)
from marketplace.services.errors import ServiceError

DELETED_DOMAIN = "verwijderd.invalid"
# Columns never exported: secrets, and the random names files are stored under on disk.
_HIDDEN = {
    "password_hash",
    "session_token",
    "token_hash",
    "stored_name",
    "file_stored_name",
    "attachment_stored_name",
    "invoice_file_stored_name",
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any) -> dict[str, Any]:
    """Every column of a model row as JSON values, but secrets and stored file names: new
    columns are exported without anyone remembering to add them here."""
    return {
        column.key: _plain(getattr(obj, column.key))
        for column in obj.__table__.columns
        if column.key not in _HIDDEN
    }


def _rows(query) -> list[dict[str, Any]]:
    return [_row(obj) for obj in db.session.scalars(query)]


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about `user` as a person, for the user to download."""
    memberships = db.session.execute(
        select(OrganisationMember, Organisation)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user.id)
        .order_by(Organisation.name)
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "language": user.locale,
            "created_at": _plain(user.created_at),
            "email_confirmed_at": _plain(user.email_confirmed_at),
            "platform_admin": user.is_admin,
        },
        "organisations": [
            {
                "organisation": org.name,
                "kvk_number": org.kvk_number,
                "role": member.role,
                "since": _plain(member.created_at),
            }
            for member, org in memberships
        ],
        "api_tokens": _rows(select(ApiToken).where(ApiToken.user_id == user.id)),
        "notifications": _rows(select(Notification).where(Notification.user_id == user.id)),
        "notification_opt_outs": _rows(
            select(NotificationOptOut).where(NotificationOptOut.user_id == user.id)
        ),
        "saved_searches": _rows(select(SavedSearch).where(SavedSearch.user_id == user.id)),
        "listing_reports": _rows(select(ListingReport).where(ListingReport.reporter_id == user.id)),
        "messages_written": _rows(
            select(ProposalMessage).where(ProposalMessage.author_id == user.id)
        ),
        "realisations_entered": [
            {
                "id": r.id,
                "contract_id": r.contract_id,
                "state": r.state,
                "created_at": _plain(r.created_at),
            }
            for r in db.session.scalars(
                select(Realisation).where(Realisation.created_by_id == user.id)
            )
        ],
        "activity": [
            {
                "action": a.action,
                "object_type": a.object_type,
                "object_id": a.object_id,
                "at": _plain(a.created_at),
            }
            for a in db.session.scalars(
                select(AuditLog).where(AuditLog.actor_id == user.id).order_by(AuditLog.id)
            )
        ],
        "mails_queued_for_you": [
            {"kind": job.job_name, "status": job.status, "queued_at": _plain(job.created_at)}
            for job in outbox.jobs_mentioning(user.email)
        ],
        "mails_sent_to_you": [
            {"claimed_at": _plain(m.claimed_at), "sent_at": _plain(m.sent_at)}
            for m in db.session.scalars(select(SentMail).where(SentMail.recipient == user.email))
        ],
    }


def sole_owned(user: User) -> list[Organisation]:
    """Organisations with other members where `user` is the only owner: they would be left
    without one, so the account cannot be deleted before the role is handed on."""
    other = aliased(OrganisationMember)
    owners = (
        select(func.count(other.id))
        .where(other.organisation_id == Organisation.id, other.role == "owner")
        .correlate(Organisation)
        .scalar_subquery()
    )
    everyone = aliased(OrganisationMember)
    members = (
        select(func.count(everyone.id))
        .where(everyone.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
            .where(
                OrganisationMember.user_id == user.id,
                OrganisationMember.role == "owner",
                owners == 1,
                members > 1,
            )
            .order_by(Organisation.name)
        )
    )


def delete_account(user: User, password: str) -> None:
    """Anonymise `user` and delete what is theirs alone (module docstring), after checking
    their password; audited without the address. Their sessions end with it."""
    _lock_for_deletion(user)
    if not check_password_hash(user.password_hash, password or ""):
        msg = _("This is not your password.")
        raise ServiceError(msg, {"password": msg}, code="bad_password")
    blocking = sole_owned(user)
    if blocking:
        names = ", ".join(org.name for org in blocking)
        raise ServiceError(
            _(
                "First make another member owner of %(names)s: an organisation needs an owner.",
                names=names,
            ),
            code="sole_owner",
        )
    old_email = user.email
    anonymous = f"verwijderd-{user.id}@{DELETED_DOMAIN}"
    for model, column in (
        (OrganisationMember, OrganisationMember.user_id),
        (ApiToken, ApiToken.user_id),
        (Notification, Notification.user_id),
        (NotificationOptOut, NotificationOptOut.user_id),
        (SavedSearch, SavedSearch.user_id),
    ):
        db.session.execute(delete(model).where(column == user.id))
    held = evidence.drop_held(user.id)
    organisations.drop_invitations_to(old_email)
    login_throttle.forget_account(old_email)
    mail.forget_recipient(old_email, anonymous)
    outbox.replace_text(old_email, anonymous)
    audit.replace_text(old_email, anonymous)
    user.email = anonymous
    user.name = ""
    user.locale = None
    user.is_admin = False
    user.email_confirmed_at = None
    user.password_hash = accounts.hash_password(secrets.token_urlsafe(32))
    user.session_token = new_session_token()
    audit.record("user.deleted", user, after={"anonymised": True}, actor=user)
    db.session.commit()
    evidence.discard(held)


def _lock_for_deletion(user: User) -> None:
    """Lock the user's row, read again, and the organisations they own (by id, one order for
    everyone), before the checks: the same account deleted twice at once is deleted once (the
    second finds the password changed), and two owners of one organisation leaving at once
    cannot both pass sole_owned and leave its members without an owner."""
    db.session.scalar(
        select(User)
        .where(User.id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.execute(
        select(Organisation.id)
        .join(OrganisationMember, OrganisationMember.organisation_id == Organisation.id)
        .where(OrganisationMember.user_id == user.id, OrganisationMember.role == "owner")
        .order_by(Organisation.id)
        .with_for_update(of=Organisation)
    )


def organisation_data(org: Organisation) -> dict[str, Any]:
    """The organisation's own records for its owner: profile, members, contracts (on either
    side) with their realisations and evidence file names, listings, proposals, deals,
    memberships and invoices. File contents stay on the platform; names and checksums say
    which files exist."""
    contracts = select(Contract).where(
        or_(Contract.contractor_id == org.id, Contract.authority_id == org.id)
    )
    # The contractor's drafts stay its own until sent (realisations.visible_to): an authority's
    # export has only the reported realisations of its contracts, and their files.
    as_contractor = select(Contract.id).where(Contract.contractor_id == org.id)
    as_authority = select(Contract.id).where(Contract.authority_id == org.id)
    visible = or_(
        Realisation.contract_id.in_(as_contractor),
        and_(Realisation.contract_id.in_(as_authority), realisations.reported()),
    )
    realisation_ids = select(Realisation.id).where(visible)
    members = db.session.execute(
        select(OrganisationMember, User)
        .join(User, User.id == OrganisationMember.user_id)
        .where(OrganisationMember.organisation_id == org.id)
        .order_by(User.email)
    ).all()
    return {
        "exported_at": utcnow().isoformat(),
        "organisation": _row(org),
        "members": [
            {"name": user.name, "email": user.email, "role": m.role, "since": _plain(m.created_at)}
            for m, user in members
        ],
        "pending_invitations": _rows(
            select(Invitation).where(
                Invitation.organisation_id == org.id, Invitation.accepted_at.is_(None)
            )
        ),
        "certificates": _rows(
            select(PsoCertificate).where(PsoCertificate.organisation_id == org.id)
        ),
        "policies": _rows(select(SroiPolicy).where(SroiPolicy.authority_id == org.id)),
        "contracts": _rows(contracts.order_by(Contract.id)),
        "realisations": _rows(select(Realisation).where(visible).order_by(Realisation.id)),
        "evidence_files": _rows(
            select(Evidence)
            .where(Evidence.realisation_id.in_(realisation_ids))
            .order_by(Evidence.id)
        ),
        "listings": _rows(
            select(Listing).where(Listing.organisation_id == org.id).order_by(Listing.id)
        ),
        "proposals": _rows(
            select(Proposal).where(Proposal.organisation_id == org.id).order_by(Proposal.id)
        ),
        "deals": _rows(
            select(Deal)
            .where(or_(Deal.buyer_id == org.id, Deal.supplier_id == org.id))
            .order_by(Deal.id)
        ),
        "memberships": _rows(
            select(Membership)
            .where(or_(Membership.organisation_id == org.id, Membership.network_id == org.id))
            .order_by(Membership.id)
        ),
        "invoices": _rows(
            select(Invoice)
            .join(Membership, Membership.id == Invoice.membership_id)
            .where(or_(Membership.organisation_id == org.id, Invoice.network_id == org.id))
            .order_by(Invoice.id)
        ),
    }
