"""Manual membership invoices: issuing one with a number from the network's gap-free series,
recording payments, and cancelling by a credit invoice (docs/domain.md "Invoices").

The number is taken from the network's counter row of the invoice year with one UPDATE in the
transaction that inserts the invoice: concurrent issuers queue on that row's lock (PostgreSQL)
or on the single write lock (SQLite), each gets the next number, and a transaction that rolls
back gives its number back, so the series has no gap and no number twice. Invoices are never
deleted."""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from marketplace.domain import invoicing
from marketplace.domain.invoicing import InvoiceLine, Period
from marketplace.domain.money import MAX_CENTS, percent_from_bp
from marketplace.extensions import db
from marketplace.models import (
    Invoice,
    InvoiceCounter,
    Membership,
    NetworkBilling,
    Organisation,
    Plan,
    User,
)
from marketplace.services import audit, notify, plans, reports
from marketplace.services.errors import Conflict, ServiceError


def take_number(network_id: int, year: int) -> int:
    """The next number of the network's series for `year`, taken in the caller's transaction
    (which must insert the invoice and commit, or roll back and give the number back)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(InvoiceCounter)
        .values(network_id=network_id, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["network_id", "year"])
    )
    return db.session.execute(
        update(InvoiceCounter)
        .where(InvoiceCounter.network_id == network_id, InvoiceCounter.year == year)
        .values(last_number=InvoiceCounter.last_number + 1)
        .returning(InvoiceCounter.last_number)
    ).scalar_one()


def _address(org: Organisation) -> str:
    return ", ".join(part for part in (org.street, f"{org.postcode} {org.city}".strip()) if part)


def seller_problems(network: Organisation) -> list[str]:
    """What the network must still fill in before it can issue an invoice that meets Dutch
    invoice law (its BTW number, address and the IBAN members pay to); empty when ready."""
    problems = []
    if not network.btw_number:
        problems.append(_("the network's BTW number"))
    if not (network.street and network.postcode and network.city):
        problems.append(_("the network's address"))
    if iban_of(network.id) is None:
        problems.append(_("the IBAN members pay to"))
    return problems


def set_iban(network: Organisation, iban: str, by: User) -> NetworkBilling:
    """The IBAN the network's members pay to, checked (ISO 13616) and stored compact. Only the
    network admin sets it. Commits."""
    plans.require_network_admin(by, network)
    try:
        compact = stdnum_iban.validate(iban or "")
    except ValidationError:
        msg = _("Enter a valid IBAN.")
        raise ServiceError(msg, {"iban": msg}) from None
    billing = db.session.scalar(
        select(NetworkBilling).where(NetworkBilling.network_id == network.id)
    ) or NetworkBilling(network_id=network.id)
    before = {"iban": billing.iban}
    billing.iban = compact
    db.session.add(billing)
    db.session.flush()
    audit.record("network.iban_set", network, before=before, after={"iban": compact}, actor=by)
    db.session.commit()
    return billing


def iban_of(network_id: int) -> str | None:
    return db.session.scalar(
        select(NetworkBilling.iban).where(NetworkBilling.network_id == network_id)
    )


def add_membership_invoice(
    membership: Membership,
    period: Period,
    invoice_date: date,
    by: User | None,
    plan: Plan | None = None,
) -> Invoice:
    """Add the invoice of one membership period to the caller's transaction: the fee of `plan`
    (the membership's plan unless given: a renewal bills the plan in force next) for the period
    (pro rata for a first calendar-year period), its VAT, and every legal field copied from the
    network, the member and the plan as they are today. The member is mailed."""
    network, member = membership.network, membership.organisation
    plan = plan or membership.plan
    problems = seller_problems(network)
    if problems:
        raise ServiceError(
            _("Fill in before invoicing: %(missing)s.", missing=", ".join(problems)),
            code="seller_incomplete",
        )
    line = InvoiceLine(
        description=_(
            "Membership %(network)s, plan %(plan)s", network=network.name, plan=plan.name
        ),
        amount_cents=invoicing.period_fee_cents(plan.billing_rule, plan.yearly_fee_cents, period),
        vat_rate_bp=plan.vat_rate_bp,
        exemption_reason=plan.vat_exemption_reason,
        period=period,
    )
    totals = invoicing.invoice_totals([line])
    year = invoice_date.year
    sequence = take_number(network.id, year)
    invoice = Invoice(
        network_id=network.id,
        membership=membership,
        year=year,
        sequence=sequence,
        number=invoicing.invoice_number(year, sequence),
        invoice_date=invoice_date,
        due_date=invoicing.due_date(invoice_date),
        seller_name=network.name,
        seller_address=_address(network),
        seller_kvk=network.kvk_number,
        seller_btw=network.btw_number,
        seller_iban=iban_of(network.id),
        buyer_name=member.name,
        buyer_address=_address(member),
        buyer_kvk=member.kvk_number,
        buyer_btw=member.btw_number,
        description=line.description,
        period_start=period.start,
        period_end=period.end,
        amount_excl_vat_cents=totals.net_cents,
        vat_rate_bp=plan.vat_rate_bp,
        vat_exemption_reason=plan.vat_exemption_reason,
        vat_cents=totals.vat_cents,
        total_cents=totals.total_cents,
        payment_reference=invoicing.payment_reference(network.id, year, sequence),
        status="open",
    )
    db.session.add(invoice)
    db.session.flush()
    audit.record("invoice.issued", invoice, after=_facts(invoice), actor=by)
    notify.organisation(
        member.id,
        _l("Invoice %(number)s from %(network)s", number=invoice.number, network=network.name),
        _l(
            "%(network)s sent you invoice %(number)s for your membership. Pay it by "
            "%(due)s to %(iban)s with payment reference %(reference)s. You find the invoice "
            "on your membership page.",
            network=network.name,
            number=invoice.number,
            due=invoice.due_date.isoformat(),
            iban=invoice.seller_iban,
            reference=invoice.payment_reference,
        ),
    )
    return invoice


def _facts(invoice: Invoice) -> dict[str, object]:
    return {
        "number": invoice.number,
        "total_cents": invoice.total_cents,
        "status": invoice.status,
        "paid_amount_cents": invoice.paid_amount_cents,
    }


def record_payment(
    invoice: Invoice, paid_on: date, amount_cents: int, seen_paid_cents: int, by: User
) -> bool:
    """Add a payment the network received to an open invoice (docs/domain.md "Invoices"); it is
    paid once the amounts received reach its total, and stays open after a partial payment.

    `seen_paid_cents` is what the admin saw already received: the payment is added only while
    that is still so (one conditional UPDATE), so a double click records it once and a Conflict
    says so. Returns whether the invoice is now paid. The caller (the membership service, which
    also moves the membership) commits."""
    fields = {}
    if not 0 < amount_cents <= MAX_CENTS:
        fields["amount"] = _("Enter the amount received, more than € 0.")
    if paid_on < invoice.invoice_date:
        fields["paid_on"] = _("A payment cannot be received before the invoice date.")
    if fields:
        raise ServiceError(next(iter(fields.values())), fields)
    before = _facts(invoice)
    received = seen_paid_cents + amount_cents
    paid = received >= invoice.total_cents
    updated = db.session.execute(
        update(Invoice)
        .where(
            Invoice.id == invoice.id,
            Invoice.status == "open",
            Invoice.paid_amount_cents == seen_paid_cents,
        )
        .values(
            paid_amount_cents=received,
            status="paid" if paid else "open",
            paid_at=paid_on if paid else None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        db.session.rollback()
        raise Conflict(
            _(
                "This invoice changed in the meantime (a payment was recorded or it was "
                "cancelled). Check it and try again."
            ),
            code="invoice_changed",
        )
    db.session.refresh(invoice)
    audit.record(
        "invoice.payment_recorded", invoice, before=before, after=_facts(invoice), actor=by
    )
    return paid


def add_credit_invoice(invoice: Invoice, credit_date: date, by: User) -> Invoice:
    """Cancel an open invoice without payments by a credit invoice (docs/domain.md
    "Invoices"): a new number of the series, the original's amounts negated, referring to it;
    the original becomes `credited`. In the caller's transaction."""
    marked = db.session.execute(
        update(Invoice)
        .where(Invoice.id == invoice.id, Invoice.status == "open", Invoice.paid_amount_cents == 0)
        .values(status="credited")
        .execution_options(synchronize_session=False)
    ).rowcount
    if marked != 1:
        db.session.rollback()
        raise Conflict(
            _("Only an open invoice without payments can be cancelled."), code="not_creditable"
        )
    db.session.refresh(invoice)
    line = InvoiceLine(
        invoice.description,
        invoice.amount_excl_vat_cents,
        invoice.vat_rate_bp,
        invoice.vat_exemption_reason,
    )
    totals = invoicing.invoice_totals(invoicing.credit_lines([line]))
    year = credit_date.year
    sequence = take_number(invoice.network_id, year)
    credit = Invoice(
        **{column: getattr(invoice, column) for column in _COPIED_TO_CREDIT},
        year=year,
        sequence=sequence,
        number=invoicing.invoice_number(year, sequence),
        invoice_date=credit_date,
        due_date=credit_date,
        amount_excl_vat_cents=totals.net_cents,
        vat_cents=totals.vat_cents,
        total_cents=totals.total_cents,
        payment_reference=invoicing.payment_reference(invoice.network_id, year, sequence),
        status="credited",
        credit_of_id=invoice.id,
    )
    db.session.add(credit)
    db.session.flush()
    audit.record("invoice.credited", invoice, after={"credit": credit.number}, actor=by)
    audit.record("invoice.issued", credit, after=_facts(credit), actor=by)
    return credit


# What a credit invoice repeats of its original: who sold to whom, what and for which period.
_COPIED_TO_CREDIT = (
    "network_id",
    "membership_id",
    "seller_name",
    "seller_address",
    "seller_kvk",
    "seller_btw",
    "seller_iban",
    "buyer_name",
    "buyer_address",
    "buyer_kvk",
    "buyer_btw",
    "description",
    "period_start",
    "period_end",
    "vat_rate_bp",
    "vat_exemption_reason",
)


def iban_text(iban: str) -> str:
    """An IBAN in groups of four, as banks print it (NL91 ABNA 0417 1643 00)."""
    return stdnum_iban.format(iban)


def pdf(invoice: Invoice) -> bytes:
    """The invoice as a PDF (the caller checked who may read it): every field Dutch invoice law
    asks, as copied onto the invoice when it was issued."""
    html = render_template(
        "networks/invoice_pdf.html",
        invoice=invoice,
        percent=percent_from_bp,
        iban=iban_text(invoice.seller_iban),
    )
    return reports.pdf_of_page(html)


def of_membership(membership: Membership) -> list[Invoice]:
    """A membership's invoices, newest first (the caller checked who may see them)."""
    return list(
        db.session.scalars(
            select(Invoice)
            .where(Invoice.membership_id == membership.id)
            .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
        )
    )
