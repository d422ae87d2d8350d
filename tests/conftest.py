"""Fixtures after flaskr's conftest: app, client, runner, auth; plus db and per-role users."""

from __future__ import annotations

import copy
import shutil
import socket
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask, g, request_started
from hypothesis import settings
from sqlalchemy import text

from marketplace import create_app
from marketplace.extensions import db as _db
from marketplace.extensions import limiter
from marketplace.models import Contract
from marketplace.services.readiness import migration_heads
from tests import backends
from tests.factories import PASSWORD, Parties, make_network, make_org, make_parties, make_user
from tests.served import LiveServer, serving
from tests.stripe_server import SECRET_KEY, WEBHOOK_SECRET, LocalStripe

TRANSLATIONS = Path(__file__).resolve().parent.parent / "marketplace" / "translations"


def compile_translations(translations: Path = TRANSLATIONS) -> list[Path]:
    """Compile every catalogue whose .mo is missing or older than its .po; returns those written.

    `make install` compiles them, but a plain `pip install -e .` does not, and without the .mo
    files every page is English and the Dutch assertions fail. Written to a temporary file and
    renamed, so parallel workers (-n 2) never read half a catalogue."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(translations.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with tempfile.NamedTemporaryFile(dir=mo.parent, suffix=".mo.tmp", delete=False) as out:
            write_mo(out, catalog)
        Path(out.name).chmod(0o644)
        Path(out.name).replace(mo)
        written.append(mo)
    return written


def pytest_configure(config: pytest.Config) -> None:
    compile_translations()
    config.addinivalue_line(
        "markers", "fresh_app: the test changes the app itself (adds a route): an app of its own"
    )


@pytest.fixture(scope="session")
def database_url():
    if backends.backend() == "postgresql":
        url = backends.create_postgres_database()
        yield url
        backends.drop_postgres_database(url)
    else:
        with backends.sqlite_folder() as folder:
            yield f"sqlite:///{folder / 'test.db'}"


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the tables once per worker; tests empty them afterwards."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        _db.engine.dispose()
    return database_url


# Every sequence of the schema starts again at 1, as after TRUNCATE ... RESTART IDENTITY.
_RESTART_SEQUENCES = text(
    "SELECT setval(c.oid, 1, false) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind = 'S' AND n.nspname = current_schema()"
)


def empty_tables() -> None:
    """Delete every row, children first, and start the ids at 1 again; the schema stays for the
    next test. On PostgreSQL a DELETE of a test's few rows takes milliseconds where TRUNCATE of
    every table (new files for each table and index) took a second or more."""
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(table.delete())
    if _db.engine.dialect.name == "postgresql":
        _db.session.execute(_RESTART_SEQUENCES)
    _db.session.commit()


# One round of PBKDF2 instead of scrypt: scrypt takes a tenth of a second or more per user made
# or login checked, and that was half the suite's time. test_auth checks the real default.
CHEAP_PASSWORD_HASH = "pbkdf2:sha256:1"


def make_test_app(database_url: str, instance_dir: Path, **config: Any) -> Flask:
    """An app on the test database with mail and uploads in `instance_dir`; `config` overrides."""
    return create_app(
        {
            "TESTING": True,
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            # High enough that no test but the rate limits' own (which lower them) meets them.
            "REGISTER_RATE_LIMIT": "10000 per hour",
            "PASSWORD_RESET_RATE_LIMIT": "10000 per hour",
            "SEARCH_RATE_LIMIT": "10000 per minute",
            "API_RATE_LIMIT": "10000 per minute",
            "MAIL_SERVER": None,
            "MAIL_DIR": str(instance_dir / "mail"),
            "UPLOAD_DIR": str(instance_dir / "uploads"),
            "REPORT_DIR": str(instance_dir / "reports"),
            "REDIS_URL": None,
            "JOBS_MODE": "inline",
            # Stripe is off unless a test asks for `stripe_app` (localstripe): a developer's
            # STRIPE_* environment must never make the tests talk to Stripe.
            "STRIPE_SECRET_KEY": None,
            "STRIPE_WEBHOOK_SECRET": None,
            "STRIPE_API_BASE": None,
            **config,
        }
    )


# Property tests draw the same examples on every run, so CI results are reproducible, and are
# never timed: a loaded CI machine makes a slow example, not a wrong one (timings live in bench/).
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.load_profile("repeatable")


def _forget_login(sender, **extra) -> None:
    g.pop("_login_user", None)
    g.pop("_flask_babel", None)  # Flask-Babel's locale, chosen per request like the user


def _new_test_app(database_url: str) -> Flask:
    instance = Path(tempfile.mkdtemp(prefix="sr-test-"))
    return make_test_app(database_url, instance, WTF_CSRF_ENABLED=False, SERVER_NAME="localhost")


@dataclass
class _SharedApp:
    """One app per worker for the tests' `app`, with what a test may change in it as it was
    made: making an app (routes compiled, the API's schema documented) took about as long as an
    average test itself. The rate limiter is one object that every create_app configures anew
    (its storage: memory, or a test's Redis), so its state is kept and put back too."""

    app: Flask
    config: dict[str, Any]
    limiter_state: dict[str, Any]
    extensions: frozenset[str]
    rules: int

    def renew(self) -> None:
        """Back to as made: config, limiter with no counts, none of the state that services
        keep in `app.extensions` once used (search counts, clients), empty mail, upload and
        report folders."""
        self.app.config.clear()
        self.app.config.update(copy.deepcopy(self.config))
        vars(limiter).update(self.limiter_state)
        with self.app.app_context():
            limiter.reset()
        for name in set(self.app.extensions) - self.extensions:
            del self.app.extensions[name]
        for entry in Path(self.app.config["MAIL_DIR"]).parent.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink()


@pytest.fixture(scope="session")
def _shared_app(_schema) -> Iterator[_SharedApp]:
    app = _new_test_app(_schema)
    yield _SharedApp(
        app,
        copy.deepcopy(dict(app.config)),
        dict(vars(limiter)),
        frozenset(app.extensions),
        _rules(app),
    )
    shutil.rmtree(Path(app.config["MAIL_DIR"]).parent, ignore_errors=True)


def _rules(app: Flask) -> int:
    return len(list(app.url_map.iter_rules()))


@pytest.fixture
def app(request, _schema, _shared_app):
    """The app in an app context for one test: the worker's shared one, renewed first, unless
    the test changes the app itself (adds a route) and is marked `fresh_app`."""
    fresh = request.node.get_closest_marker("fresh_app") is not None
    if fresh:
        app = _new_test_app(_schema)
    else:
        _shared_app.renew()
        app = _shared_app.app
    # The test keeps one app context around all its requests, and Flask-Login caches the user
    # and Flask-Babel the locale in `g`, which lives there: forget them when a request starts, as a
    # fresh context would.
    with app.app_context(), request_started.connected_to(_forget_login, app):
        yield app
        _db.session.remove()
        empty_tables()
        _db.session.remove()
        _db.engine.dispose()
    if fresh:
        shutil.rmtree(Path(app.config["MAIL_DIR"]).parent, ignore_errors=True)
    else:
        assert _rules(app) == _shared_app.rules, "a test that adds routes is marked fresh_app"


@pytest.fixture
def live(app) -> Iterator[LiveServer]:
    """The test database served over HTTP, for requests that must race in separate transactions:
    a second app (no SERVER_NAME: any host answers) writing mail and uploads where `app` reads."""
    served = make_test_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        Path(app.config["MAIL_DIR"]).parent,
        WTF_CSRF_ENABLED=False,
    )
    with serving(served) as server:
        yield server
    with served.app_context():
        _db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = PASSWORD):
        return self._client.post("/account/inloggen", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/account/uitloggen")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user(app):
    return make_user("someone@example.com")


@pytest.fixture
def admin(app):
    return make_user("admin@example.com", admin=True)


@pytest.fixture
def contractor(app):
    """An organisation of kind contractor with its owner."""
    owner = make_user("owner@contractor.example.com")
    return make_org("contractor", owner=owner, name="Aannemer Test B.V.")


@pytest.fixture
def authority(app):
    owner = make_user("officer@authority.example.com")
    return make_org("authority", owner=owner, name="Gemeente Test")


@pytest.fixture
def emco(app):
    """A verified werkbedrijf with its owner (emco@example.com): a supplier in the marketplace."""
    owner = make_user("emco@example.com")
    return make_org("werkbedrijf", owner=owner, name="EMCO-groep", verified=True)


@pytest.fixture
def policy_fields() -> dict[str, Any]:
    """make_policy's overrides for the `parties` policy; a module overrides this fixture to
    publish another policy (e.g. its own PSO table)."""
    return {}


@pytest.fixture
def parties(authority, contractor, policy_fields) -> Parties:
    """The authority with its officer and a policy (factories.make_policy), the verified
    contractor with its owner, and `parties.contract` between them when a test asks for it."""
    return make_parties(authority, contractor, **policy_fields)


@pytest.fixture
def contract(parties) -> Contract:
    """The factory contract: € 1.200.000, 2026-03-01 to 2028-02-29, obligation € 60.000."""
    return parties.contract


def free_port() -> int:
    """A TCP port nothing listens on right now (for servers that cannot bind port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """A real SMTP server on localhost that keeps what it receives, for mail tests."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[bytes] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.original_content)
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server(app):
    """The app sends through a real SMTP server; not started yet, so it refuses until
    `smtp_server.start()` (as a mail server that is down would)."""
    server = SmtpServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """A localstripe server of this pytest worker, in memory only (tests/stripe_server.py)."""
    server = LocalStripe(free_port())
    server.start()
    yield server
    server.stop()


STRIPE_CONFIG = {
    "STRIPE_SECRET_KEY": SECRET_KEY,
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "STRIPE_CHECKOUT": False,
    "STRIPE_DIRECT_PAYMENT_METHOD": "pm_card_visa",
}


@pytest.fixture
def stripe_app(app, localstripe):
    """The app with Stripe configured against localstripe (subscriptions started directly:
    localstripe has no Checkout)."""
    app.config.update(STRIPE_API_BASE=localstripe.url, **STRIPE_CONFIG)
    return app


@pytest.fixture
def metwerk(app):
    """The network MetWerk, ready to invoice, with its admin admin@metwerk.example.com."""
    return make_network(make_user("admin@metwerk.example.com"))


@pytest.fixture
def metwerk_admin(metwerk):
    return metwerk.members[0].user


@pytest.fixture
def at_head(app) -> Iterator[str]:
    """The test schema (made by create_all) stamped at the migrations' head, as `flask db
    upgrade` leaves a database; removed again afterwards."""
    [head] = migration_heads()
    _db.session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    _db.session.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": head})
    _db.session.commit()
    yield head
    _db.session.remove()
    _db.session.execute(text("DROP TABLE alembic_version"))
    _db.session.commit()
