"""Start-up refuses a production configuration it must not run with, and says why
(marketplace/production.py); development, as `make run` and the tests use it, starts as before."""

from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.production import UnsafeConfiguration

SAFE_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 48,
    # Never connected: create_app only makes the engine.
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://app@127.0.0.1:1/never",
    "RATELIMIT_STORAGE_URI": "memory://",
    "REDIS_URL": None,
}


def production_app(**changes):
    return create_app({**SAFE_PRODUCTION, **changes})


def test_a_safe_production_configuration_starts():
    app = production_app()
    assert app.config["APP_ENV"] == "production"


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"SECRET_KEY": "dev-only-change-me"}, "SECRET_KEY is the development default"),
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short-but-not-default"}, "SECRET_KEY has 21 characters"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///instance/x.db"}, "DATABASE_URL is SQLite"),
        ({"DEBUG": True}, "debug is on"),
    ],
)
def test_an_unsafe_production_setting_is_refused_with_the_reason(changes, said):
    with pytest.raises(UnsafeConfiguration, match=said):
        production_app(**changes)


def test_debug_switched_on_by_flask_debug_is_refused(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(UnsafeConfiguration, match="debug is on"):
        production_app()


def test_every_problem_is_named_at_once():
    with pytest.raises(UnsafeConfiguration) as refused:
        production_app(SECRET_KEY=None, SQLALCHEMY_DATABASE_URI="sqlite://", DEBUG=True)
    message = str(refused.value)
    assert "SECRET_KEY" in message and "SQLite" in message and "debug" in message


def test_an_unknown_environment_is_refused():
    with pytest.raises(UnsafeConfiguration, match="APP_ENV is 'prod'"):
        production_app(APP_ENV="prod")


def test_development_starts_with_the_defaults():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "DEBUG": True})
    assert app.config["APP_ENV"] == "development"
    assert app.config["SECRET_KEY"] == "dev-only-change-me"
