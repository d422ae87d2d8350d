"""Memberships paid through Stripe: the one customer of an organisation, starting the payment,
applying Stripe's events and the nightly reconcile (docs/architecture.md "Stripe events").

Stripe is the record of what was paid. Events arrive duplicated and out of order, so no event
is applied from its own payload: the job re-reads the subscription (and invoices) from Stripe
and moves the membership to what Stripe says *now* through `membership_status.apply`, which
does nothing when the membership is already there or the move is not allowed. An old event
processed late therefore re-applies the current state instead of undoing a newer one. The
membership's row is locked (PostgreSQL) while Stripe is read and the state applied, so of two
jobs of the same membership the one that read later also writes later."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import stripe
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.clock import LOCAL_TZ
from marketplace.domain.invoicing import InvoiceLine, invoice_totals
from marketplace.extensions import db
from marketplace.models import (
    Membership,
    Organisation,
    Plan,
    StripeCustomer,
    StripeEvent,
    StripeInvoice,
    User,
)
from marketplace.models._types import utcnow
from marketplace.services import audit, membership_status, organisations, stripe_client
from marketplace.services.errors import NotFound, ServiceError

log = logging.getLogger(__name__)

INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"})
SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    }
)
CHECKOUT_EVENTS = frozenset({"checkout.session.completed"})
# What a Stripe subscription's status means for the membership, as moves of
# domain/membership.py, in order ("unpaid": Stripe gave up retrying, so the member is suspended).
MOVES_OF_STATUS: dict[str, tuple[str, ...]] = {
    "active": ("pay",),
    "trialing": ("pay",),
    "past_due": ("fall_due",),
    "unpaid": ("fall_due", "suspend"),
    "canceled": ("cancel",),
}
# The membership states in which the member may start paying through Stripe: accepted and
# waiting for the first payment (pending), or behind with a payment.
PAYABLE = frozenset({"pending", "past_due", "suspended"})
RECONCILE_BATCH = 200


# --- the customer and the start of a payment ----------------------------------------------------


def customer_id(org: Organisation) -> str:
    """The organisation's one Stripe customer id, created on first use. Commits.

    One customer, never two, also under a double click or a redirect racing a webhook: the
    organisation's row is locked (PostgreSQL: FOR NO KEY UPDATE, which still lets other tables
    refer to it) while the customer is looked up and created, the create carries an idempotency
    key derived from the organisation (Stripe answers a repeat with the first customer), and
    `stripe_customers` is unique on both columns, so a loser's insert adds nothing and it
    reads the winner's row."""
    found = _stored_customer(org.id)
    if found is not None:
        return found
    db.session.execute(
        select(Organisation.id).where(Organisation.id == org.id).with_for_update(key_share=True)
    )
    found = _stored_customer(org.id)
    if found is None:
        customer = stripe_client.client().v1.customers.create(
            params={"name": org.name, "metadata": {"organisation_id": str(org.id)}},
            options={"idempotency_key": f"sr-customer-{org.id}"},
        )
        db.session.execute(
            _insert()(StripeCustomer)
            .values(organisation_id=org.id, stripe_customer_id=customer.id, created_at=utcnow())
            .on_conflict_do_nothing()
        )
        audit.record("stripe.customer_created", org, after={"customer": customer.id})
        found = _stored_customer(org.id)
    db.session.commit()
    return found


def _stored_customer(org_id: int) -> str | None:
    return db.session.scalar(
        select(StripeCustomer.stripe_customer_id).where(StripeCustomer.organisation_id == org_id)
    )


def _insert():
    return pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def payable_for_member(membership_id: int, by: User) -> Membership:
    """A membership its organisation's owner may pay through Stripe; NotFound for anyone else,
    ServiceError when there is nothing to pay that way."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or organisations.role_of(by, membership.organisation) is None:
        raise NotFound()
    organisations.require_role(by, membership.organisation, "owner")
    if not can_pay(membership):
        raise ServiceError(_("There is nothing to pay with Stripe for this membership."))
    return membership


def can_pay(membership: Membership) -> bool:
    """Whether the member can start paying through Stripe: Stripe is configured, the
    application was accepted, a fee is due and no subscription runs yet."""
    return (
        stripe_client.configured()
        and membership.status in PAYABLE
        and membership.accepted_at is not None
        and membership.stripe_subscription_id is None
        and membership.plan.yearly_fee_cents > 0
    )


def start_payment(membership_id: int, by: User, *, success_url: str, cancel_url: str) -> str | None:
    """Start paying a membership through Stripe; returns the Checkout page to send the member
    to, or None when a subscription was started directly (STRIPE_CHECKOUT off: localstripe,
    which has no Checkout). The membership becomes active only when Stripe says its invoice is
    paid, through the webhook's job. Commits."""
    membership = payable_for_member(membership_id, by)
    try:
        customer = customer_id(membership.organisation)
        if current_app.config.get("STRIPE_CHECKOUT", True):
            return _checkout_url(membership, customer, success_url, cancel_url)
        _subscribe_directly(membership, customer)
    except stripe.StripeError as exc:
        db.session.rollback()
        log.warning("starting a Stripe payment of membership %s failed: %s", membership_id, exc)
        raise ServiceError(
            _("Stripe cannot take the payment right now. Try again in a few minutes."),
            code="stripe_unavailable",
        ) from exc
    return None


def yearly_total_cents(plan: Plan) -> int:
    """The plan's yearly fee including VAT: what Stripe charges each year."""
    line = InvoiceLine(
        description=plan.name,
        amount_cents=plan.yearly_fee_cents,
        vat_rate_bp=plan.vat_rate_bp,
        exemption_reason=None if plan.vat_rate_bp is not None else plan.vat_exemption_reason,
    )
    return invoice_totals([line]).total_cents


def _checkout_url(membership: Membership, customer: str, success_url: str, cancel: str) -> str:
    """A Checkout session for a yearly subscription paid by iDEAL (the first payment, which
    Stripe turns into a SEPA mandate) or SEPA Direct Debit. A double click within the day gets
    the same session (idempotency key); the session and its subscription carry the
    membership's id, which the webhook's job links (checkout.session.completed)."""
    plan = membership.plan
    session = stripe_client.client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer,
            "client_reference_id": str(membership.id),
            "payment_method_types": ["ideal", "sepa_debit"],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": yearly_total_cents(plan),
                        "recurring": {"interval": "year"},
                        "product_data": {"name": f"{membership.network.name}: {plan.name}"},
                    },
                }
            ],
            "metadata": {"membership_id": str(membership.id)},
            "subscription_data": {"metadata": {"membership_id": str(membership.id)}},
            "success_url": success_url,
            "cancel_url": cancel,
        },
        options={"idempotency_key": f"sr-checkout-{membership.id}-{utcnow():%Y%m%d}"},
    )
    audit.record("stripe.checkout_started", membership, after={"session": session.id})
    db.session.commit()
    return session.url


def _subscribe_directly(membership: Membership, customer: str) -> None:
    """A subscription to the plan's yearly Stripe plan, charged to the customer's default
    payment method (STRIPE_DIRECT_PAYMENT_METHOD is attached first when set: localstripe's test
    card). The membership row is locked while it is created, so a double click starts one."""
    locked = db.session.scalar(
        select(Membership.stripe_subscription_id)
        .where(Membership.id == membership.id)
        .with_for_update(key_share=True)
    )
    if locked is not None:
        db.session.commit()
        return
    subscription_id = subscribe(
        customer,
        membership.plan,
        membership_id=membership.id,
        payment_method=current_app.config.get("STRIPE_DIRECT_PAYMENT_METHOD"),
        idempotency_key=f"sr-subscription-{membership.id}",
    )
    _link(membership, subscription_id)
    audit.record("stripe.subscription_started", membership, after={"subscription": subscription_id})
    db.session.commit()


def subscribe(
    customer: str,
    plan: Plan,
    *,
    membership_id: int,
    payment_method: str | None,
    idempotency_key: str | None = None,
) -> str:
    """Start a subscription to the plan's yearly Stripe plan for `customer`, carrying the
    membership's id, charged to `payment_method` (attached and made the customer's default
    first) or to the customer's default; returns its id. Changes nothing here."""
    client = stripe_client.client()
    if payment_method:
        attached = client.v1.payment_methods.attach(payment_method, params={"customer": customer})
        client.v1.customers.update(
            customer, params={"invoice_settings": {"default_payment_method": attached.id}}
        )
    subscription = client.v1.subscriptions.create(
        params={
            "customer": customer,
            "items": [{"plan": _stripe_plan(plan)}],
            "metadata": {"membership_id": str(membership_id)},
        },
        options={"idempotency_key": idempotency_key} if idempotency_key else None,
    )
    return subscription.id


def _stripe_plan(plan: Plan) -> str:
    """The id of the Stripe plan for a plan at its current yearly total; made when missing (a
    new fee or VAT rate is a new Stripe plan, running subscriptions keep theirs)."""
    total = yearly_total_cents(plan)
    plan_id = f"sr-plan-{plan.id}-{total}"
    client = stripe_client.client()
    try:
        client.v1.plans.retrieve(plan_id)
    except stripe.InvalidRequestError:
        client.v1.plans.create(
            params={
                "id": plan_id,
                "amount": total,
                "currency": "eur",
                "interval": "year",
                "product": {"name": f"{plan.network.name}: {plan.name}"},
            }
        )
    return plan_id


def _link(membership: Membership, subscription_id: str) -> bool:
    """Record the membership's subscription, once: only while it has none."""
    linked = db.session.execute(
        update(Membership)
        .where(Membership.id == membership.id, Membership.stripe_subscription_id.is_(None))
        .values(stripe_subscription_id=subscription_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(membership)
    return linked == 1


# --- events ----------------------------------------------------------------------------------


def process_event(event_id: str) -> None:
    """The job of a stored event: apply what Stripe says now about the subscription the event
    is about, then mark the event processed. Idempotent: a processed event is skipped, and
    applying the current state twice changes nothing the second time. Commits."""
    event = db.session.get(StripeEvent, event_id)
    if event is None or event.processed_at is not None:
        return
    kind, obj = event.type, event.payload["data"]["object"]
    subscription_id, hint, invoice_ids = None, None, []
    if kind in CHECKOUT_EVENTS and obj.get("mode") == "subscription":
        subscription_id = _id_of(obj.get("subscription"))
        hint = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("membership_id")
    elif kind in INVOICE_EVENTS:
        subscription_id = _subscription_of_invoice(obj)
        invoice_ids = [obj["id"]] if isinstance(obj.get("id"), str) else []
    elif kind in SUBSCRIPTION_EVENTS:
        subscription_id = _id_of(obj.get("id"))
    if subscription_id:
        sync_subscription(subscription_id, hint=hint, invoice_ids=invoice_ids)
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, StripeEvent.processed_at.is_(None))
        .values(processed_at=utcnow())
    )
    db.session.commit()


def sync_subscription(
    subscription_id: str, *, hint: str | None = None, invoice_ids: list[str] | None = None
) -> dict[str, Any] | None:
    """Bring the membership of a subscription to what Stripe says now: its state, current
    period, invoices (the latest and `invoice_ids`) and last failure reason. Returns what
    changed (None when no membership of ours has this subscription). The caller commits."""
    client = stripe_client.client()
    membership_id = _membership_of(subscription_id, hint)
    if membership_id is None:
        log.info("stripe subscription %s belongs to no membership: ignored", subscription_id)
        return None
    membership = db.session.scalar(
        select(Membership)
        .where(Membership.id == membership_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    subscription = client.v1.subscriptions.retrieve(subscription_id)
    if not _belongs(membership, subscription):
        return None
    before = {"status": membership.status, "failure": membership.payment_failure_reason}
    if membership.stripe_subscription_id is None:
        _link(membership, subscription_id)
    latest = _id_of(_get(subscription, "latest_invoice"))
    mirrored = {
        invoice_id: mirror_invoice(membership, client.v1.invoices.retrieve(invoice_id))
        for invoice_id in dict.fromkeys([*(invoice_ids or []), *([latest] if latest else [])])
    }
    newest = mirrored.get(latest) if latest else None
    if newest is not None:
        membership.payment_failure_reason = (
            None if newest.status == "paid" else newest.failure_reason
        )
    wanted = MOVES_OF_STATUS.get(subscription["status"], ())
    if "pay" in wanted and (newest is None or newest.status != "paid"):
        # A SEPA Direct Debit subscription is active as soon as the mandate is set up, while
        # its invoice is still being collected: the member pays when the invoice is paid.
        wanted = ()
    moves = [
        action
        for action in wanted
        if membership_status.apply(membership, action, by=None, source="stripe")
    ]
    if subscription["status"] in ("active", "trialing"):
        for column, value in _period_values(subscription).items():
            setattr(membership, column, value)
    after = {"status": membership.status, "failure": membership.payment_failure_reason}
    return {"moves": moves, "before": before, "after": after, "stripe": subscription["status"]}


def _membership_of(subscription_id: str, hint: str | None) -> int | None:
    """Our membership of a subscription: the one linked to it, else the one its metadata (or
    the checkout session's reference) names: an invoice may be paid before the checkout's
    completion is processed."""
    linked = db.session.scalar(
        select(Membership.id).where(Membership.stripe_subscription_id == subscription_id)
    )
    if linked is not None:
        return linked
    if not hint:
        subscription = stripe_client.client().v1.subscriptions.retrieve(subscription_id)
        hint = _get(subscription, "metadata", "membership_id")
    return int(hint) if hint and str(hint).isdigit() else None


def _belongs(membership: Membership | None, subscription: Any) -> bool:
    """Whether the subscription may be this membership's: it is already linked to it, or it is
    unlinked and the subscription's customer is the membership organisation's customer."""
    if membership is None:
        return False
    if membership.stripe_subscription_id is not None:
        return membership.stripe_subscription_id == subscription.id
    return _stored_customer(membership.organisation_id) == _id_of(subscription["customer"])


def mirror_invoice(membership: Membership, invoice: Any) -> StripeInvoice:
    """Write Stripe's invoice as it is now into `stripe_invoices` (insert or update)."""
    db.session.execute(
        _insert()(StripeInvoice)
        .values(
            stripe_invoice_id=invoice.id,
            membership_id=membership.id,
            status=_get(invoice, "status") or "draft",
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["stripe_invoice_id"])
    )
    row = db.session.scalar(
        select(StripeInvoice)
        .where(StripeInvoice.stripe_invoice_id == invoice.id)
        .execution_options(populate_existing=True)
    )
    lines = _get(invoice, "lines", "data") or []
    period = _get(lines[0], "period") if lines else None
    paid_at = _get(invoice, "status_transitions", "paid_at")
    row.membership_id = membership.id
    row.status = _get(invoice, "status") or "draft"
    row.amount_due_cents = int(_get(invoice, "amount_due") or 0)
    row.amount_paid_cents = int(_get(invoice, "amount_paid") or 0)
    row.currency = (_get(invoice, "currency") or "eur")[:3]
    row.period_start = _day(_get(period, "start") if period else _get(invoice, "period_start"))
    row.period_end = _day(_get(period, "end") if period else _get(invoice, "period_end"))
    row.created_on = _day(_get(invoice, "created"))
    row.paid_at = (
        datetime.fromtimestamp(paid_at, UTC).replace(tzinfo=None)
        if paid_at
        else (row.paid_at or (utcnow() if row.status == "paid" else None))
    )
    row.failure_reason = None if row.status == "paid" else _failure_reason(invoice)
    return row


def _failure_reason(invoice: Any) -> str | None:
    """Why Stripe could not collect the invoice, in Stripe's words: the charge's failure message
    (older API versions, localstripe), the payment intent's last error, or the finalisation
    error. None when nothing failed."""
    message = _get(invoice, "charge", "failure_message")  # only when Stripe expanded it
    if message:
        return str(message)
    intent = _get(invoice, "payment_intent")
    if isinstance(intent, str) and _get(invoice, "attempted") and _get(invoice, "status") == "open":
        try:
            intent = stripe_client.client().v1.payment_intents.retrieve(intent)
        except stripe.StripeError:
            intent = None
    message = _get(intent, "last_payment_error", "message") if intent is not None else None
    if message:
        return str(message)
    message = _get(invoice, "last_finalization_error", "message")
    if message:
        return str(message)
    if _get(invoice, "attempted") and _get(invoice, "status") == "open":
        return _("The payment failed.")
    return None


def _period_values(subscription: Any) -> dict[str, date]:
    """The membership's current period from the subscription (top level in older API versions
    and localstripe, on its first item in the current one); the end is the last day paid."""
    start = _get(subscription, "current_period_start")
    end = _get(subscription, "current_period_end")
    items = _get(subscription, "items", "data") or []
    if (start is None or end is None) and items:
        start = _get(items[0], "current_period_start")
        end = _get(items[0], "current_period_end")
    if start is None or end is None:
        return {}
    last = _day(end - 1)
    return {"current_period_start": _day(start), "current_period_end": last}


def _subscription_of_invoice(invoice: dict[str, Any]) -> str | None:
    """An invoice's subscription: top level (older API versions, localstripe) or under
    `parent.subscription_details` (the current API)."""
    return _id_of(invoice.get("subscription")) or _id_of(
        _get(invoice, "parent", "subscription_details", "subscription")
    )


def _id_of(value: Any) -> str | None:
    """An id that Stripe gives as a string or as an expanded object."""
    if isinstance(value, str):
        return value or None
    found = _get(value, "id")
    return found if isinstance(found, str) else None


def _get(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]... or None; for dicts and StripeObjects alike."""
    for key in path:
        if obj is None:
            return None
        try:
            obj = obj[key]
        except (KeyError, TypeError, IndexError):
            return None
    return obj


def _day(timestamp: Any) -> date | None:
    """A Stripe timestamp as the day it is in the Netherlands."""
    if not isinstance(timestamp, int | float):
        return None
    return datetime.fromtimestamp(timestamp, LOCAL_TZ).date()


# --- the nightly reconcile ---------------------------------------------------------------------


def reconcile() -> dict[str, int]:
    """Compare every Stripe-billed membership with Stripe and repair what drifted (a lost or
    failed webhook, a change made in Stripe's dashboard): the same sync as an event's job, and
    an audit row "stripe.reconciled" for each membership it changed. A membership cancelled
    here whose subscription still runs in Stripe has its subscription cancelled. One
    membership's failure (Stripe unreachable for it) is logged and the others go on. Commits
    per membership."""
    counts = {"checked": 0, "repaired": 0, "failed": 0}
    last_id = 0
    while True:
        batch = list(
            db.session.execute(
                select(Membership.id, Membership.stripe_subscription_id)
                .where(Membership.stripe_subscription_id.is_not(None), Membership.id > last_id)
                .order_by(Membership.id)
                .limit(RECONCILE_BATCH)
            )
        )
        db.session.commit()
        if not batch:
            return counts
        for membership_id, subscription_id in batch:
            last_id = membership_id
            counts["checked"] += 1
            try:
                if _reconcile_one(membership_id, subscription_id):
                    counts["repaired"] += 1
                db.session.commit()
            except Exception:
                db.session.rollback()
                counts["failed"] += 1
                log.exception("reconcile of membership %s failed", membership_id)


def _reconcile_one(membership_id: int, subscription_id: str) -> bool:
    membership = db.session.get(Membership, membership_id)
    if membership.status == "cancelled":
        subscription = stripe_client.client().v1.subscriptions.retrieve(subscription_id)
        if subscription["status"] in ("canceled", "incomplete_expired"):
            return False
        stripe_client.client().v1.subscriptions.cancel(subscription_id)
        audit.record(
            "stripe.reconciled",
            membership,
            before={"stripe": subscription["status"]},
            after={"stripe": "canceled", "status": "cancelled"},
        )
        return True
    change = sync_subscription(subscription_id)
    pushed = push_cancel_at_period_end(membership)
    if change is None or change["before"] == change["after"]:
        return pushed
    audit.record(
        "stripe.reconciled",
        membership,
        before=change["before"],
        after={**change["after"], "stripe": change["stripe"], "moves": change["moves"]},
    )
    return True


def push_cancel_at_period_end(membership: Membership) -> bool:
    """Tell Stripe the member's choice to end at the end of the period (or to stay after all),
    so Stripe does not charge the next year; True when Stripe had to change. Audited. Call it
    when the member chooses (the reconcile does it nightly too). The caller commits."""
    if membership.stripe_subscription_id is None or membership.status == "cancelled":
        return False
    client = stripe_client.client()
    subscription = client.v1.subscriptions.retrieve(membership.stripe_subscription_id)
    wanted = bool(membership.cancel_at_period_end)
    if subscription["status"] in ("canceled", "incomplete_expired") or (
        bool(_get(subscription, "cancel_at_period_end")) == wanted
    ):
        return False
    client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": wanted})
    audit.record("stripe.cancel_at_period_end", membership, after={"cancel_at_period_end": wanted})
    return True
