"""Organisations: registration by kind, members and roles, invitations, verification."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update

from marketplace import links
from marketplace.domain.names import similar_names
from marketplace.extensions import db
from marketplace.models import Invitation, Organisation, OrganisationMember, User
from marketplace.models._types import utcnow
from marketplace.services import audit, invitations, mail, notify, search
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError


@dataclass
class OrganisationData:
    """Validated registration fields (forms and the API build this)."""

    name: str
    kind: str
    kvk_number: str
    btw_number: str | None = None
    authority_type: str | None = None
    street: str = ""
    postcode: str = ""
    city: str = ""
    province: str = ""
    arbeidsmarktregio: str = ""
    website: str | None = None
    description: str = ""
    sectors: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    capacity: str = ""


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "organisatie"


# Paths of the orgs blueprint that a slug must not shadow.
RESERVED_SLUGS = {"mijn", "registreren", "uitnodiging"}


def _unique_slug(name: str) -> str:
    base = slugify(name)
    if base in RESERVED_SLUGS:
        base += "-organisatie"
    slug, n = base, 1
    while db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def register(data: OrganisationData, owner: User) -> Organisation:
    """Create the organisation with `owner` as its first owner; unverified until an admin checks.
    Contracts waiting for it (invited by its KvK number or its owner's address) are linked."""
    if db.session.scalar(select(Organisation.id).where(Organisation.kvk_number == data.kvk_number)):
        msg = _("An organisation with this KvK number is already registered.")
        raise ServiceError(msg, {"kvk_number": msg})
    if data.kind == "authority" and not data.authority_type:
        msg = _("Choose the type of contracting authority.")
        raise ServiceError(msg, {"authority_type": msg})
    org = Organisation(slug=_unique_slug(data.name), registered_by_id=owner.id, **asdict(data))
    if data.kind != "authority":
        org.authority_type = None
    db.session.add(org)
    db.session.flush()
    db.session.add(OrganisationMember(user_id=owner.id, organisation_id=org.id, role="owner"))
    audit.record("organisation.registered", org, after=asdict(data), actor=owner)
    invitations.link_registered(org, owner)
    db.session.commit()
    return org


# What an owner may change after registration (blueprints/orgs ProfileForm); name, KvK number
# and kind stay as the admin verified them.
PROFILE_FIELDS = (
    "btw_number",
    "street",
    "postcode",
    "city",
    "arbeidsmarktregio",
    "province",
    "website",
    "description",
    "sectors",
    "regions",
    "capacity",
)


def update_profile(org: Organisation, fields: dict, by: User) -> None:
    """Change the address and directory profile (owners only), audited with before and after,
    and re-indexed for search in the same transaction so the directory shows it at once."""
    require_role(by, org, "owner")
    changes = {k: v for k, v in fields.items() if k in PROFILE_FIELDS and getattr(org, k) != v}
    if not changes:
        return
    before = {k: getattr(org, k) for k in changes}
    for name, value in changes.items():
        setattr(org, name, value)
    audit.record("organisation.profile_changed", org, before=before, after=changes, actor=by)
    search.index_organisation(org)
    db.session.commit()


def by_slug(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound()
    return org


def by_id(org_id: int) -> Organisation:
    """The organisation with this id; NotFound (as for a page that does not exist) otherwise."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound(_("Page not found"))
    return org


def role_of(user: User, org: Organisation | None) -> str | None:
    if user is None or not user.is_authenticated or org is None:
        return None
    return db.session.scalar(
        select(OrganisationMember.role).where(
            OrganisationMember.user_id == user.id, OrganisationMember.organisation_id == org.id
        )
    )


def require_role(user: User, org: Organisation, *roles: str) -> str:
    """The user's role in org, or Forbidden; with no roles given, any membership will do."""
    role = role_of(user, org)
    if role is None or (roles and role not in roles):
        raise Forbidden()
    return role


def organisations_of(user: User) -> list[Organisation]:
    return [org for org, _role in roles_of(user)]


def roles_of(user: User) -> list[tuple[Organisation, str]]:
    """The user's organisations by name, each with the user's role in it (one statement: the
    layout shows a network's owner its admin pages)."""
    return list(
        db.session.execute(
            select(Organisation, OrganisationMember.role)
            .join(OrganisationMember)
            .where(OrganisationMember.user_id == user.id)
            .order_by(Organisation.name)
        ).tuples()
    )


def members(org: Organisation) -> list[OrganisationMember]:
    return list(
        db.session.scalars(
            select(OrganisationMember)
            .where(OrganisationMember.organisation_id == org.id)
            .order_by(OrganisationMember.id)
        )
    )


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def invite(org: Organisation, email: str, role: str, by: User) -> Invitation:
    """Owners invite by e-mail; the link is signed and valid for 7 days."""
    require_role(by, org, "owner")
    email = email.strip().lower()
    already = db.session.scalar(
        select(OrganisationMember.id)
        .join(User)
        .where(OrganisationMember.organisation_id == org.id, func.lower(User.email) == email)
    )
    if already:
        msg = _("This person is already a member.")
        raise ServiceError(msg, {"email": msg})
    invitation = Invitation(organisation_id=org.id, email=email, role=role, invited_by_id=by.id)
    db.session.add(invitation)
    db.session.flush()
    token = _invite_serializer().dumps(invitation.id)
    link = links.url("accept_invitation", token=token)
    mail.send(
        email,
        _("Invitation to join %(org)s", org=org.name),
        _("%(who)s invites you to join %(org)s on Sociaal Rendement.", who=by.email, org=org.name)
        + f"\n\n{link}\n",
    )
    audit.record("organisation.invited", org, after={"email": email, "role": role}, actor=by)
    db.session.commit()
    return invitation


def accept_invitation(token: str, user: User) -> Organisation:
    try:
        invitation_id = _invite_serializer().loads(token, max_age=7 * 24 * 3600)
    except BadSignature as exc:
        raise ServiceError(_("This invitation link is not valid or has expired.")) from exc
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        raise ServiceError(_("This invitation has already been used."))
    if invitation.email != user.email.lower():
        raise ServiceError(_("This invitation was sent to another e-mail address."))
    org = invitation.organisation
    if role_of(user, org) is None:
        db.session.add(
            OrganisationMember(user_id=user.id, organisation_id=org.id, role=invitation.role)
        )
    invitation.accepted_at = utcnow()
    audit.record("organisation.joined", org, after={"user": user.email}, actor=user)
    db.session.commit()
    return org


def set_role(org: Organisation, member_id: int, role: str, by: User) -> None:
    """Owners change roles; the last owner cannot step down (an organisation needs one). The
    organisation's row is locked first, so two owners making each other member at once go one
    after the other and the second finds itself the last owner (both passed the count before)."""
    db.session.execute(select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    require_role(by, org, "owner")
    member = db.session.get(OrganisationMember, member_id)
    if member is None or member.organisation_id != org.id:
        raise NotFound()
    owners = [m for m in members(org) if m.role == "owner"]
    if member.role == "owner" and role != "owner" and len(owners) == 1:
        raise ServiceError(_("An organisation needs at least one owner."))
    before = member.role
    member.role = role
    audit.record(
        "organisation.role_changed",
        org,
        before={"role": before},
        after={"role": role, "user_id": member.user_id},
        actor=by,
    )
    db.session.commit()


def verify(org: Organisation, by: User) -> None:
    """Platform admins verify organisations; unverified ones cannot publish. Its members are
    told (and see the contracts they were invited to from now on). Once only: the update is
    conditional, so a second click at the same moment verifies and mails nothing."""
    if not by.is_admin:
        raise Forbidden()
    done = db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id, Organisation.verified_at.is_(None))
        .values(verified_at=utcnow(), rejected_at=None, rejection_reason=None)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        return
    db.session.refresh(org)
    audit.record("organisation.verified", org, actor=by)
    search.index_organisation(org)  # verified social enterprises enter the directory
    invitations.notify_verified(org)
    db.session.commit()


def reject(org: Organisation, reason: str, by: User) -> None:
    """The admin refuses a pending organisation with a reason, mailed to whoever registered it
    (and its owners) and stored; the owner corrects its profile and asks again (`ask_again`).
    A verified organisation is not rejected here (409)."""
    if not by.is_admin:
        raise Forbidden()
    reason = (reason or "").strip()
    if not reason:
        msg = _("Say why the organisation is rejected.")
        raise ServiceError(msg, {"reason": msg})
    if len(reason) > 500:
        msg = _("Use at most %(n)d characters.", n=500)
        raise ServiceError(msg, {"reason": msg})
    before = {"rejection_reason": org.rejection_reason}
    # Conditional on still being unverified: an admin verifying it at the same moment left it
    # verified and rejected, its owners mailed both verdicts.
    done = db.session.execute(
        update(Organisation)
        .where(Organisation.id == org.id, Organisation.verified_at.is_(None))
        .values(rejected_at=utcnow(), rejection_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This organisation is verified already."), code="verified")
    db.session.refresh(org)
    audit.record("organisation.rejected", org, before=before, after={"reason": reason}, actor=by)
    body = _l(
        "A platform admin has not verified %(name)s (KvK %(kvk)s) on Sociaal Rendement, for "
        "this reason:",
        name=org.name,
        kvk=org.kvk_number,
    )
    then = _l(
        "Correct the organisation's details where needed and ask for verification again on "
        "its page:"
    )
    page = links.url("organisation", slug=org.slug)
    notify.organisation(
        org.id,
        _l("%(name)s is not verified", name=org.name),
        LazyString(lambda: f"{body}\n\n{reason}\n\n{then}\n{page}\n"),
    )
    db.session.commit()


def ask_again(org: Organisation, by: User) -> None:
    """An owner asks for verification again after a rejection (having corrected the profile):
    the organisation is pending again, back in the admin's list."""
    require_role(by, org, "owner")
    if org.rejected_at is None or org.is_verified:
        return
    audit.record(
        "organisation.verification_asked",
        org,
        before={"rejection_reason": org.rejection_reason},
        actor=by,
    )
    org.rejected_at = None
    db.session.commit()


def require_verified(org: Organisation) -> None:
    """Only verified organisations act for others: an unverified "Gemeente Emmen" may not publish
    a policy or register a contract on a real contractor (issue 11). Forbidden with the reason."""
    if not org.is_verified:
        raise Forbidden(
            _(
                "Your organisation is not verified yet. A platform admin checks new "
                "organisations; after that you can publish policies and register contracts."
            ),
            code="unverified_organisation",
        )


# The most names compared with a new one: enough for every municipality sharing a word.
SIMILAR_CANDIDATES = 2000


def similar_organisations(org: Organisation) -> list[Organisation]:
    """Other organisations whose name looks like org's (domain/names.py), flagged to the admin.

    Compared in Python over a bounded set: the names sharing a three-letter start of a word with
    org's name (a typo further on in a word is still found), or its BTW number."""
    starts = {w[:3] for w in re.findall(r"\w+", org.name.casefold()) if len(w) >= 3}
    near = [func.lower(Organisation.name).contains(start, autoescape=True) for start in starts]
    if org.btw_number:
        near.append(Organisation.btw_number == org.btw_number)
    if not near:
        return []
    others = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.btw_number)
        .where(Organisation.id != org.id, or_(*near))
        .order_by(Organisation.id)
        .limit(SIMILAR_CANDIDATES)
    ).all()
    ids = similar_names(org.name, [(row.id, row.name) for row in others])
    ids += [row.id for row in others if org.btw_number and row.btw_number == org.btw_number]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
    )


def unverified() -> list[Organisation]:
    """The organisations awaiting the admin: not verified, not rejected (a rejected one comes
    back when its owner asks again)."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.verified_at.is_(None), Organisation.rejected_at.is_(None))
            .order_by(Organisation.id)
        )
    )


def pending(org_id: int, by: User) -> Organisation:
    """An organisation for the admin's verification page; 403 for anyone but an admin."""
    if not by.is_admin:
        raise Forbidden()
    return by_id(org_id)


def registrant(org: Organisation) -> tuple[User | None, list[User]]:
    """Who registered the organisation (None for one registered before this was recorded) and
    its current owners, for the admin."""
    owners = [m.user for m in members(org) if m.role == "owner"]
    return org.registered_by, owners


def drop_invitations_to(email: str) -> None:
    """Delete the invitations to a deleted account's address (an open one would let whoever
    gets the address next join); in the caller's transaction."""
    db.session.execute(delete(Invitation).where(func.lower(Invitation.email) == email.lower()))
