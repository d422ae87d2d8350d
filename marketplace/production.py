"""Which environment the app runs in, and the settings production refuses to start with.

`APP_ENV` says it: `development` (the default: `make run`, the tests) or `production`. It is
an explicit variable rather than a guess from other settings (a PostgreSQL URL, Redis, https),
because those are also set by a developer who runs the production stack locally (`make serve`),
and a guess that says "development" on a real server would silently accept a development key.
Anything else is refused, so a typo (`prod`) cannot start an unchecked server either."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ENVIRONMENTS = ("development", "production")
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"
# Session cookies and e-mail links are signed with SECRET_KEY: a short one can be guessed.
MIN_SECRET_KEY_LENGTH = 32


class UnsafeConfiguration(RuntimeError):
    """The app was asked to start with settings it must not run with; the message says which and
    what to set instead."""


def problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with `config` for its APP_ENV, one sentence each (empty: it may start)."""
    env = config.get("APP_ENV")
    if env not in ENVIRONMENTS:
        return [f"APP_ENV is {env!r}: set it to 'development' or 'production'"]
    if env != "production":
        return []
    found = []
    key = config.get("SECRET_KEY") or ""
    if not key:
        found.append("SECRET_KEY is not set: set it to a long random value")
    elif key == DEVELOPMENT_SECRET_KEY:
        found.append("SECRET_KEY is the development default: set it to a long random value")
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        found.append(
            f"SECRET_KEY has {len(key)} characters: use at least {MIN_SECRET_KEY_LENGTH}"
            " random ones"
        )
    if str(config.get("SQLALCHEMY_DATABASE_URI") or "").startswith("sqlite"):
        found.append(
            "DATABASE_URL is SQLite, which lets one writer in at a time and lives on one"
            " machine: set it to PostgreSQL (postgresql+psycopg://user:password@host/name)"
        )
    if config.get("DEBUG"):
        found.append(
            "debug is on (FLASK_DEBUG or --debug), which shows code and lets anyone run it"
            " from an error page: turn it off"
        )
    return found


def refuse_unsafe(config: Mapping[str, Any]) -> None:
    """Raise UnsafeConfiguration listing every problem, so an operator fixes them in one go."""
    found = problems(config)
    if found:
        lines = "\n".join(f"  - {problem}" for problem in found)
        raise UnsafeConfiguration(
            f"refusing to start with APP_ENV={config.get('APP_ENV')!r}:\n{lines}\n"
            "(secret key: python -c 'import secrets; print(secrets.token_hex(32))')"
        )
