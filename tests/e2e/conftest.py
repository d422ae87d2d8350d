"""Browser tests: the app served from a thread, Debian's Chromium driven by Playwright, axe-core
run on every page. They run once, on SQLite (the PostgreSQL run of `make test` skips them)."""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db, limiter
from tests import backends
from tests.conftest import empty_tables, make_test_app
from tests.factories import PASSWORD
from tests.served import LiveServer

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
E2E_DIR = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser test against a live server (SQLite only)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="browser tests run once, on SQLite")
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            if backends.backend() == "postgresql":
                item.add_marker(skip_pg)


@pytest.fixture(scope="session")
def live_server(_schema) -> Iterator[LiveServer]:
    instance = Path(tempfile.mkdtemp(prefix="sr-e2e-"))
    # CSRF on: the browser submits the real forms. No SERVER_NAME: mailed links then carry the
    # host and port the browser used, so they can be followed.
    app = make_test_app(_schema, instance, WTF_CSRF_ENABLED=True)
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(instance, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_data(live_server: LiveServer) -> Iterator[None]:
    """Each test starts with empty tables and its own login budget: every browser test logs in
    from 127.0.0.1 to the one served app, and together they pass the per-address login limit
    within a minute (then a login answers 429 and the test finds the login page)."""
    yield
    with live_server.app.app_context():
        empty_tables()
        db.session.remove()
        limiter.reset()
    shutil.rmtree(live_server.app.config["MAIL_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "nl-NL", "viewport": {"width": 1280, "height": 900}}


@functools.cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm install` (make test does)")
    return AXE_JS.read_text(encoding="utf-8")


def assert_no_axe_violations(page: Page) -> None:
    """Run axe-core's default rules (WCAG 2.x A/AA and best practices) on the current page."""
    # page.evaluate runs outside the page's CSP, which forbids injected <script> tags.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(' '))}))"""
    )
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['targets'][:5])}"
        for v in violations
    )
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{report}"


def log_in(page: Page, email: str) -> None:
    """Fill and send the login form that is on the page (Dutch or English)."""
    page.get_by_label(re.compile("^E-mail")).fill(email)
    page.get_by_label(re.compile("^(Wachtwoord|Password)")).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=re.compile("^(Inloggen|Log in)$")).click()


def log_in_as(page: Page, email: str) -> None:
    """Log in from the login page and wait until the app says who is logged in."""
    page.goto("/account/inloggen")
    log_in(page, email)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
