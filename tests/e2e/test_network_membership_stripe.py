"""Issue 14's browser test, second run: a company applies to MetWerk, the network admin accepts
it, the member pays with Stripe (localstripe; a subscription on the plan's yearly Stripe plan is
started directly, as localstripe has no Checkout), localstripe's `invoice.payment_succeeded`
reaches the served app's webhook signed with Stripe's scheme, and the member's page then shows
the membership active; axe checks every page on the way, at desktop and phone width.

The event is taken from localstripe and posted by the test rather than by localstripe itself
(`send_webhooks_to`): localstripe is shared by every test of the pytest worker and keeps its
webhook settings, so it would go on posting other tests' events to this server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import Membership
from tests.conftest import STRIPE_CONFIG
from tests.e2e.conftest import LiveServer, assert_no_axe_violations, log_in_as, log_out
from tests.e2e.test_network_membership import (
    OWNER,
    apply_and_be_accepted,
    metwerk_and_applicant,
)
from tests.integration.test_stripe import stripe_events
from tests.stripe_server import LocalStripe, signed

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def stripe_server(live_server: LiveServer, localstripe: LocalStripe) -> Iterator[LiveServer]:
    """The served app with Stripe configured against localstripe, for this test only (the
    server is shared by the session's browser tests, which expect manual invoices)."""
    config = live_server.app.config
    keys = ["STRIPE_API_BASE", *STRIPE_CONFIG]
    before = {key: config.get(key) for key in keys}
    config.update(STRIPE_API_BASE=localstripe.url, **STRIPE_CONFIG)
    yield live_server
    config.update(before)


def _check_axe(page: Page) -> None:
    """No axe violations at desktop width, nor at a phone's."""
    assert_no_axe_violations(page)
    page.set_viewport_size(PHONE)
    assert_no_axe_violations(page)
    page.set_viewport_size(DESKTOP)


def _status_after_reloads(page: Page, wanted: str, seconds: float = 15) -> None:
    """Reload the member's page until the membership's status reads `wanted`: the webhook's
    job runs in the server after the webhook's response has gone out."""
    status = page.locator("main dd").nth(1)
    deadline = time.monotonic() + seconds
    while status.inner_text().strip() != wanted and time.monotonic() < deadline:
        time.sleep(0.2)
        page.reload()
    expect(status).to_have_text(wanted)


def test_a_company_applies_is_accepted_and_pays_with_stripe(page: Page, stripe_server: LiveServer):
    with stripe_server.app.app_context():
        slug = metwerk_and_applicant(billing_rule="yearly_from_join")

    apply_and_be_accepted(page, slug, _check_axe)
    log_out(page)

    log_in_as(page, OWNER)
    page.goto("/netwerken/lidmaatschap")
    main = page.locator("main")
    expect(main).to_contain_text("in behandeling")
    _check_axe(page)
    page.get_by_role("button", name="Betalen met Stripe").click()
    expect(page.get_by_role("status")).to_contain_text("Stripe verwerkt je betaling")
    expect(page.get_by_role("button", name="Betalen met Stripe")).to_have_count(0)
    expect(main).not_to_contain_text("actief")
    _check_axe(page)

    with stripe_server.app.app_context():
        subscription_id = db.session.scalars(db.select(Membership.stripe_subscription_id)).one()
        assert subscription_id
        [paid] = stripe_events("invoice.payment_succeeded", subscription_id)
        db.session.remove()
    body, signature = signed(paid)
    response = requests.post(
        f"{stripe_server.url}/webhooks/stripe",
        data=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        timeout=10,
    )
    assert response.status_code == 200, response.text

    _status_after_reloads(page, "actief")
    _check_axe(page)
