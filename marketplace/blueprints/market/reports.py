"""/markt/<vraag|aanbod>/<id>/melden: a logged-in user reports a listing to the platform admin
(services/listing_reports.py); the admin's queue is on /beheer/ (blueprints/admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.blueprints.market.routes import KINDS, SIDE, bp, listing_url
from marketplace.services import listing_reports, listings
from marketplace.services.errors import ServiceError


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("What is wrong with this listing?"),
        description=_l("For example: it is misleading, spam, or not social."),
    )


@bp.route(f"/markt/{SIDE}/<int:listing_id>/melden", methods=["GET", "POST"])
@login_required
def report(side: str, listing_id: int):
    listing = listings.visible_listing(listing_id, current_user, KINDS[side])
    form = ReportForm()
    if form.validate_on_submit():
        try:
            listing_reports.report(listing.id, current_user, form.reason.data or "")
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            apply_service_error(form, exc)
        else:
            flash(_("Thank you: the platform will look at this listing."), "ok")
            return redirect(listing_url(listing))
    return render_template("market/report.html", listing=listing, form=form)
