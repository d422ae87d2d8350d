"""Memberships paid through Stripe, with the real `stripe` library against localstripe and
webhooks signed with Stripe's scheme (docs/architecture.md "Stripe events"): the webhook stores
an event once and answers at once, the job applies what Stripe says now (so duplicates and
out-of-order events never undo newer state), the member's payment starts one customer and one
subscription, and the nightly reconcile repairs drift."""

from __future__ import annotations

import time
from datetime import date

import pytest
import stripe
from flask import Flask
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditLog,
    Membership,
    OutboxJob,
    StripeCustomer,
    StripeEvent,
    StripeInvoice,
    User,
)
from marketplace.services import memberships, outbox, stripe_billing, stripe_client
from tests import backends
from tests.factories import PASSWORD, make_network, make_org, make_plan, make_user
from tests.served import at_once, logged_in
from tests.stripe_server import event, signed

OWNER = "owner@bouw.example.com"
ON_POSTGRESQL = pytest.mark.skipif(
    backends.backend() != "postgresql",
    reason="a race needs concurrent writers; SQLite lets one writer in at a time",
)


@pytest.fixture
def membership(stripe_app) -> Membership:
    """An accepted application of Bouw B.V. to MetWerk (€ 1.200 + 21% VAT a year), waiting for
    its first payment; with Stripe configured no manual invoice is issued."""
    network = make_network(make_user("admin@metwerk.example.com"))
    applicant = make_org("contractor", owner=make_user(OWNER), name="Bouw B.V.")
    plan = make_plan(network, billing_rule="yearly_from_join")
    applied = memberships.apply(applicant, plan.id, applicant.members[0].user)
    return memberships.accept(applied.id, network.members[0].user, date.today())


def post(client, payload: bytes, header: str | None):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return client.post("/webhooks/stripe", data=payload, headers=headers)


def deliver(client, evt: dict) -> None:
    """Deliver a signed event and close the response, as a WSGI server does once it has sent
    it: the event's job runs then (outbox.dispatch_after_response)."""
    response = post(client, *signed(evt))
    assert response.status_code == 200, response.data
    response.close()


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def stripe_events(kind: str, subscription_id: str) -> list[dict]:
    """localstripe's own events of `kind` about the subscription, oldest first, as dicts of
    the shape it would post."""
    found = []
    # localstripe lists its events oldest first: page through all of them, since a worker's
    # earlier tests leave more than one page behind.
    for evt in stripe_client.client().v1.events.list(params={"limit": 100}).auto_paging_iter():
        obj = evt.to_dict()["data"]["object"]
        if evt.type == kind and subscription_id in (obj.get("id"), obj.get("subscription")):
            found.append(evt.to_dict())
    return list(reversed(found))


def pay(client, membership: Membership) -> str:
    """The member clicks "Pay with Stripe"; returns the subscription localstripe started."""
    client.post("/account/inloggen", data={"email": OWNER, "password": PASSWORD})
    response = client.post(f"/netwerken/lidmaatschap/{membership.id}/stripe")
    assert response.status_code == 302
    client.post("/account/uitloggen")  # Stripe's deliveries come without the member's cookie
    db.session.refresh(membership)
    assert membership.stripe_subscription_id
    return membership.stripe_subscription_id


def pay_actions(membership: Membership) -> list[str]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.object_type == "Membership", AuditLog.object_id == membership.id)
            .where(AuditLog.action.like("membership.%"))
            .where(AuditLog.action.not_in(["membership.applied", "membership.accepted"]))
            .order_by(AuditLog.id)
        )
    )


# --- configuration -------------------------------------------------------------------------


def test_a_test_app_without_an_api_base_refuses_to_build_a_client(app):
    app.config.update(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE=None)
    with pytest.raises(stripe_client.StripeNotConfigured):
        stripe_client.client()


def test_the_client_goes_to_localstripe_without_retries(stripe_app, localstripe):
    client = stripe_client.client()
    assert client is stripe_client.client()  # one client per configuration
    assert client._requestor._options.base_addresses["api"] == localstripe.url
    assert client._requestor._options.max_network_retries == 0


# --- the webhook ---------------------------------------------------------------------------


def test_the_same_event_ten_times_is_stored_once_and_applied_once(stripe_app, client, membership):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)

    for _ in range(10):
        deliver(client, paid)

    assert count(StripeEvent) == 1
    assert count(OutboxJob) == 1 + db.session.scalar(
        select(func.count()).select_from(OutboxJob).where(OutboxJob.job_name == "send_mail")
    )
    db.session.refresh(membership)
    assert membership.status == "active"
    assert pay_actions(membership) == ["membership.pay"]
    assert db.session.get(StripeEvent, paid["id"]).processed_at is not None


def _bad_deliveries():
    good = event("evt_bad_1", "invoice.paid", {"id": "in_1", "object": "invoice"})
    body, header = signed(good)
    stale_body, stale_header = signed(good, timestamp=int(time.time()) - 301)
    wrong_body, wrong_header = signed(good, secret="whsec_someone_else")
    not_json = b"{not json"
    not_json_header = stripe.WebhookSignature.generate_signature_header(
        not_json.decode(), "whsec_test_sociaal_rendement", timestamp=int(time.time())
    )
    list_body, list_header = signed([1, 2])  # type: ignore[arg-type]
    return {
        "missing": (body, None),
        "garbage": (body, "t=abc,v1=nonsense"),
        "wrong secret": (wrong_body, wrong_header),
        "tampered": (body.replace(b"invoice.paid", b"invoice.fake"), header),
        "stale": (stale_body, stale_header),
        "not json": (not_json, not_json_header),
        "not an event": (list_body, list_header),
    }


@pytest.mark.parametrize("case", list(_bad_deliveries()))
def test_an_unsigned_or_bad_delivery_is_refused_and_nothing_is_stored(stripe_app, client, case):
    payload, header = _bad_deliveries()[case]

    response = post(client, payload, header)

    assert response.status_code == 400
    assert count(StripeEvent) == 0
    assert count(OutboxJob) == 0


def test_the_webhook_needs_no_login_and_no_csrf_token(stripe_app, localstripe, tmp_path):
    strict = Flask  # the same app, with CSRF on as in production
    from tests.conftest import STRIPE_CONFIG, make_test_app

    production_like = make_test_app(
        stripe_app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        WTF_CSRF_ENABLED=True,
        STRIPE_API_BASE=localstripe.url,
        **STRIPE_CONFIG,
    )
    assert isinstance(production_like, strict)
    evt = event("evt_csrf_1", "customer.created", {"id": "cus_1", "object": "customer"})
    with production_like.app_context():
        response = post(production_like.test_client(), *signed(evt))
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200
    assert count(StripeEvent) == 1


# --- applying events -----------------------------------------------------------------------


def test_stripe_pays_the_membership_its_period_and_the_invoice_mirror(
    stripe_app, client, membership
):
    subscription_id = pay(client, membership)
    assert membership.status == "pending"  # not before Stripe says the invoice is paid
    assert count(StripeCustomer) == 1

    for evt in stripe_events("customer.subscription.created", subscription_id):
        deliver(client, evt)
    for evt in stripe_events("invoice.payment_succeeded", subscription_id):
        deliver(client, evt)

    db.session.refresh(membership)
    assert membership.status == "active"
    assert membership.current_period_start == date.today()
    assert membership.current_period_end.year == date.today().year + 1
    [invoice] = db.session.scalars(select(StripeInvoice)).all()
    assert (invoice.membership_id, invoice.status) == (membership.id, "paid")
    assert invoice.amount_paid_cents == invoice.amount_due_cents == 145_200
    assert invoice.paid_at is not None and invoice.failure_reason is None
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "membership.pay"))
    assert audit.after["source"] == "stripe" and audit.actor_id is None


def _checkout_completed(evt_id: str, membership: Membership, subscription_id: str) -> dict:
    customer = db.session.scalar(select(StripeCustomer.stripe_customer_id))
    return event(
        evt_id,
        "checkout.session.completed",
        {
            "id": f"cs_test_{evt_id}",
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "customer": customer,
            "subscription": subscription_id,
            "client_reference_id": str(membership.id),
            "metadata": {"membership_id": str(membership.id)},
        },
    )


def _subscribe_as_checkout_would(membership: Membership, card: str = "pm_card_visa") -> str:
    """What Checkout does on Stripe's side: a subscription carrying the membership's id, of
    which our database knows nothing until an event says so."""
    customer = stripe_billing.customer_id(membership.organisation)
    return stripe_billing.subscribe(
        customer, membership.plan, membership_id=membership.id, payment_method=card
    )


def test_invoice_paid_before_checkout_completed_ends_active_and_linked(
    stripe_app, client, membership
):
    subscription_id = _subscribe_as_checkout_would(membership)
    [succeeded] = stripe_events("invoice.payment_succeeded", subscription_id)
    paid = {**succeeded, "id": "evt_paid_first", "type": "invoice.paid"}

    deliver(client, paid)  # Stripe's invoice.paid overtakes checkout.session.completed
    deliver(client, _checkout_completed("evt_checkout_late", membership, subscription_id))
    deliver(client, succeeded)  # and the twin of invoice.paid: treated alike

    db.session.refresh(membership)
    assert membership.status == "active"
    assert membership.stripe_subscription_id == subscription_id
    assert pay_actions(membership) == ["membership.pay"]
    assert count(StripeInvoice) == 1


def test_an_old_event_processed_late_does_not_undo_a_cancellation(stripe_app, client, membership):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)
    deliver(client, paid)
    stripe_client.client().v1.subscriptions.cancel(subscription_id)
    [deleted] = stripe_events("customer.subscription.deleted", subscription_id)
    deliver(client, deleted)

    # An invoice.paid about the first invoice that Stripe retried late, after the deletion.
    deliver(client, {**paid, "id": "evt_late_retry", "type": "invoice.paid"})

    db.session.refresh(membership)
    assert membership.status == "cancelled"
    assert pay_actions(membership) == ["membership.pay", "membership.cancel"]


def test_a_failed_payment_keeps_the_membership_pending_with_stripes_reason_until_paid(
    stripe_app, client, membership
):
    stripe_app.config["STRIPE_DIRECT_PAYMENT_METHOD"] = "pm_card_chargeCustomerFail"
    subscription_id = pay(client, membership)
    stripe_sub = stripe_client.client().v1.subscriptions.retrieve(subscription_id)
    assert stripe_sub.status == "incomplete"
    invoice_id = stripe_sub.latest_invoice
    # localstripe declines at once without emitting invoice.payment_failed: Stripe's shape,
    # around the invoice as localstripe holds it.
    invoice = stripe_client.client().v1.invoices.retrieve(invoice_id).to_dict()
    failed = event("evt_failed_1", "invoice.payment_failed", invoice)

    deliver(client, failed)

    db.session.refresh(membership)
    assert membership.status == "pending"
    assert membership.payment_failure_reason
    mirrored = db.session.scalar(select(StripeInvoice))
    assert mirrored.status == "open" and mirrored.failure_reason
    client.post("/account/inloggen", data={"email": OWNER, "password": PASSWORD})
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert "De laatste betaling is mislukt" in page
    client.post("/account/uitloggen")

    # The member pays with a card that works; Stripe says the invoice is paid.
    client_ = stripe_client.client()
    customer = db.session.scalar(select(StripeCustomer.stripe_customer_id))
    card = client_.v1.payment_methods.attach("pm_card_visa", params={"customer": customer})
    client_.v1.customers.update(
        customer, params={"invoice_settings": {"default_payment_method": card.id}}
    )
    client_.v1.invoices.pay(invoice_id)
    deliver(client, {**failed, "id": "evt_paid_after_failure", "type": "invoice.paid"})

    db.session.refresh(membership)
    assert membership.status == "active"
    assert membership.payment_failure_reason is None
    db.session.refresh(mirrored)
    assert mirrored.status == "paid" and mirrored.failure_reason is None


def test_an_event_of_a_subscription_of_someone_else_changes_nothing(stripe_app, client, membership):
    other = make_org("contractor", owner=make_user("other@example.com"), name="Ander B.V.")
    # A subscription that names our membership, but of another organisation's customer.
    foreign = stripe_billing.subscribe(
        stripe_billing.customer_id(other),
        membership.plan,
        membership_id=membership.id,
        payment_method="pm_card_visa",
    )
    for evt in stripe_events("invoice.payment_succeeded", foreign):
        deliver(client, evt)

    db.session.refresh(membership)
    assert (membership.status, membership.stripe_subscription_id) == ("pending", None)


# --- the member's side ---------------------------------------------------------------------


def test_the_member_sees_the_stripe_button_and_a_double_click_starts_one_subscription(
    stripe_app, client, membership
):
    client.post("/account/inloggen", data={"email": OWNER, "password": PASSWORD})
    page = client.get("/netwerken/lidmaatschap").get_data(as_text=True)
    assert "Betalen met Stripe" in page

    first = pay(client, membership)
    client.post("/account/inloggen", data={"email": OWNER, "password": PASSWORD})
    again = client.post(f"/netwerken/lidmaatschap/{membership.id}/stripe")

    assert again.status_code == 302
    db.session.refresh(membership)
    assert membership.stripe_subscription_id == first
    customer = db.session.scalar(select(StripeCustomer.stripe_customer_id))
    listed = stripe_client.client().v1.subscriptions.list(params={"customer": customer})
    assert [s.id for s in listed.data] == [first]
    assert "Betalen met Stripe" not in client.get("/netwerken/lidmaatschap").get_data(True)


def test_someone_elses_membership_cannot_be_paid(stripe_app, client, membership):
    make_user("stranger@example.com")
    client.post("/account/inloggen", data={"email": "stranger@example.com", "password": PASSWORD})
    assert client.post(f"/netwerken/lidmaatschap/{membership.id}/stripe").status_code == 404
    assert count(StripeCustomer) == 0


def test_checkout_is_a_yearly_subscription_by_ideal_or_sepa_with_the_membership_id(
    stripe_app, membership, monkeypatch
):
    stripe_app.config["STRIPE_CHECKOUT"] = True
    made = {}

    def create(params, options):
        made.update(params=params, options=options)
        return stripe.checkout.Session.construct_from(
            {"id": "cs_test_1", "url": "https://checkout.example/cs_test_1"}, "sk"
        )

    monkeypatch.setattr(
        stripe_client.client().v1.checkout.sessions, "create", create, raising=False
    )
    owner = db.session.scalar(select(User).where(User.email == OWNER))

    url = stripe_billing.start_payment(
        membership.id, owner, success_url="http://x/ok", cancel_url="http://x/no"
    )

    assert url == "https://checkout.example/cs_test_1"
    params = made["params"]
    assert params["mode"] == "subscription"
    assert params["payment_method_types"] == ["ideal", "sepa_debit"]
    assert params["line_items"][0]["price_data"]["unit_amount"] == 145_200
    assert params["line_items"][0]["price_data"]["recurring"] == {"interval": "year"}
    assert params["subscription_data"]["metadata"] == {"membership_id": str(membership.id)}
    assert params["client_reference_id"] == str(membership.id)
    assert made["options"]["idempotency_key"].startswith(f"sr-checkout-{membership.id}-")


# --- reliability ---------------------------------------------------------------------------


def test_an_event_stored_but_never_processed_is_processed_once_later(
    stripe_app, client, membership, monkeypatch
):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)
    # The process dies right after the commit: the event and its job row are stored, the job
    # never runs.
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)
    deliver(client, paid)
    monkeypatch.undo()
    job = db.session.scalar(select(OutboxJob).where(OutboxJob.job_name == "apply_stripe_event"))
    assert job.status == "pending"
    db.session.refresh(membership)
    assert membership.status == "pending"

    outbox.retry_pending()  # the next pass (`flask run-jobs`, the worker's relay) runs it
    outbox.retry_pending()
    deliver(client, paid)  # and Stripe's own redelivery

    db.session.refresh(membership)
    assert membership.status == "active"
    assert pay_actions(membership) == ["membership.pay"]
    assert count(StripeEvent) == 1


@ON_POSTGRESQL
def test_two_clicks_at_once_make_one_customer_and_one_subscription(stripe_app, live, membership):
    live.app.config.update(STRIPE_API_BASE=stripe_app.config["STRIPE_API_BASE"])
    live.app.config.update(
        {k: stripe_app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")}
    )
    live.app.config.update(STRIPE_CHECKOUT=False, STRIPE_DIRECT_PAYMENT_METHOD="pm_card_visa")
    sessions = [logged_in(live, OWNER) for _ in range(4)]
    before = {c.id for c in stripe_client.client().v1.customers.list(params={"limit": 100}).data}
    url = f"{live.url}/netwerken/lidmaatschap/{membership.id}/stripe"

    codes = at_once(
        [(lambda s=s: s.post(url, allow_redirects=False).status_code) for s in sessions]
    )

    assert codes == [302] * 4
    assert count(StripeCustomer) == 1
    customer = db.session.scalar(select(StripeCustomer.stripe_customer_id))
    listed = stripe_client.client().v1.subscriptions.list(params={"customer": customer})
    db.session.refresh(membership)
    assert [s.id for s in listed.data] == [membership.stripe_subscription_id]
    customers = stripe_client.client().v1.customers.list(params={"limit": 100}).data
    assert {c.id for c in customers} - before == {customer}  # Stripe made one customer


@ON_POSTGRESQL
def test_one_event_delivered_at_once_is_stored_once(stripe_app, live):
    live.app.config.update(
        {k: stripe_app.config[k] for k in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")},
        STRIPE_API_BASE=stripe_app.config["STRIPE_API_BASE"],
    )
    payload, header = signed(
        event("evt_at_once", "customer.created", {"id": "cus_x", "object": "customer"})
    )
    import requests

    def deliver_once():
        return requests.post(
            f"{live.url}/webhooks/stripe",
            data=payload,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            timeout=30,
        ).json()["duplicate"]

    duplicates = at_once([deliver_once] * 6)

    assert sorted(duplicates) == [False] + [True] * 5
    assert count(StripeEvent) == 1
    assert count(OutboxJob) == 1  # one job to apply it


# --- the nightly reconcile -----------------------------------------------------------------


def test_reconcile_repairs_drift_and_audits_it(stripe_app, client, membership):
    subscription_id = pay(client, membership)  # no webhook arrives: drift from the start
    other = make_org("contractor", owner=make_user("twee@example.com"), name="Twee B.V.")
    second = memberships.accept(
        memberships.apply(other, membership.plan_id, other.members[0].user).id,
        membership.network.members[0].user,
        date.today(),
    )
    second_sub = pay_as(client, second, "twee@example.com")
    deliver(client, stripe_events("invoice.payment_succeeded", second_sub)[0])
    stripe_client.client().v1.subscriptions.cancel(second_sub)  # deleted event lost

    counts = stripe_billing.reconcile()

    assert counts == {"checked": 2, "repaired": 2, "failed": 0}
    db.session.refresh(membership)
    db.session.refresh(second)
    assert (membership.status, second.status) == ("active", "cancelled")
    reconciled = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "stripe.reconciled").order_by(AuditLog.id)
    ).all()
    assert [(a.object_id, a.after["status"]) for a in reconciled] == [
        (membership.id, "active"),
        (second.id, "cancelled"),
    ]
    assert stripe_billing.reconcile() == {"checked": 2, "repaired": 0, "failed": 0}
    assert subscription_id


def test_reconcile_cancels_in_stripe_what_was_cancelled_here(stripe_app, client, membership):
    subscription_id = pay(client, membership)
    deliver(client, stripe_events("invoice.payment_succeeded", subscription_id)[0])
    db.session.execute(
        Membership.__table__.update()
        .where(Membership.id == membership.id)
        .values(status="cancelled")
    )
    db.session.commit()

    assert stripe_billing.reconcile()["repaired"] == 1

    assert stripe_client.client().v1.subscriptions.retrieve(subscription_id).status == "canceled"


def pay_as(client, membership: Membership, email: str) -> str:
    client.post("/account/uitloggen")
    client.post("/account/inloggen", data={"email": email, "password": PASSWORD})
    assert client.post(f"/netwerken/lidmaatschap/{membership.id}/stripe").status_code == 302
    db.session.refresh(membership)
    return membership.stripe_subscription_id


def test_stripe_gets_its_answer_before_the_job_runs(stripe_app, client, membership):
    subscription_id = pay(client, membership)
    [paid] = stripe_events("invoice.payment_succeeded", subscription_id)

    response = post(client, *signed(paid))

    assert response.status_code == 200
    assert db.session.get(StripeEvent, paid["id"]).processed_at is None  # stored, not yet run
    response.close()  # the WSGI server has sent the answer: now the job runs
    db.session.rollback()
    assert db.session.get(StripeEvent, paid["id"]).processed_at is not None
    db.session.refresh(membership)
    assert membership.status == "active"


def test_an_active_subscription_whose_invoice_is_still_collected_does_not_pay_yet(
    stripe_app, client, membership, monkeypatch
):
    """SEPA Direct Debit: Stripe makes the subscription active once the mandate is set up and
    collects the invoice days later; the membership waits for the invoice to be paid."""
    subscription_id = pay(client, membership)
    [created] = stripe_events("customer.subscription.created", subscription_id)
    invoices = stripe_client.client().v1.invoices
    real_retrieve = invoices.retrieve

    def processing(invoice_id, *args, **kwargs):
        found = real_retrieve(invoice_id, *args, **kwargs).to_dict()
        return stripe.Invoice.construct_from({**found, "status": "open", "amount_paid": 0}, "sk")

    monkeypatch.setattr(invoices, "retrieve", processing, raising=False)
    deliver(client, created)
    db.session.refresh(membership)
    assert membership.status == "pending"

    monkeypatch.undo()  # the debit arrived
    deliver(client, {**created, "id": "evt_updated_paid", "type": "customer.subscription.updated"})
    db.session.refresh(membership)
    assert membership.status == "active"


def test_reconcile_tells_stripe_the_member_ends_at_the_period_end(stripe_app, client, membership):
    subscription_id = pay(client, membership)
    deliver(client, stripe_events("invoice.payment_succeeded", subscription_id)[0])
    db.session.execute(
        Membership.__table__.update()
        .where(Membership.id == membership.id)
        .values(cancel_at_period_end=True)
    )
    db.session.commit()

    assert stripe_billing.reconcile()["repaired"] == 1

    subscription = stripe_client.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.cancel_at_period_end is True
    assert subscription.status == "active"  # it runs to the end of the paid year
    assert stripe_billing.reconcile()["repaired"] == 0


def test_the_members_cancel_at_period_end_reaches_stripe_at_once(stripe_app, client, membership):
    from marketplace.services import renewals

    subscription_id = pay(client, membership)
    deliver(client, stripe_events("invoice.payment_succeeded", subscription_id)[0])
    db.session.refresh(membership)
    owner = membership.organisation.members[0].user

    renewals.cancel_at_period_end(membership.id, owner, membership.current_period_start)

    subscription = stripe_client.client().v1.subscriptions.retrieve(subscription_id)
    assert subscription.cancel_at_period_end is True
    assert stripe_billing.reconcile()["repaired"] == 0
