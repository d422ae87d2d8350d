"""Network memberships and their fees: plans, memberships, invoices and the counters of the
gap-free invoice series. Rules: docs/domain.md "Memberships"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db
from marketplace.models._types import utcnow
from marketplace.models.accounts import Organisation, User

# Plans by organisation size (docs/domain.md "Plans and periods"), in employees.
PLAN_SIZE_BANDS = ("any", "up_to_10", "10_to_50", "50_to_250", "250_plus")
INVOICE_STATUSES = ("open", "paid", "credited")

# The states of a membership that still hold a place in the network; one such membership per
# organisation and network, so a rejected or cancelled organisation may apply again.
_OPEN_MEMBERSHIP = "status IN ('pending', 'active', 'past_due', 'suspended')"
# An invoice that counts for its period: not a credit invoice, not cancelled by one.
_INVOICE_IN_FORCE = "credit_of_id IS NULL AND status IN ('open', 'paid')"
# Automatic dunning steps are taken once per invoice; the admin's manual reminders may repeat.
_AUTOMATIC_STEP = "step <> 'manual'"


class Plan(db.Model):
    """What a network offers: a yearly fee excluding VAT with its VAT treatment (a rate, or the
    reason it is exempt, printed on the invoice) and the rule its periods follow."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    yearly_fee_cents: Mapped[int] = mapped_column(BigInteger)
    size_band: Mapped[str] = mapped_column(String(20), default="any")
    benefits: Mapped[str] = mapped_column(Text, default="")
    vat_rate_bp: Mapped[int | None]
    vat_exemption_reason: Mapped[str | None] = mapped_column(String(255))
    billing_rule: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    network: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"<Plan {self.id} {self.name}>"


class Membership(db.Model):
    """An organisation's membership of a network, from its application on. `status` follows
    domain/membership.py; the application's decision is recorded beside it (accepted_at, or
    rejected_at with the reason)."""

    __tablename__ = "memberships"
    __table_args__ = (
        Index(
            "uq_memberships_open_per_network",
            "network_id",
            "organisation_id",
            unique=True,
            postgresql_where=text(_OPEN_MEMBERSHIP),
            sqlite_where=text(_OPEN_MEMBERSHIP),
        ),
        Index("ix_memberships_network_status", "network_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    joined_on: Mapped[date | None]
    current_period_start: Mapped[date | None]
    current_period_end: Mapped[date | None]
    comped_until: Mapped[date | None]
    cancelled_at: Mapped[datetime | None]
    # The plan the member chose for its next period (docs/domain.md "Dunning and renewals"):
    # the renewal invoice is made for it and it becomes `plan_id` when that period starts.
    next_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    # The member cancelled at the end of the period: no renewal, cancelled when the period ends.
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The reason Stripe gave for the last failed payment (cleared when an invoice is paid), for
    # the network's overdue list.
    payment_failure_reason: Mapped[str | None] = mapped_column(Text)
    # The member's consent to be named on the network's public page; off until it says so.
    listed_publicly: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    network: Mapped[Organisation] = relationship(foreign_keys=[network_id])
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    plan: Mapped[Plan] = relationship(foreign_keys=[plan_id])
    next_plan: Mapped[Plan | None] = relationship(foreign_keys=[next_plan_id])
    applied_by: Mapped[User | None] = relationship(foreign_keys=[applied_by_id])

    def __repr__(self) -> str:
        return f"<Membership {self.id} {self.status}>"


class StripeCustomer(db.Model):
    """The one Stripe customer of an organisation, whatever the number of its memberships:
    both columns are unique, so a double click or a redirect racing a webhook cannot give an
    organisation a second customer (the loser of the insert reads the winner's row)."""

    __tablename__ = "stripe_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    stripe_customer_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvoiceCounter(db.Model):
    """The last number used in a network's invoice series of one year. A number is taken with
    one conditional UPDATE of this row in the transaction that inserts the invoice, so two
    invoices never share a number and a rolled-back invoice gives its number back (no gap)."""

    __tablename__ = "invoice_counters"
    __table_args__ = (UniqueConstraint("network_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    year: Mapped[int]
    last_number: Mapped[int] = mapped_column(default=0)


class Invoice(db.Model):
    """An issued invoice with everything Dutch invoice law asks copied onto it when issued
    (docs/domain.md "Invoices"): later changes to a plan or an organisation never change it.
    Never deleted; a cancellation is a credit invoice (`credit_of_id`) with negated amounts.
    A single-line invoice: one membership fee for one period."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("network_id", "year", "sequence"),
        Index("ix_invoices_network_status", "network_id", "status"),
        # One invoice in force per membership period: a renewal issued twice (a job run twice,
        # two workers) fails here. A cancelled (credited) invoice leaves room for its reissue.
        Index(
            "uq_invoices_membership_period",
            "membership_id",
            "period_start",
            unique=True,
            postgresql_where=text(_INVOICE_IN_FORCE),
            sqlite_where=text(_INVOICE_IN_FORCE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: an organisation with invoices cannot be deleted with them.
    network_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="RESTRICT"), index=True
    )
    year: Mapped[int]
    sequence: Mapped[int]
    number: Mapped[str] = mapped_column(String(20))
    invoice_date: Mapped[date]
    due_date: Mapped[date]
    seller_name: Mapped[str] = mapped_column(String(200))
    seller_address: Mapped[str] = mapped_column(String(400))
    seller_kvk: Mapped[str] = mapped_column(String(8))
    seller_btw: Mapped[str] = mapped_column(String(14))
    seller_iban: Mapped[str] = mapped_column(String(34))
    buyer_name: Mapped[str] = mapped_column(String(200))
    buyer_address: Mapped[str] = mapped_column(String(400))
    buyer_kvk: Mapped[str] = mapped_column(String(8))
    buyer_btw: Mapped[str | None] = mapped_column(String(14))
    description: Mapped[str] = mapped_column(String(400))
    period_start: Mapped[date]
    period_end: Mapped[date]
    amount_excl_vat_cents: Mapped[int] = mapped_column(BigInteger)
    vat_rate_bp: Mapped[int | None]
    vat_exemption_reason: Mapped[str | None] = mapped_column(String(255))
    vat_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    payment_reference: Mapped[str] = mapped_column(String(25))
    status: Mapped[str] = mapped_column(String(10), default="open")
    paid_at: Mapped[date | None]
    paid_amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="RESTRICT"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    membership: Mapped[Membership] = relationship()
    credit_of: Mapped[Invoice | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Invoice {self.number} {self.status}>"


class NetworkBilling(db.Model):
    """What a network's invoices need that an organisation does not hold: the IBAN members pay
    to. Without it a network cannot issue manual invoices."""

    __tablename__ = "network_billing"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), unique=True
    )
    iban: Mapped[str] = mapped_column(String(34))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MembershipReminder(db.Model):
    """A dunning step taken for an invoice (domain/membership.py DUNNING_STEPS) or a reminder the
    network admin sent by hand (`step` "manual", `by_id` the admin). The partial unique index
    makes each automatic step happen once per invoice, also when two sweeps run at once: the
    second one's insert does nothing, and only the inserter mails."""

    __tablename__ = "membership_reminders"
    __table_args__ = (
        Index(
            "uq_membership_reminders_invoice_step",
            "invoice_id",
            "step",
            unique=True,
            postgresql_where=text(_AUTOMATIC_STEP),
            sqlite_where=text(_AUTOMATIC_STEP),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(30))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StripeEvent(db.Model):
    """A Stripe webhook event as received, stored once under Stripe's event id (the primary key:
    a redelivery inserts nothing) in the transaction that writes its outbox row. The job that
    applies it sets `processed_at`; the payload is kept for the audit trail and for replays."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]


class StripeInvoice(db.Model):
    """Our copy of a Stripe invoice of a membership's subscription, as Stripe last said it was
    (re-read on every event and by the nightly reconcile): what the network's dashboard counts
    beside its manual invoices. Stripe's own invoice is the legal document, not this row."""

    __tablename__ = "stripe_invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_invoice_id: Mapped[str] = mapped_column(String(64), unique=True)
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    amount_due_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="eur")
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    created_on: Mapped[date | None]
    paid_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
