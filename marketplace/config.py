"""Configuration read from environment variables (see README "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path

from marketplace.production import DEVELOPMENT_SECRET_KEY

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    """Defaults for embedded mode: SQLite in instance/, jobs run in-process after commit."""

    # "development" (default) or "production" (marketplace/production.py): production refuses
    # to start with a development key, SQLite or debug on, and logs JSON lines to stdout.
    APP_ENV = _env("APP_ENV", "development")
    SECRET_KEY = _env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    # "json": one JSON object per log line on stdout (production's default); "text" otherwise.
    LOG_FORMAT = _env("LOG_FORMAT", "json" if APP_ENV == "production" else "text")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'marketplace.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = _env("REDIS_URL")
    # The public address of the site, for links in mails written by jobs and commands (outside a
    # request, which would give its own address).
    BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
    RQ_QUEUE = _env("RQ_QUEUE", "default")
    # Key prefix isolates test runs that share one Redis.
    REDIS_PREFIX = _env("REDIS_PREFIX", "")
    # Seconds a request waits for Redis (connect, then each reply) before it gives up: a Redis
    # that is down or hangs must cost a request a moment, not a 500 or ten seconds.
    REDIS_SOCKET_TIMEOUT = float(_env("REDIS_SOCKET_TIMEOUT", "0.5") or 0.5)
    # Seconds /readyz waits for all its checks together before it answers "not ready".
    READYZ_TIMEOUT = float(_env("READYZ_TIMEOUT", "2") or 2)

    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = int(_env("MAIL_PORT", "25") or 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env("MAIL_USE_TLS", "0") == "1"
    MAIL_DEFAULT_SENDER = _env(
        "MAIL_DEFAULT_SENDER", "Sociaal Rendement <noreply@sociaalrendement.example.com>"
    )
    MAIL_DIR = str(INSTANCE_DIR / "mail")

    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = _env("STRIPE_API_BASE")
    # Members pay on Stripe Checkout (iDEAL, SEPA Direct Debit). "0" starts the subscription
    # directly instead, charging STRIPE_DIRECT_PAYMENT_METHOD: for localstripe, which has no
    # Checkout (tests, development).
    STRIPE_CHECKOUT = _env("STRIPE_CHECKOUT", "1") == "1"
    STRIPE_DIRECT_PAYMENT_METHOD = _env("STRIPE_DIRECT_PAYMENT_METHOD")

    # Sessions and the proxy in front (see marketplace/transport.py). With "https" the session
    # cookies are Secure and responses carry HSTS.
    PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "http")
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600
    # How many proxies in front set X-Forwarded-For / -Proto / -Host; 0 trusts none of them.
    PROXY_FIX_X_FOR = int(_env("PROXY_FIX_X_FOR", "0") or 0)
    PROXY_FIX_X_PROTO = int(_env("PROXY_FIX_X_PROTO", "0") or 0)
    PROXY_FIX_X_HOST = int(_env("PROXY_FIX_X_HOST", "0") or 0)

    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Report files made by jobs (services/report_files.py), kept REPORT_KEEP_HOURS; on a disk
    # that the app servers and the workers share.
    REPORT_DIR = _env("REPORT_DIR", str(INSTANCE_DIR / "reports"))
    REPORT_KEEP_HOURS = 24
    # Rows of a PDF report's table rendered at a time (services/reports.py render_pdf).
    REPORT_ROWS_PER_PART = 400
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

    BABEL_DEFAULT_LOCALE = "nl"
    LANGUAGES = ("nl", "en")
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"

    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in this process's memory instead of failing the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
    }
    # werkzeug's generate_password_hash method (services/accounts.py hash_password); the tests
    # set a cheap one, every other use keeps the default.
    PASSWORD_HASH_METHOD = "scrypt"
    LOGIN_RATE_LIMIT = "20 per minute"  # per client address
    LOGIN_PAIR_RATE_LIMIT = "10 per minute"  # per e-mail address and client address
    # blueprints/limits.py: registering and reset requests per client address; searching (page
    # and API together) and the API as a whole per user or token, else per client address.
    REGISTER_RATE_LIMIT = _env("REGISTER_RATE_LIMIT", "10 per hour")
    PASSWORD_RESET_RATE_LIMIT = _env("PASSWORD_RESET_RATE_LIMIT", "10 per hour")
    SEARCH_RATE_LIMIT = _env("SEARCH_RATE_LIMIT", "120 per minute")
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "600 per minute")
    # New confirmation links per client address, and per e-mail address (no mailbox flooding).
    RESEND_RATE_LIMIT = _env("RESEND_RATE_LIMIT", "10 per hour")
    RESEND_ADDRESS_RATE_LIMIT = _env("RESEND_ADDRESS_RATE_LIMIT", "3 per hour")
    # Per e-mail address and client address (domain/login_backoff): 5 attempts, then a lock
    # of 5 minutes that doubles with every further lock, up to a day.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 5
    LOGIN_LOCK_MAX_MINUTES = 24 * 60
    TOKEN_MAX_AGE_SECONDS = 2 * 24 * 3600

    API_TITLE = "Sociaal Rendement API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    JOBS_MODE = "rq" if REDIS_URL else "inline"
    JOB_MAX_ATTEMPTS = 3
    # Finished outbox rows hold the jobs' arguments (a mail's address and body): done ones are
    # deleted after this many days, failed ones after 90 (services/job_records.py).
    OUTBOX_KEEP_DAYS = int(_env("OUTBOX_KEEP_DAYS", "30") or 30)
