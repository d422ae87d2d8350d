"""Memberships through the services: plans, applications, acceptance with a manual invoice,
payments and credit invoices (docs/domain.md "Memberships")."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditLog, Invoice, InvoiceCounter, Membership
from marketplace.services import invoices, memberships, plans
from marketplace.services.errors import Conflict, Forbidden, NotFound, ServiceError
from tests.factories import make_network, make_org, make_plan, make_user
from tests.mailbox import outbox_messages

JOINED = date(2026, 7, 1)


@pytest.fixture
def network(app):
    return make_network(make_user("admin@metwerk.example.com"))


@pytest.fixture
def admin(network):
    return network.members[0].user


@pytest.fixture
def applicant(app):
    return make_org("contractor", owner=make_user("owner@bouw.example.com"), name="Bouw B.V.")


def _apply(applicant, plan) -> Membership:
    return memberships.apply(applicant, plan.id, applicant.members[0].user)


def test_an_application_waits_for_the_network_admin_who_is_told(network, applicant):
    membership = _apply(applicant, make_plan(network))
    assert membership.status == "pending"
    assert membership.accepted_at is None
    assert [m["Subject"] for m in outbox_messages("admin@metwerk.example.com")] == [
        "Bouw B.V. vraagt lidmaatschap aan"
    ]


def test_an_organisation_applies_once_per_network(network, applicant):
    plan = make_plan(network)
    _apply(applicant, plan)
    with pytest.raises(Conflict):
        _apply(applicant, plan)
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 1


def test_accepting_issues_the_pro_rata_first_invoice_with_every_legal_field(
    network, admin, applicant
):
    membership = _apply(applicant, make_plan(network))

    memberships.accept(membership.id, admin, JOINED)

    assert membership.status == "pending"  # waits for the payment
    assert (membership.current_period_start, membership.current_period_end) == (
        date(2026, 7, 1),
        date(2026, 12, 31),
    )
    [invoice] = invoices.of_membership(membership)
    assert invoice.number == "2026-0001"
    assert (invoice.amount_excl_vat_cents, invoice.vat_cents, invoice.total_cents) == (
        60_493,
        12_704,
        73_197,
    )
    assert invoice.vat_rate_bp == 2100
    assert (invoice.invoice_date, invoice.due_date) == (date(2026, 7, 1), date(2026, 7, 31))
    assert (invoice.seller_name, invoice.seller_kvk, invoice.seller_btw) == (
        "MetWerk",
        network.kvk_number,
        "NL004495445B01",
    )
    assert invoice.seller_iban == "NL91ABNA0417164300"
    assert invoice.seller_address == "Straat 1, 7811 AP Emmen"
    assert (invoice.buyer_name, invoice.buyer_kvk) == ("Bouw B.V.", applicant.kvk_number)
    assert invoice.payment_reference.startswith("RF")
    subjects = [m["Subject"] for m in outbox_messages("owner@bouw.example.com")]
    assert "Welkom bij MetWerk" in subjects
    assert "Factuur 2026-0001 van MetWerk" in subjects


def test_a_network_without_an_iban_cannot_accept_and_nothing_is_saved(applicant):
    network = make_network(make_user("admin@zonder.example.com"), name="Zonder", iban=False)
    membership = _apply(applicant, make_plan(network))

    with pytest.raises(ServiceError) as refused:
        memberships.accept(membership.id, network.members[0].user, JOINED)

    assert "IBAN" in refused.value.message
    db.session.refresh(membership)
    assert membership.accepted_at is None
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 0
    assert db.session.scalar(select(func.count()).select_from(InvoiceCounter)) == 0


def test_an_application_is_decided_once(network, admin, applicant):
    membership = _apply(applicant, make_plan(network))
    memberships.accept(membership.id, admin, JOINED)
    with pytest.raises(Conflict):
        memberships.accept(membership.id, admin, JOINED)
    with pytest.raises(Conflict):
        memberships.reject(membership.id, "Te laat", admin)
    assert len(invoices.of_membership(membership)) == 1


def test_a_rejection_needs_a_reason_and_the_applicant_is_told_it(network, admin, applicant):
    membership = _apply(applicant, make_plan(network))
    with pytest.raises(ServiceError) as refused:
        memberships.reject(membership.id, "  ", admin)
    assert "reason" in refused.value.fields

    memberships.reject(membership.id, "Alleen werkgevers uit Twente", admin)

    assert membership.status == "rejected"
    [message] = [
        m
        for m in outbox_messages("owner@bouw.example.com")
        if m["Subject"] == "Je aanmelding bij MetWerk"
    ]
    assert "Alleen werkgevers uit Twente" in message.get_content()
    # Rejected, it may apply again.
    assert _apply(applicant, membership.plan).status == "pending"


def test_only_the_network_admin_decides(network, applicant):
    membership = _apply(applicant, make_plan(network))
    stranger = make_user()
    with pytest.raises(NotFound):
        memberships.accept(membership.id, stranger, JOINED)
    with pytest.raises(NotFound):
        memberships.accept(membership.id, applicant.members[0].user, JOINED)


def test_only_the_network_admin_creates_plans(network, applicant):
    with pytest.raises(Forbidden):
        plans.create(
            network,
            plans.PlanData("Plus", 1000, "yearly_from_join", 2100),
            applicant.members[0].user,
        )


def test_a_plan_names_every_wrong_field_at_once(network, admin):
    data = plans.PlanData("", -1, "monthly", 2100, "vrijgesteld", size_band="huge")
    with pytest.raises(ServiceError) as refused:
        plans.create(network, data, admin)
    assert set(refused.value.fields) == {
        "name",
        "yearly_fee_cents",
        "billing_rule",
        "size_band",
        "vat_rate_bp",
    }
    assert plans.of_network(network, active_only=False) == []


def test_an_exempt_plan_invoices_without_vat_and_prints_the_reason(network, admin, applicant):
    reason = "Vrijgesteld van btw (art. 11 lid 1 onderdeel l Wet OB 1968)"
    plan = make_plan(
        network,
        name="Vrij",
        vat_rate_bp=None,
        vat_exemption_reason=reason,
        billing_rule="yearly_from_join",
    )
    membership = _apply(applicant, plan)
    memberships.accept(membership.id, admin, JOINED)
    [invoice] = invoices.of_membership(membership)
    assert (invoice.amount_excl_vat_cents, invoice.vat_cents, invoice.total_cents) == (
        120_000,
        0,
        120_000,
    )
    assert invoice.vat_exemption_reason == reason
    assert (invoice.period_start, invoice.period_end) == (date(2026, 7, 1), date(2027, 6, 30))


def test_a_partial_payment_leaves_the_invoice_open_and_the_rest_activates(
    network, admin, applicant
):
    membership = _apply(applicant, make_plan(network))
    memberships.accept(membership.id, admin, JOINED)
    [invoice] = invoices.of_membership(membership)

    memberships.record_payment(invoice.id, date(2026, 7, 10), 50_000, 0, admin)
    assert (invoice.status, invoice.paid_amount_cents, membership.status) == (
        "open",
        50_000,
        "pending",
    )
    memberships.record_payment(invoice.id, date(2026, 7, 20), 23_197, 50_000, admin)

    assert (invoice.status, invoice.paid_at, invoice.paid_amount_cents) == (
        "paid",
        date(2026, 7, 20),
        73_197,
    )
    assert membership.status == "active"
    assert (
        db.session.scalar(select(func.count()).where(AuditLog.action == "invoice.payment_recorded"))
        == 2
    )


def test_the_same_payment_submitted_twice_is_recorded_once(network, admin, applicant):
    membership = _apply(applicant, make_plan(network))
    memberships.accept(membership.id, admin, JOINED)
    [invoice] = invoices.of_membership(membership)
    memberships.record_payment(invoice.id, date(2026, 7, 10), 10_000, 0, admin)
    with pytest.raises(Conflict):
        memberships.record_payment(invoice.id, date(2026, 7, 10), 10_000, 0, admin)
    assert invoice.paid_amount_cents == 10_000


def test_cancelling_an_invoice_issues_a_credit_invoice_with_the_next_number(
    network, admin, applicant
):
    membership = _apply(applicant, make_plan(network))
    memberships.accept(membership.id, admin, JOINED)
    [invoice] = invoices.of_membership(membership)

    credit = memberships.cancel_invoice(invoice.id, admin, date(2026, 7, 5))

    assert invoice.status == "credited"
    assert credit.number == "2026-0002"
    assert credit.credit_of_id == invoice.id
    assert (credit.amount_excl_vat_cents, credit.vat_cents, credit.total_cents) == (
        -60_493,
        -12_704,
        -73_197,
    )
    with pytest.raises(Conflict):
        memberships.cancel_invoice(invoice.id, admin, date(2026, 7, 5))
    assert db.session.scalar(select(func.count()).select_from(Invoice)) == 2


def test_each_network_and_year_has_its_own_series(network, admin, applicant):
    other = make_network(make_user("admin@ace.example.com"), name="ACE")
    first = _apply(applicant, make_plan(network))
    second = _apply(applicant, make_plan(other))
    memberships.accept(first.id, admin, JOINED)
    memberships.accept(second.id, other.members[0].user, JOINED)
    third = _apply(make_org("contractor"), make_plan(network, name="Groot"))
    memberships.accept(third.id, admin, date(2027, 1, 2))
    numbers = sorted((i.network_id, i.number) for i in db.session.scalars(select(Invoice)))
    assert numbers == sorted(
        [(network.id, "2026-0001"), (other.id, "2026-0001"), (network.id, "2027-0001")]
    )


def test_a_free_plan_is_active_at_acceptance_without_an_invoice(network, admin, applicant):
    membership = _apply(applicant, make_plan(network, name="Gratis", yearly_fee_cents=0))
    memberships.accept(membership.id, admin, JOINED)
    assert membership.status == "active"
    assert invoices.of_membership(membership) == []


def test_an_invalid_iban_is_refused(network, admin):
    with pytest.raises(ServiceError) as refused:
        invoices.set_iban(network, "NL91 ABNA 0417 1643 01", admin)
    assert "iban" in refused.value.fields
