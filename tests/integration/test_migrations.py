"""Alembic migrations (Flask-Migrate) on a fresh database of the current backend: upgrade from
empty, downgrade to base and upgrade again work, and the models match the migrations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text

from marketplace import create_app
from marketplace.extensions import db
from marketplace.models import Contract, Realisation
from marketplace.models.search import described_by_models
from marketplace.services import realisations
from tests import backends
from tests.conftest import CHEAP_PASSWORD_HASH
from tests.factories import fte_realisation, make_contract, make_org, make_policy

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
# The revision before "count a candidate's period and an invoice once" (d8e3b5c1a9f2).
COUNT_ONCE_PARENT = "d7a1f0c3b9e2"
# The revision before "store a contract's obligation explanation as steps" (e4b9c2d7a1f6).
STEPS_PARENT = "a4c7e2d9b1f6"


@pytest.fixture
def keep_logging():
    """migrations/env.py calls logging.config.fileConfig, which disables every logger that
    exists and replaces the root handlers: put them back for the tests that follow."""
    manager = logging.root.manager
    disabled = {
        name: logger.disabled
        for name, logger in manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_handlers, root_level = list(logging.root.handlers), logging.root.level
    yield
    for name, logger in manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)


@pytest.fixture(scope="session")
def _postgres_migrations_database() -> Iterator[str]:
    """One PostgreSQL database per worker for these tests, emptied before each: dropping a
    database forces a checkpoint of the whole server, which took up to a minute per test on a
    busy machine."""
    url = backends.create_postgres_database("_migrations")
    yield url
    backends.drop_postgres_database(url)


@pytest.fixture
def empty_database_url(request) -> Iterator[str]:
    """A database of its own, apart from the suite's schema (which create_all made), empty."""
    if backends.backend() == "postgresql":
        url = request.getfixturevalue("_postgres_migrations_database")
        engine = create_engine(url)
        with engine.begin() as connection:  # what a new database has: an empty public schema
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        yield url
    else:
        with backends.sqlite_folder() as folder:
            yield f"sqlite:///{folder / 'migrations.db'}"


@pytest.fixture
def migration_app(empty_database_url, keep_logging):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "REDIS_URL": None,
            "JOBS_MODE": "inline",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH,
            "SERVER_NAME": "localhost",  # the mails of submissions and decisions carry links
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_upgrade_downgrade_and_upgrade_again(migration_app):
    model_tables = set(db.metadata.tables)
    assert table_names() == set()

    flask_migrate.upgrade(directory=MIGRATIONS)
    assert model_tables - table_names() == set()

    flask_migrate.downgrade(directory=MIGRATIONS, revision="base")
    assert table_names() <= {"alembic_version"}

    flask_migrate.upgrade(directory=MIGRATIONS)
    assert model_tables - table_names() == set()


def test_models_have_no_changes_missing_from_the_migrations(migration_app):
    """What `flask db check` does: autogenerate against the upgraded database finds nothing.
    A model changed without a migration fails here, listing the differences."""
    flask_migrate.upgrade(directory=MIGRATIONS)

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": described_by_models}
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == [], "models differ from migrations; run `flask db migrate`"


def test_counting_once_backfills_keys_and_contractor_and_sets_clashes_aside(
    migration_app, tmp_path
):
    """Rows reported before the stored keys get them, and their contractor; of two rows that
    already counted one candidate twice, the older keeps its key (so the constraint can be made)
    and the later one is left without, for review."""
    migration_app.config.update(MAIL_DIR=str(tmp_path / "mail"), UPLOAD_DIR=str(tmp_path / "up"))
    flask_migrate.upgrade(directory=MIGRATIONS)
    authority = make_org("authority")
    contractor = make_org("contractor")
    officer = authority.members[0].user
    make_policy(authority)
    contract = make_contract(authority, contractor, officer)
    owner = contractor.members[0].user
    first = realisations.submit(contract, fte_realisation("DUP-SAME"), owner)
    flask_migrate.downgrade(directory=MIGRATIONS, revision=COUNT_ONCE_PARENT)
    columns = [
        c["name"] for c in inspect(db.engine).get_columns("realisations") if c["name"] != "id"
    ]
    names = ", ".join(columns)
    copy = names.replace("candidate_ref", "'dup_same'")
    with db.engine.begin() as connection:  # the double count main allowed: another spelling
        connection.execute(
            text(f"INSERT INTO realisations ({names}) SELECT {copy} FROM realisations")
        )

    flask_migrate.upgrade(directory=MIGRATIONS)

    db.session.expire_all()
    rows = db.session.scalars(select(Realisation).order_by(Realisation.id)).all()
    assert [(r.candidate_ref, r.candidate_key) for r in rows] == [
        ("DUP-SAME", "dupsame"),
        ("dup_same", None),
    ]
    assert {r.contractor_id for r in rows} == {contractor.id}
    assert rows[0].id == first.id


def test_obligation_steps_are_recomputed_on_upgrade_and_written_as_dutch_on_downgrade(
    migration_app, tmp_path
):
    """Contracts registered before the steps were data get them from their terms and policy;
    going back writes the Dutch explanation the old code showed."""
    migration_app.config.update(MAIL_DIR=str(tmp_path / "mail"), UPLOAD_DIR=str(tmp_path / "up"))
    flask_migrate.upgrade(directory=MIGRATIONS)
    authority = make_org("authority")
    officer = authority.members[0].user
    make_policy(authority, cap_cents=5_000_000)
    contract = make_contract(authority, make_org("contractor"), officer)
    steps = [
        [
            "percentage",
            {"percentage_bp": 500, "value_cents": 120_000_000, "amount_cents": 6_000_000},
        ],
        ["capped", {"cap_cents": 5_000_000}],
    ]
    assert contract.obligation_steps == steps
    db.session.commit()

    flask_migrate.downgrade(directory=MIGRATIONS, revision=STEPS_PARENT)
    with db.engine.connect() as connection:
        explanation = connection.execute(text("SELECT obligation_explanation FROM contracts"))
        assert explanation.scalar_one() == (
            "5% van € 1.200.000,00 = € 60.000,00; Begrensd op het maximum van € 50.000,00"
        )

    flask_migrate.upgrade(directory=MIGRATIONS)
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).obligation_steps == steps
