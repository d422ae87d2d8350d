"""Network pages: the public page with its plans and the application form, the network admin's
plans, applications, members and invoices, and the member's "Lidmaatschap" page
(docs/domain.md "Memberships")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.downloads import csv_download, revalidated_svg, xlsx_download
from marketplace.blueprints.fields import whole_id
from marketplace.blueprints.formhelpers import apply_service_error, page_arg
from marketplace.blueprints.networks.forms import (
    EXEMPT,
    ApplyForm,
    CompForm,
    ConsentForm,
    IbanForm,
    MemberMoveForm,
    PaymentForm,
    PlanForm,
    RejectForm,
)
from marketplace.labels import (
    billing_rule_label,
    invoice_status_label,
    membership_status_label,
    size_band_label,
)
from marketplace.services import (
    invoices,
    member_actions,
    memberships,
    network_dashboard,
    plans,
    renewals,
    revenue_chart,
    stripe_billing,
)
from marketplace.services.errors import ServiceError

bp = Blueprint("networks", __name__, url_prefix="/netwerken")
T = TypeVar("T")

_LABELS = {
    "billing_rule_label": billing_rule_label,
    "invoice_status_label": invoice_status_label,
    "membership_status_label": membership_status_label,
    "size_band_label": size_band_label,
}
EXPORTS = {"leden": network_dashboard.members_table, "facturen": network_dashboard.invoices_table}


@bp.route("/<slug>")
def network_page(slug: str):
    """A network's public page: what it is and its plans; an organisation's owner applies."""
    network = memberships.public_network(slug)
    form = ApplyForm()
    offered = plans.of_network(network, active_only=True)
    form.plan_id.choices = [(p.id, p.name) for p in offered]
    return render_template(
        "networks/network.html",
        network=network,
        plans=offered,
        form=form,
        listed_members=memberships.public_members(network),
        **_LABELS,
    )


@bp.route("/<slug>/ledenlijst")
@login_required
def member_directory(slug: str):
    """The network's member directory: for its members (with member features), its own people
    and the platform admin; a suspended member is told how to pay, others get a 404."""
    network = memberships.public_network(slug)
    found = memberships.member_directory(network, current_user, {o.id for o in g.user_orgs})
    return render_template("networks/directory.html", network=network, members=found)


@bp.post("/<slug>/aanmelden")
@login_required
def apply(slug: str):
    """The current organisation applies for the chosen plan."""
    network = memberships.public_network(slug)
    form = ApplyForm()
    form.plan_id.choices = [(p.id, p.name) for p in plans.of_network(network, active_only=True)]
    if g.current_org is None:
        flash(_("Register or choose your organisation first."), "error")
    elif form.validate_on_submit():
        try:
            memberships.apply(g.current_org, form.plan_id.data, current_user)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            flash(exc.message, "error")
        else:
            flash(_("Your application has been sent to %(network)s.", network=network.name), "ok")
            return redirect(url_for("networks.membership_page"))
    else:
        flash(_("Choose one of the network's plans."), "error")
    return redirect(url_for("networks.network_page", slug=slug))


# --- the network admin ---------------------------------------------------------------------------


@bp.route("/<slug>/beheer")
@login_required
def dashboard(slug: str):
    """The network admin's overview: members by status, this year's revenue with its chart,
    and the overdue invoices (a page at a time)."""
    overview = network_dashboard.dashboard(slug, current_user, clock.today(), page_arg())
    return render_template(
        "networks/dashboard.html",
        network=overview.network,
        overview=overview,
        chart_title=revenue_chart.title(overview.revenue),
        chart_summary=revenue_chart.summary(overview.revenue),
        month_name=lambda year, month: format_date(date(year, month, 1), "LLLL"),
        **_LABELS,
    )


@bp.route("/<slug>/beheer/omzet.svg")
@login_required
def revenue_chart_image(slug: str):
    """The revenue chart, revalidated by its ETag: the figures are one grouped statement, the
    drawing and its bytes are spared when the browser's copy shows the same figures."""
    revenue = network_dashboard.revenue_of(slug, current_user, clock.today())
    return revalidated_svg(
        revenue_chart.version(revenue, str(get_locale())), lambda: revenue_chart.svg(revenue)
    )


@bp.route("/<slug>/beheer/<any(leden, facturen):what>.<any(csv, xlsx):kind>")
@login_required
def export(slug: str, what: str, kind: str):
    """The members, or this year's invoices, as CSV or Excel."""
    network = memberships.network_for_admin(slug, current_user)
    table = EXPORTS[what](network, current_user, clock.today())
    return csv_download(table) if kind == "csv" else xlsx_download(table)


@bp.route("/<slug>/beheer/pakketten", methods=["GET", "POST"])
@login_required
def plans_page(slug: str):
    """The network's plans, and a new one; the IBAN its invoices carry."""
    network = memberships.network_for_admin(slug, current_user)
    form = PlanForm(prefix="plan")
    if form.validate_on_submit() and _save_plan(
        form, lambda data: plans.create(network, data, current_user)
    ):
        flash(_("The plan is saved."), "ok")
        return redirect(url_for("networks.plans_page", slug=slug))
    return render_template(
        "networks/plans.html",
        network=network,
        plans=plans.of_network(network, active_only=False),
        form=form,
        iban_form=IbanForm(prefix="iban", iban=invoices.iban_of(network.id)),
        missing=invoices.seller_problems(network),
        **_LABELS,
    )


@bp.route("/<slug>/beheer/pakketten/<int:plan_id>", methods=["GET", "POST"])
@login_required
def edit_plan(slug: str, plan_id: int):
    network = memberships.network_for_admin(slug, current_user)
    plan = plans.get_for_admin(network, plan_id, current_user)
    form = PlanForm(prefix="plan", obj=plan)
    if request.method == "GET":
        form.vat_rate_bp.data = EXEMPT if plan.vat_rate_bp is None else str(plan.vat_rate_bp)
    if form.validate_on_submit() and _save_plan(
        form, lambda data: plans.update(plan, data, current_user)
    ):
        flash(_("The plan is saved."), "ok")
        return redirect(url_for("networks.plans_page", slug=slug))
    return render_template("networks/plan_edit.html", network=network, plan=plan, form=form)


def _save_plan(form: PlanForm, save) -> bool:
    """Hand the form's plan to `save`; a refusal marks its fields. Whether it was saved."""
    rate, reason = form.vat()
    data = plans.PlanData(
        name=form.name.data,
        yearly_fee_cents=form.yearly_fee_cents.data,
        billing_rule=form.billing_rule.data,
        vat_rate_bp=rate,
        vat_exemption_reason=reason,
        description=form.description.data or "",
        size_band=form.size_band.data,
        benefits=form.benefits.data or "",
        active=form.active.data,
    )
    try:
        save(data)
    except ServiceError as exc:
        if exc.status == 403:
            raise
        apply_service_error(form, exc)
        return False
    return True


@bp.post("/<slug>/beheer/iban")
@login_required
def set_iban(slug: str):
    network = memberships.network_for_admin(slug, current_user)
    form = IbanForm(prefix="iban")
    if form.validate_on_submit():
        try:
            invoices.set_iban(network, form.iban.data, current_user)
            flash(_("The IBAN is saved."), "ok")
        except ServiceError as exc:
            flash(exc.message, "error")
    else:
        flash(_("Enter a valid IBAN."), "error")
    return redirect(url_for("networks.plans_page", slug=slug))


@bp.route("/<slug>/beheer/aanmeldingen")
@login_required
def applications(slug: str):
    """Applications waiting for a decision, each with accept and reject."""
    network = memberships.network_for_admin(slug, current_user)
    waiting = [
        m
        for m in memberships.of_network(network, current_user, statuses=("pending",))
        if m.accepted_at is None
    ]
    return render_template(
        "networks/applications.html",
        network=network,
        applications=waiting,
        unpaid=memberships.waiting_for_payment(network, current_user),
        form=RejectForm(),
    )


@bp.post("/<slug>/beheer/aanmeldingen/<int:membership_id>/factuur")
@login_required
def reissue_invoice(slug: str, membership_id: int):
    """Issue an accepted application's first invoice again after it was cancelled."""
    memberships.network_for_admin(slug, current_user)
    _confirmed(
        lambda: memberships.reissue_first_invoice(membership_id, current_user, clock.today()),
        lambda invoice: _("Invoice %(number)s is issued.", number=invoice.number),
    )
    return redirect(url_for("networks.applications", slug=slug))


@bp.route("/<slug>/beheer/aanmeldingen/<int:membership_id>/accepteren", methods=["GET", "POST"])
@login_required
def accept(slug: str, membership_id: int):
    """Accepting issues the first invoice: the GET asks on a page of its own, the POST does it."""
    network = memberships.network_for_admin(slug, current_user)
    membership = memberships.get_for_admin(membership_id, current_user)
    if request.method == "POST":
        _confirmed(
            lambda: memberships.accept(membership.id, current_user, clock.today()),
            lambda _m: _("%(org)s is accepted.", org=membership.organisation.name),
        )
        return redirect(url_for("networks.applications", slug=slug))
    return render_template("networks/accept.html", network=network, membership=membership)


def _confirmed(do: Callable[[], T], done: Callable[[T], str]) -> None:
    """Do what the admin confirmed and say so, or say why it was refused (404 stays 404)."""
    try:
        result = do()
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(done(result), "ok")


@bp.post("/<slug>/beheer/aanmeldingen/<int:membership_id>/afwijzen")
@login_required
def reject(slug: str, membership_id: int):
    network = memberships.network_for_admin(slug, current_user)
    membership = memberships.get_for_admin(membership_id, current_user)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            memberships.reject(membership.id, form.reason.data, current_user)
        except ServiceError as exc:
            if exc.status == 404:
                raise
            apply_service_error(form, exc)
        else:
            flash(_("%(org)s is rejected.", org=membership.organisation.name), "ok")
            return redirect(url_for("networks.applications", slug=slug))
    return render_template(
        "networks/reject.html", network=network, membership=membership, form=form
    )


@bp.route("/<slug>/beheer/leden")
@login_required
def members(slug: str):
    network = memberships.network_for_admin(slug, current_user)
    return render_template(
        "networks/members.html",
        network=network,
        members=memberships.of_network(
            network, current_user, statuses=network_dashboard.MEMBER_STATUSES
        ),
        **_LABELS,
    )


@bp.route("/<slug>/beheer/leden/<int:membership_id>")
@login_required
def member(slug: str, membership_id: int):
    """One member for the admin: its facts, invoices and what the admin may do for it."""
    return _member_page(slug, membership_id, CompForm(prefix="comp"))


def _member_page(slug: str, membership_id: int, comp_form: CompForm, status: int = 200):
    member_view = member_actions.view(slug, membership_id, current_user)
    page = render_template(
        "networks/member.html",
        network=member_view.membership.network,
        view=member_view,
        m=member_view.membership,
        comp_form=comp_form,
        **_LABELS,
    )
    return page, status


@bp.post("/<slug>/beheer/leden/<int:membership_id>/gratis")
@login_required
def comp(slug: str, membership_id: int):
    """Comp the membership until the chosen day (not destructive: the form is the question)."""
    form = CompForm(prefix="comp")
    if form.validate_on_submit():
        try:
            m = member_actions.comp(
                slug, membership_id, form.until.data, current_user, clock.today()
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise
            apply_service_error(form, exc)
        else:
            flash(
                _(
                    "%(org)s is a member free of charge until %(date)s.",
                    org=m.organisation.name,
                    date=format_date(form.until.data, "d MMMM yyyy"),
                ),
                "ok",
            )
            return redirect(url_for("networks.member", slug=slug, membership_id=membership_id))
    return _member_page(slug, membership_id, form, 400)


@bp.post("/<slug>/beheer/leden/<int:membership_id>/herinneren")
@login_required
def remind(slug: str, membership_id: int):
    """Remind the member of its oldest open invoice; back to the overdue list when asked there."""
    _confirmed(
        lambda: member_actions.remind(slug, membership_id, current_user),
        lambda m: _("%(org)s is reminded by e-mail.", org=m.organisation.name),
    )
    if request.form.get("back") == "dashboard":
        return redirect(url_for("networks.dashboard", slug=slug, _anchor="achterstallig"))
    return redirect(url_for("networks.member", slug=slug, membership_id=membership_id))


@bp.post("/<slug>/beheer/leden/<int:membership_id>/hervatten")
@login_required
def resume(slug: str, membership_id: int):
    _confirmed(
        lambda: member_actions.resume(slug, membership_id, current_user),
        lambda m: _("%(org)s is an active member again.", org=m.organisation.name),
    )
    return redirect(url_for("networks.member", slug=slug, membership_id=membership_id))


@bp.route(
    "/<slug>/beheer/leden/<int:membership_id>/<any(pauzeren, opzeggen):move>",
    methods=["GET", "POST"],
)
@login_required
def member_move(slug: str, membership_id: int, move: str):
    """Pausing and cancelling are asked on a page of their own, with the reason the member is
    told; the POST does it."""
    membership = member_actions.member_of(slug, membership_id, current_user)
    form = MemberMoveForm()
    if form.validate_on_submit():
        do = member_actions.pause if move == "pauzeren" else member_actions.cancel
        _confirmed(
            lambda: do(slug, membership_id, form.reason.data, current_user),
            lambda m: (
                _("%(org)s is paused.", org=m.organisation.name)
                if move == "pauzeren"
                else _("The membership of %(org)s is cancelled.", org=m.organisation.name)
            ),
        )
        return redirect(url_for("networks.member", slug=slug, membership_id=membership_id))
    return render_template(
        "networks/member_move.html",
        network=membership.network,
        m=membership,
        pausing=move == "pauzeren",
        question=(
            _("Pause the membership of %(org)s?", org=membership.organisation.name)
            if move == "pauzeren"
            else _("Cancel the membership of %(org)s?", org=membership.organisation.name)
        ),
        form=form,
    )


@bp.route("/<slug>/beheer/facturen")
@login_required
def invoice_list(slug: str):
    network = memberships.network_for_admin(slug, current_user)
    return render_template(
        "networks/invoices.html",
        network=network,
        invoices=memberships.invoices_of_network(network, current_user),
        **_LABELS,
    )


@bp.route("/<slug>/beheer/facturen/<int:invoice_id>/betaling", methods=["GET", "POST"])
@login_required
def record_payment(slug: str, invoice_id: int):
    """Record a transfer received: date and amount; a partial payment leaves the invoice open."""
    network = memberships.network_for_admin(slug, current_user)
    invoice = memberships.get_invoice_for_admin(invoice_id, current_user)
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = clock.today()
        form.seen_paid_cents.data = str(invoice.paid_amount_cents)
    elif form.validate_on_submit():
        try:
            memberships.record_payment(
                invoice.id,
                form.paid_on.data,
                form.amount.data,
                _seen(form.seen_paid_cents.data),
                current_user,
            )
        except ServiceError as exc:
            if exc.status == 404:
                raise
            apply_service_error(form, exc)
        else:
            flash(_("The payment is recorded."), "ok")
            return redirect(url_for("networks.invoice_list", slug=slug))
    return render_template("networks/payment.html", network=network, invoice=invoice, form=form)


def _seen(text: str | None) -> int:
    """The hidden amount the admin saw; anything but digits counts as -1, which never matches."""
    return int(text) if text and text.isdigit() and len(text) <= 16 else -1


@bp.route("/<slug>/beheer/facturen/<int:invoice_id>/annuleren", methods=["GET", "POST"])
@login_required
def cancel_invoice(slug: str, invoice_id: int):
    """Cancelling issues a credit invoice: asked on a page of its own first."""
    network = memberships.network_for_admin(slug, current_user)
    invoice = memberships.get_invoice_for_admin(invoice_id, current_user)
    if request.method == "POST":
        _confirmed(
            lambda: memberships.cancel_invoice(invoice.id, current_user, clock.today()),
            lambda credit: _("Credit invoice %(number)s is issued.", number=credit.number),
        )
        return redirect(url_for("networks.invoice_list", slug=slug))
    return render_template("networks/cancel_invoice.html", network=network, invoice=invoice)


# --- the member ----------------------------------------------------------------------------------


@bp.route("/lidmaatschap")
@login_required
def membership_page():
    """The current organisation's memberships: plan, status, next renewal, invoices, what to
    pay when payment is overdue, and (for an owner) changing plan or cancelling."""
    org = g.current_org
    views = renewals.overview(org, current_user) if org is not None else []
    return render_template(
        "networks/membership.html",
        org=org,
        views=views,
        iban_text=invoices.iban_text,
        stripe_payable={v.membership.id for v in views if stripe_billing.can_pay(v.membership)},
        consent_form=ConsentForm(),
        **_LABELS,
    )


@bp.post("/lidmaatschap/<int:membership_id>/stripe")
@login_required
def pay_with_stripe(membership_id: int):
    """Start paying by Stripe: to Checkout, or (a direct subscription) back to the page, which
    says the membership starts once Stripe confirms the payment."""
    back = url_for("networks.membership_page", _external=True)
    try:
        checkout = stripe_billing.start_payment(
            membership_id, current_user, success_url=back, cancel_url=back
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
        return redirect(url_for("networks.membership_page"))
    if checkout:
        return redirect(checkout, code=303)
    flash(_("Stripe is processing your payment. Your membership starts once it is paid."), "ok")
    return redirect(url_for("networks.membership_page"))


@bp.post("/lidmaatschap/<int:membership_id>/pakket")
@login_required
def change_plan(membership_id: int):
    """The owner chooses the plan of the next period."""
    try:
        plan_id = whole_id(request.form.get("plan_id", ""))
    except ValueError:
        plan_id = None  # not an id a plan can have: the service says no such plan is offered
    _confirmed(
        lambda: renewals.change_plan(membership_id, plan_id, current_user, clock.today()),
        lambda m: _(
            "From %(date)s your plan is %(plan)s.",
            date=format_date(renewals.next_period(m).start, "long"),
            plan=(m.next_plan or m.plan).name,
        ),
    )
    return redirect(url_for("networks.membership_page"))


@bp.route("/lidmaatschap/<int:membership_id>/opzeggen", methods=["GET", "POST"])
@login_required
def cancel_membership(membership_id: int):
    """Cancelling at the period end: asked on a page of its own first."""
    membership = renewals.get_for_member(membership_id, current_user)
    if request.method == "POST":
        _confirmed(
            lambda: renewals.cancel_at_period_end(membership.id, current_user, clock.today()),
            lambda m: _(
                "Your membership of %(network)s ends on %(date)s.",
                network=m.network.name,
                date=format_date(m.current_period_end, "long"),
            ),
        )
        return redirect(url_for("networks.membership_page"))
    return render_template("networks/cancel_membership.html", membership=membership)


@bp.post("/lidmaatschap/<int:membership_id>/voortzetten")
@login_required
def keep_membership(membership_id: int):
    """Take a cancellation at the period end back."""
    _confirmed(
        lambda: renewals.cancel_at_period_end(
            membership_id, current_user, clock.today(), cancel=False
        ),
        lambda m: _("Your membership of %(network)s continues.", network=m.network.name),
    )
    return redirect(url_for("networks.membership_page"))


@bp.post("/lidmaatschap/<int:membership_id>/vermelding")
@login_required
def listing_consent(membership_id: int):
    """The member switches its consent to be named on the network's public page."""
    form = ConsentForm()
    if form.validate_on_submit():
        listed = form.listed.data == "1"
        membership = memberships.set_listed_publicly(membership_id, listed, current_user)
        if listed:
            flash(
                _(
                    "%(network)s may now name your organisation on its public page.",
                    network=membership.network.name,
                ),
                "ok",
            )
        else:
            flash(
                _(
                    "%(network)s no longer names your organisation on its public page.",
                    network=membership.network.name,
                ),
                "ok",
            )
    return redirect(url_for("networks.membership_page"))


@bp.route("/facturen/<int:invoice_id>/betalen")
@login_required
def pay_invoice(invoice_id: int):
    """How the member pays an invoice: amount still due, IBAN, payment reference, due date and
    the PDF (a blocked member's pay button leads here; 404 for anyone else's invoice)."""
    invoice = memberships.get_invoice_for_member(invoice_id, current_user)
    return render_template(
        "networks/pay.html",
        invoice=invoice,
        iban=invoices.iban_text(invoice.seller_iban),
        **_LABELS,
    )


@bp.route("/facturen/<int:invoice_id>.pdf")
@login_required
def invoice_pdf(invoice_id: int):
    """An invoice as PDF, for its member and its network's admin (404 for anyone else)."""
    invoice = memberships.get_invoice_for_member(invoice_id, current_user)
    return Response(
        invoices.pdf(invoice),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="factuur-{invoice.number}.pdf"'},
    )
