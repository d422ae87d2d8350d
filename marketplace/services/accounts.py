"""Accounts: registration, e-mail confirmation, login with lockout, password reset and change,
API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from functools import cache

from flask import current_app
from flask_babel import force_locale, format_datetime, get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace import i18n, links
from marketplace.extensions import db
from marketplace.models import ApiToken, User
from marketplace.models._types import utcnow
from marketplace.models.accounts import new_session_token
from marketplace.services import audit, login_throttle, mail
from marketplace.services.errors import ServiceError
from marketplace.services.outbox import enqueue

MIN_PASSWORD_LENGTH = 10


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def register(email: str, password: str, name: str = "") -> None:
    """Create an unconfirmed user and mail the confirmation link (signed, expiring).

    The caller always answers "check your mail": for an address that already has an account
    the mail goes to its owner instead (the confirmation again if still unconfirmed, else a
    "someone tried to register" notice), after the same password hashing, so that neither
    the answer nor its time tells a stranger which addresses have accounts.

    An unconfirmed account takes the password of its latest registration: whoever registered
    the address first (perhaps not its owner) must not keep a password into the account that
    the owner confirms from the mail."""
    email = email.strip().lower()
    _check_new_password(password)
    password_hash = hash_password(password)
    existing = find_by_email(email)
    if existing is not None:
        if not existing.is_confirmed:
            existing.password_hash, existing.session_token = password_hash, new_session_token()
            audit.record("user.registered_again", existing, actor=existing)
        _mail_registered_address(existing)
        db.session.commit()
        return
    user = User(email=email, name=name.strip(), password_hash=password_hash)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # registered at the same moment by a concurrent request
        db.session.rollback()
        return
    audit.record("user.registered", user, after={"email": email}, actor=user)
    send_confirmation(user)
    db.session.commit()


def _mail_registered_address(user: User) -> None:
    if not user.is_confirmed:
        send_confirmation(user)
        return
    login = links.url("login")
    forgot = links.url("forgot_password")
    mail.send(
        user.email,
        _("Someone tried to register with your e-mail address"),
        _(
            "Someone, perhaps you, tried to create an account with this e-mail address, which "
            "already has one. If it was you, log in or choose a new password:"
        )
        + f"\n\n{login}\n{forgot}\n\n"
        + _("If it was not you, you can ignore this message."),
    )


def create_user(email: str, password: str, *, name: str = "", admin: bool = False) -> User:
    """A confirmed user (CLI and demo data); updates the password when the user exists."""
    user = find_by_email(email)
    if user is None:
        user = User(email=email.lower(), name=name, password_hash="")
        db.session.add(user)
    _set_password(user, password)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    user.is_admin = user.is_admin or admin
    user.name = user.name or name
    db.session.flush()
    audit.record("user.created", user, after={"email": user.email, "admin": user.is_admin})
    db.session.commit()
    return user


def hash_password(password: str) -> str:
    """The stored hash of `password`, by PASSWORD_HASH_METHOD (werkzeug's scrypt unless set).

    A setting so that the test suite can hash with one cheap round: scrypt costs a tenth of a
    second per user by design, and the tests make thousands of users. Checking reads the method
    from the stored hash, so hashes made by either method keep working."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _set_password(user: User, password: str) -> int:
    """A new password ends every session of the user (a cookie copied before included, and a
    remembered login, whose id carries the session token too) and revokes every API token of
    the user: whoever changes a password because it leaked wants nothing made with it to keep
    working. Returns the number of tokens revoked."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    if user.id is None:
        return 0
    revoked = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    return revoked.rowcount


def user_for_session(session_id: str) -> User | None:
    """The user a login session belongs to, if the session has not been ended since.

    `session_id` is `User.get_id()`: "<user id>:<session token>". An id without a token
    (a cookie from before tokens existed) or with an old token is no session."""
    user_id, _sep, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def log_out(user: User) -> None:
    """End all sessions of the user, not only the cookie at hand: one copied before (a shared
    computer, a stolen cookie) must stop working too."""
    user.session_token = new_session_token()
    db.session.commit()


def send_confirmation(user: User) -> None:
    token = _serializer("confirm-email").dumps(user.email)
    link = links.url("confirm_email", token=token)
    mail.send(
        user.email,
        _("Confirm your e-mail address"),
        _("Welcome to Sociaal Rendement. Confirm your e-mail address with this link:")
        + f"\n\n{link}\n\n"
        + _("The link is valid for 48 hours."),
    )


def resend_confirmation(email: str) -> None:
    """Mail a new confirmation link to an unconfirmed account; for a confirmed or unknown
    address do nothing. The caller answers the same either way, and the route limits how often
    (per client and per address), so the page neither tells who has an account nor floods a
    mailbox."""
    user = find_by_email(email)
    if user is None or user.is_confirmed:
        return
    send_confirmation(user)
    audit.record("user.confirmation_resent", user, actor=user)
    db.session.commit()


def confirm_email(token: str) -> User:
    """Confirm the address once; the link logs no one in (the caller asks for the password).

    Single use: only an unconfirmed address can be confirmed, in one conditional update, so a
    second click (or a second click at the same moment) finds nothing to do and says so. A link
    that logged in would let anyone holding it in, for 48 hours, whatever happened since (a
    lock, a new password), and could log a victim into an attacker's account."""
    try:
        email = _serializer("confirm-email").loads(
            token, max_age=current_app.config["TOKEN_MAX_AGE_SECONDS"]
        )
    except SignatureExpired as exc:
        raise ServiceError(_("This confirmation link has expired."), code="expired") from exc
    except BadSignature as exc:
        raise ServiceError(_("This confirmation link is not valid."), code="invalid") from exc
    user = find_by_email(email)
    if user is None:
        raise ServiceError(_("This confirmation link is not valid."), code="invalid")
    confirmed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.email_confirmed_at.is_(None))
        .values(email_confirmed_at=utcnow())
    )
    if confirmed.rowcount != 1:
        db.session.rollback()
        raise ServiceError(
            _("This confirmation link has already been used. Log in with your password."),
            code="used",
        )
    audit.record("user.confirmed", user, actor=user)
    db.session.commit()
    return user


def _dummy_password_hash() -> str:
    return _dummy_hash_by_method(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _dummy_hash_by_method(method: str) -> str:
    # By the configured method, so an unknown address costs the same check as a known one.
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(email: str, password: str, address: str | None) -> User:
    """Check the password of `email` for a login from client `address`.

    Attempts are counted per address and client (services/login_throttle) before the check,
    and a locked pair is refused without one. An unknown address gets the same treatment: it
    is counted and locked alike, and its password is checked against a dummy hash, so the
    answers and their time are the same whether or not the account exists."""
    minutes = login_throttle.reserve_attempt(email, address)
    if minutes is not None:
        raise ServiceError(
            _(
                "Too many failed attempts. Try again in %(m)d min. or reset your password.",
                m=minutes,
            ),
            code="locked",
        )
    user = find_by_email(email)
    stored_hash = user.password_hash if user is not None else _dummy_password_hash()
    if not check_password_hash(stored_hash, password) or user is None:
        raise ServiceError(_("E-mail address or password is incorrect."), code="bad_credentials")
    login_throttle.clear(email, address)
    db.session.commit()
    if not user.is_confirmed:
        raise ServiceError(
            _("Confirm your e-mail address first; we have sent you a link."), code="unconfirmed"
        )
    return user


def _reset_fingerprint(user: User) -> str:
    # Part of the password hash: the link stops working once the password has changed.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email: str, locale: str = "nl") -> None:
    """Queue the reset mail's job for any address, known or not, and say nothing either way.

    The request does the same work for every address (one outbox row, one commit); only the
    job, after the answer has gone out, looks the address up. So neither the answer nor its
    time tells a stranger whether the address has an account (sending the mail in the request
    took longer for a known address). `locale` is the requester's language, for a user who has
    not chosen one."""
    enqueue("password_reset_mail", uuid.uuid4().hex, email.strip().lower(), locale)
    db.session.commit()


def mail_password_reset(message_id: str, email: str, locale: str) -> None:
    """The job: mail a reset link (valid 2 hours) if `email` has an account, in the user's
    language; an unknown address gets nothing. Delivered under `message_id`, so a second run of
    the job sends no second mail (mail.deliver)."""
    user = find_by_email(email)
    if user is None:
        return
    token = _serializer("reset-password").dumps([user.id, _reset_fingerprint(user)])
    link = links.url("reset_password", token=token)
    with force_locale(i18n.language_of(user.locale or locale)):
        subject = _("Reset your password")
        body = _("Choose a new password with this link (valid for 2 hours):") + f"\n\n{link}\n"
    mail.deliver(message_id, user.email, subject, body)


def reset_password(token: str, password: str, address: str | None) -> User:
    """Set a new password from a mailed link; it ends every session and lifts the lock on
    logins from the client that reset it (`address`)."""
    try:
        user_id, fingerprint = _serializer("reset-password").loads(token, max_age=2 * 3600)
    except BadSignature as exc:  # includes SignatureExpired
        raise ServiceError(
            _("This reset link is not valid or has expired."), code="invalid"
        ) from exc
    user = db.session.get(User, user_id)
    if user is None or _reset_fingerprint(user) != fingerprint:
        raise ServiceError(_("This reset link is not valid or has expired."), code="invalid")
    _check_new_password(password)
    revoked = _set_password(user, password)
    login_throttle.clear(user.email, address)
    user.email_confirmed_at = user.email_confirmed_at or utcnow()
    audit.record("user.password_reset", user, after={"api_tokens_revoked": revoked}, actor=user)
    _mail_password_changed(user)
    db.session.commit()
    return user


def change_password(user: User, current: str, new: str, address: str | None) -> int:
    """A logged-in user's new password, given the current one; audited. Like a reset it ends
    every other session of the user and revokes their API tokens (the caller logs the session
    at hand in again). Returns the number of tokens revoked.

    Wrong current passwords are counted and locked like logins (services/login_throttle), under
    a key of their own, so a borrowed session cannot try passwords without end and a stranger's
    tries do not lock the owner's login."""
    minutes = login_throttle.reserve_attempt(_change_key(user), address)
    if minutes is not None:
        msg = _("Too many wrong passwords. Try again in %(m)d min.", m=minutes)
        raise ServiceError(msg, {"current_password": msg}, code="locked")
    if not check_password_hash(user.password_hash, current or ""):
        msg = _("This is not your password.")
        raise ServiceError(msg, {"current_password": msg}, code="bad_password")
    _check_new_password(new)
    login_throttle.clear(_change_key(user), address)
    revoked = _set_password(user, new)
    audit.record("user.password_changed", user, after={"api_tokens_revoked": revoked}, actor=user)
    _mail_password_changed(user)
    db.session.commit()
    return revoked


def _mail_password_changed(user: User) -> None:
    """Tell the user their password was changed (reset or changed while logged in), in their
    language (the page's for one who never chose): the owner of a stolen session or mailbox
    learns of it, and what to do. Never the password itself. Queued in the caller's
    transaction, so a change that is rolled back mails nothing."""
    with force_locale(i18n.language_of(user.locale or str(get_locale() or ""))):
        moment = format_datetime(utcnow(), "d MMMM yyyy, HH:mm")
        subject = _("Your password has been changed")
        body = (
            _(
                "The password of your Sociaal Rendement account %(email)s was changed on "
                "%(moment)s. Every other session has been logged out and your API tokens no "
                "longer work.",
                email=user.email,
                moment=moment,
            )
            + "\n\n"
            + _("If that was you, there is nothing to do.")
            + "\n\n"
            + _(
                "If it was not you, someone else knows your password or can read your e-mail. "
                "Choose a new password at once with the link below, check the e-mail account "
                "itself, and tell the owner of your organisation:"
            )
            + f"\n\n{links.url('forgot_password')}\n"
        )
    mail.send(user.email, subject, body)


def _change_key(user: User) -> str:
    return f"password-change:{user.id}"


def _check_new_password(password: str) -> None:
    """The rule for every new password (registration, reset, change)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        raise ServiceError(msg, {"password": msg})


def choose_language(user: User, locale: str) -> None:
    """Keep the language the user chose last (one of the app's), in which mails are written to
    them (i18n.language_of)."""
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale
        db.session.commit()


def create_token(user: User, name: str) -> str:
    """Create a bearer token; the plain value is shown once, only its hash is stored."""
    plain = "sr_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=hashlib.sha256(plain.encode()).hexdigest()
    )
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", token, after={"name": name}, actor=user)
    db.session.commit()
    return plain


def user_for_token(plain: str) -> User | None:
    digest = hashlib.sha256(plain.encode()).hexdigest()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    return token.user if token else None
