"""A dropped database connection costs no request: the pool pings a connection before handing it
out (`pool_pre_ping`, marketplace/config.py) and replaces a dead one, so after PostgreSQL ended
the app's backends (a failover, a restart, an idle timeout) the next request is served."""

from __future__ import annotations

import psycopg
import requests
from sqlalchemy.engine import make_url

from marketplace.extensions import db
from tests import backends
from tests.factories import make_org, make_user


def terminate_other_backends(database_url: str) -> int:
    """End every connection to the test database but this one; how many were ended."""
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        ended = conn.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return ended[0]


@backends.ONLY_POSTGRESQL
def test_the_next_request_after_the_apps_backends_were_terminated_succeeds(app, live):
    emco = make_org(
        "werkbedrijf", owner=make_user("emco@example.com"), name="EMCO-groep", verified=True
    )
    page = f"{live.url}/organisaties/{emco.slug}"  # loads the organisation on every request
    assert requests.get(page, timeout=10).status_code == 200  # the pool holds a connection now
    db.session.remove()  # this test's own connection back in its pool too, as after a request

    assert terminate_other_backends(app.config["SQLALCHEMY_DATABASE_URI"]) >= 1

    statuses = [requests.get(page, timeout=10).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
