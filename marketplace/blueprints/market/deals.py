"""/markt/voorstellen and /markt/deals: a supplier's proposal on a demand, the thread the two
sides talk in, the poster's decisions (each behind a confirmation page), and the deal with its
invoice, realisation and reviews. Routes stay thin: parse, call one service, render; anyone who
is not one of the two sides gets a 404 from the service.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import labels
from marketplace.blueprints.downloads import attachment
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.blueprints.market.deal_forms import (
    AcceptForm,
    InvoiceForm,
    MessageForm,
    PlacementForm,
    ProposalForm,
    ReviewForm,
    RevisionForm,
)
from marketplace.models._types import utcnow
from marketplace.services import deals, evidence, proposals
from marketplace.services.errors import NotFound, ServiceError

bp = Blueprint("deals", __name__)


def deal_helpers() -> dict:
    """Labels the proposal and deal templates show (also on the demand's page and 'Mijn
    markt'), which create_app makes global to every template."""
    return {
        "proposal_status_label": labels.proposal_status_label,
        "deal_status_label": labels.deal_status_label,
    }


def _upload(field) -> evidence.Upload | None:
    upload = request.files.get(field.name)
    return evidence.Upload(upload.filename, upload.read()) if upload and upload.filename else None


def _refuse(form, exc: ServiceError) -> None:
    """A refusal next to its field; access errors stay 403/404 pages."""
    if exc.status in (403, 404):
        raise exc
    apply_service_error(form, exc)


def _proposal_url(proposal_id: int) -> str:
    return url_for("deals.proposal", proposal_id=proposal_id)


@bp.route("/markt/vraag/<int:listing_id>/voorstel", methods=["GET", "POST"])
@login_required
def new_proposal(listing_id: int):
    demand = proposals.open_demand(listing_id, current_user)
    form = ProposalForm()
    if form.validate_on_submit():
        data = proposals.ProposalData(
            form.message.data, form.amount_cents.data, form.volume.data or ""
        )
        try:
            made = proposals.propose(
                demand, g.current_org, data, current_user, _upload(form.attachment)
            )
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("Your proposal was sent to %(org)s.", org=demand.organisation.name), "ok")
            return redirect(_proposal_url(made.id))
    page = render_template("market/proposal_form.html", demand=demand, form=form)
    return page, 422 if form.errors else 200


@bp.route("/markt/voorstellen/<int:proposal_id>")
@login_required
def proposal(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    return _thread(found, side)


def _thread(found, side: str, status: int = 200, **forms):
    page = render_template(
        "market/proposal.html",
        proposal=found,
        side=side,
        deal=deals.of_proposal(found),
        message_form=forms.get("message_form") or MessageForm(formdata=None),
        revision_form=forms.get("revision_form") or RevisionForm(formdata=None),
        revise_form=forms.get("revise_form") or ProposalForm(formdata=None, obj=found),
    )
    return page, status


@bp.post("/markt/voorstellen/<int:proposal_id>/bericht")
@login_required
def post_message(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            proposals.post_message(found, form.body.data, current_user)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            return redirect(_proposal_url(found.id) + "#thread")
    return _thread(found, side, 422, message_form=form)


@bp.post("/markt/voorstellen/<int:proposal_id>/herziening-vragen")
@login_required
def request_revision(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    form = RevisionForm()
    if form.validate_on_submit():
        try:
            proposals.request_revision(found, form.note.data, current_user)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("You asked %(org)s for a revised offer.", org=found.organisation.name), "ok")
            return redirect(_proposal_url(found.id))
    return _thread(found, side, 422, revision_form=form)


@bp.post("/markt/voorstellen/<int:proposal_id>/herzien")
@login_required
def revise(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    form = ProposalForm()
    if form.validate_on_submit():
        data = proposals.ProposalData(form.message.data, form.amount_cents.data, form.volume.data)
        try:
            proposals.revise(found, data, current_user)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("Your revised offer was sent."), "ok")
            return redirect(_proposal_url(found.id))
    return _thread(found, side, 422, revise_form=form)


@bp.route("/markt/voorstellen/<int:proposal_id>/accepteren", methods=["GET", "POST"])
@login_required
def accept(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    if side != "buyer":
        raise NotFound()
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            deal = deals.accept(found, current_user, form.start_date.data, form.end_date.data)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("Deal recorded with %(org)s.", org=found.organisation.name), "ok")
            return redirect(url_for("deals.deal", deal_id=deal.id))
    page = render_template("market/confirm_accept.html", proposal=found, form=form)
    return page, 422 if form.errors or request.method == "POST" else 200


@bp.route("/markt/voorstellen/<int:proposal_id>/afwijzen", methods=["GET", "POST"])
@login_required
def decline(proposal_id: int):
    found, side = proposals.proposal_for_party(proposal_id, current_user)
    if side != "buyer":
        raise NotFound()
    if request.method == "POST":
        try:
            proposals.decline(found, current_user)
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            flash(exc.message, "error")
        else:
            flash(
                _("The proposal was declined; %(org)s was told.", org=found.organisation.name), "ok"
            )
        return redirect(_proposal_url(found.id))
    return render_template("market/confirm_decline.html", proposal=found)


@bp.post("/markt/voorstellen/<int:proposal_id>/intrekken")
@login_required
def withdraw(proposal_id: int):
    found, _side = proposals.proposal_for_party(proposal_id, current_user)
    try:
        proposals.withdraw(found, current_user)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("Your proposal was withdrawn."), "ok")
    return redirect(_proposal_url(found.id))


@bp.route("/markt/voorstellen/<int:proposal_id>/bijlage")
@login_required
def proposal_attachment(proposal_id: int) -> Response:
    found, path = proposals.attachment_of(proposal_id, current_user)
    return attachment(path, found.attachment_content_type, found.attachment_name)


@bp.route("/markt/deals/<int:deal_id>")
@login_required
def deal(deal_id: int):
    found, side = deals.deal_for_party(deal_id, current_user)
    return _deal_page(found, side)


def _deal_page(found, side: str, status: int = 200, **forms):
    now = utcnow()
    reviews, reviewed = deals.visible_reviews(found, side, now)
    page = render_template(
        "market/deal.html",
        deal=found,
        side=side,
        now=now,
        reviews=reviews,
        own_review=reviewed,
        invoice_form=forms.get("invoice_form") or InvoiceForm(formdata=None),
        placement_form=forms.get("placement_form") or _placement_form(found, formdata=None),
        placement=deals.is_placement(found),
        review_form=forms.get("review_form") or ReviewForm(formdata=None),
    )
    return page, status


def _placement_form(found, **kwargs) -> PlacementForm:
    """Pre-filled with the deal's period and the first people block of the contract's table."""
    blocks = deals.placement_blocks(found)
    form = PlacementForm(
        start_date=found.start_date,
        end_date=found.end_date,
        block_code=blocks[0].code if blocks else None,
        **kwargs,
    )
    form.set_blocks(blocks)
    return form


@bp.post("/markt/deals/<int:deal_id>/plaatsing")
@login_required
def placement(deal_id: int):
    """A placement deal delivered: its realisation draft opens, and the buyer completes it on
    the draft's page with the candidate reference."""
    found, side = deals.deal_for_party(deal_id, current_user)
    form = _placement_form(found)
    if form.validate_on_submit():
        data = deals.PlacementData(form.block_code.data, form.start_date.data, form.end_date.data)
        try:
            deals.deliver_placement(found, data, current_user)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(
                _(
                    "The deal is delivered. Complete the realisation draft with the candidate's "
                    "pseudonymous reference and the hours, and submit it."
                ),
                "ok",
            )
            return redirect(
                url_for("contractor.edit_realisation", realisation_id=found.realisation_id)
            )
    return _deal_page(found, side, 422, placement_form=form)


@bp.post("/markt/deals/<int:deal_id>/factuur")
@login_required
def invoice(deal_id: int):
    found, side = deals.deal_for_party(deal_id, current_user)
    form = InvoiceForm()
    if form.validate_on_submit():
        data = deals.InvoiceData(
            form.invoice_number.data, form.invoice_date.data, form.amount_cents.data
        )
        try:
            deals.deliver(found, data, current_user, _upload(form.invoice_file))
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("The deal is delivered."), "ok")
            return redirect(url_for("deals.deal", deal_id=found.id))
    return _deal_page(found, side, 422, invoice_form=form)


@bp.route("/markt/deals/<int:deal_id>/factuur-bestand")
@login_required
def invoice_file(deal_id: int) -> Response:
    found, path = deals.invoice_file_of(deal_id, current_user)
    return attachment(path, found.invoice_file_content_type, found.invoice_file_name)


@bp.post("/markt/deals/<int:deal_id>/review")
@login_required
def review(deal_id: int):
    found, side = deals.deal_for_party(deal_id, current_user)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            deals.review(found, int(form.rating.data), form.text.data, current_user)
        except ServiceError as exc:
            _refuse(form, exc)
        else:
            flash(_("Thank you for your review."), "ok")
            return redirect(url_for("deals.deal", deal_id=found.id) + "#reviews")
    return _deal_page(found, side, 422, review_form=form)
