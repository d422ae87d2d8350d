"""Login attempts counted per (e-mail address, client address) in the database.

The count rises BEFORE the password is checked, in one UPDATE, so that concurrent attempts
cannot all pass a check that reads the count first: with LOGIN_MAX_FAILURES = 5, the fifth
attempt of a pair locks it in the same statement's transaction and the sixth finds it locked,
however many arrive at once and on however many app servers. The lock's length follows
domain/login_backoff. A successful login deletes the pair's row."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from marketplace.domain.login_backoff import client_key, lock_minutes
from marketplace.extensions import db
from marketplace.models import LoginThrottle
from marketplace.models._types import utcnow

log = logging.getLogger(__name__)

# SQLite lets one writer in at a time and answers "database is locked" to a second one that
# started reading first: such an attempt is counted again after a short wait.
_BUSY_RETRIES = 50
# Rows of pairs that have been quiet (and unlocked) this long are deleted when new rows come.
_FORGET_AFTER = timedelta(days=1)


def account_key(email: str) -> str:
    """What a row stores instead of the address (it may be one typed by a stranger)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _pair(key: str, client: str):
    return and_(LoginThrottle.account_key == key, LoginThrottle.client == client)


def reserve_attempt(email: str, address: str | None) -> int | None:
    """Count one login attempt of `email` from `address`, before its password is checked.

    Returns None when the attempt may go on, or the minutes left when the pair is locked (the
    password must then not be checked). Commits."""
    key, client = account_key(email), client_key(address)
    for attempt in range(_BUSY_RETRIES):
        try:
            return _reserve(key, client, utcnow())
        except OperationalError:
            db.session.rollback()
            if attempt == _BUSY_RETRIES - 1 or db.engine.dialect.name != "sqlite":
                raise
            time.sleep(0.02)
    return None  # not reached


def _reserve(key: str, client: str, now: datetime) -> int | None:
    cfg = current_app.config
    db.session.commit()  # the count runs in a transaction of its own
    for _ in range(2):
        counted = db.session.execute(
            update(LoginThrottle)
            .where(
                _pair(key, client),
                or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
            )
            .values(attempts=LoginThrottle.attempts + 1, updated_at=now)
            .returning(LoginThrottle.attempts, LoginThrottle.lockouts)
        ).first()
        if counted is not None:
            break
        locked_until = db.session.scalar(
            select(LoginThrottle.locked_until).where(_pair(key, client))
        )
        if locked_until is not None and locked_until > now:
            db.session.commit()
            return math.ceil((locked_until - now).total_seconds() / 60)
        _insert_pair(key, client, now)
    else:
        raise RuntimeError("login throttle row vanished twice")  # pragma: no cover
    attempts, lockouts = counted
    if attempts >= cfg["LOGIN_MAX_FAILURES"]:
        # This attempt is the last one before the lock: it still gets its password check.
        minutes = lock_minutes(lockouts, cfg["LOGIN_LOCK_MINUTES"], cfg["LOGIN_LOCK_MAX_MINUTES"])
        db.session.execute(
            update(LoginThrottle)
            .where(_pair(key, client))
            .values(
                attempts=0, lockouts=lockouts + 1, locked_until=now + timedelta(minutes=minutes)
            )
        )
        log.warning("login pair %s… from %s locked for %s minutes", key[:12], client, minutes)
    db.session.commit()
    return None


def _insert_pair(key: str, client: str, now: datetime) -> None:
    """A row with no attempts yet; a row a concurrent attempt inserted first is kept."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LoginThrottle)
        .values(account_key=key, client=client, attempts=0, lockouts=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["account_key", "client"])
    )
    db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.updated_at < now - _FORGET_AFTER,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    db.session.commit()


def clear(email: str, address: str | None) -> None:
    """Forget the pair's attempts and locks (a successful login); the caller commits."""
    db.session.execute(delete(LoginThrottle).where(_pair(account_key(email), client_key(address))))


def forget_account(email: str) -> None:
    """Forget every count and lock of the address, from any client (its account is deleted: the
    key is derived from the address); the caller commits."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account_key == account_key(email)))
