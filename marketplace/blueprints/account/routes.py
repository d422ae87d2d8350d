"""A person's privacy rights (AVG): download their data, delete their account; an owner's
export of the organisation's data and an authority's retention terms; the privacy statement."""

from __future__ import annotations

import io
import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from marketplace import clock
from marketplace.blueprints import downloads
from marketplace.blueprints.account.forms import DeleteAccountForm, RetentionForm
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.domain import retention as retention_rules
from marketplace.services import job_records, organisations, privacy, retention
from marketplace.services.errors import NotFound, ServiceError

bp = Blueprint("account", __name__)


def _json_download(data: dict, name: str) -> Response:
    """`data` as a JSON file named by the day (clock.dated_name), sent like every download."""
    document = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return downloads.sent(io.BytesIO(document), "application/json", f"{name}.json")


@bp.route("/privacy")
def statement():
    """What we store, why, and how long: public."""
    return render_template(
        "account/privacy.html",
        candidate_years=retention_rules.CANDIDATE_YEARS_DEFAULT,
        financial_years=retention_rules.FINANCIAL_YEARS_DEFAULT,
        mail_days=current_app.config["OUTBOX_KEEP_DAYS"],
        mail_record_days=job_records.SENT_MAIL_KEEP_DAYS,
    )


@bp.route("/account")
@login_required
def index():
    return render_template(
        "account/index.html",
        form=DeleteAccountForm(),
        blocking=privacy.sole_owned(current_user),
    )


@bp.route("/account/gegevens.json")
@login_required
def personal_data():
    data = privacy.personal_data(current_user)
    return _json_download(data, clock.dated_name("mijn-gegevens"))


@bp.post("/account/verwijderen")
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            privacy.delete_account(current_user, form.password.data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            logout_user()
            flash(_("Your account is deleted. Thank you for using Sociaal Rendement."), "ok")
            return redirect(url_for("main.index"))
    return (
        render_template("account/index.html", form=form, blocking=privacy.sole_owned(current_user)),
        422,
    )


@bp.route("/organisaties/<slug>/export.json")
@login_required
def organisation_data(slug: str):
    org = organisations.by_slug(slug)
    organisations.require_role(current_user, org, "owner")
    data = privacy.organisation_data(org)
    return _json_download(data, clock.dated_name(org.slug))


@bp.route("/organisaties/<slug>/bewaartermijnen", methods=["GET", "POST"])
@login_required
def retention_terms(slug: str):
    """An authority's owner chooses how long its contracts' records are kept."""
    org = organisations.by_slug(slug)
    organisations.require_role(current_user, org, "owner")
    if org.kind != "authority":
        raise NotFound()
    terms = retention.terms_of(org)
    form = RetentionForm(
        data={
            "candidate_years": terms.candidate_years,
            "financial_years": terms.financial_years,
        }
    )
    if form.validate_on_submit():
        try:
            retention.set_terms(
                org, form.candidate_years.data, form.financial_years.data, current_user
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("The retention terms are saved."), "ok")
            return redirect(url_for("account.retention_terms", slug=org.slug))
    return render_template("account/retention.html", org=org, form=form)
