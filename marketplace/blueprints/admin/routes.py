"""Platform admin: verify organisations and their certifications, decide on reported listings,
see failed jobs."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.blueprints.admin.forms import OrganisationRejectionForm
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.blueprints.officer.forms import CertificateRejectionForm
from marketplace.labels import certification_label
from marketplace.models import Organisation, OrganisationCertification
from marketplace.services import certifications, failed_jobs, listing_reports, organisations, pso
from marketplace.services.errors import ServiceError

bp = Blueprint("admin", __name__, url_prefix="/beheer")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/")
@admin_required
def index():
    unverified = organisations.unverified()
    return render_template(
        "admin/index.html",
        unverified=unverified,
        similar={o.id: organisations.similar_organisations(o) for o in unverified},
        failed=failed_jobs.listing(),
        certificates=pso.awaiting_verification(None),
        reports=listing_reports.open_reports(current_user),
        certifications=certifications.awaiting_verification(),
        certification_label=certification_label,
    )


@bp.route("/organisaties/<int:org_id>")
@admin_required
def organisation(org_id: int):
    """A pending organisation's details, who registered it and similar names: what the admin
    checks before verifying or rejecting it."""
    org = organisations.pending(org_id, current_user)
    return _organisation_page(org, OrganisationRejectionForm())


@bp.post("/organisaties/<int:org_id>/verifieren")
@admin_required
def verify(org_id: int):
    org = organisations.by_id(org_id)
    organisations.verify(org, current_user)
    flash(_("%(name)s is verified.", name=org.name), "ok")
    return redirect(url_for("admin.index"))


@bp.post("/organisaties/<int:org_id>/afwijzen")
@admin_required
def reject(org_id: int):
    org = organisations.pending(org_id, current_user)
    form = OrganisationRejectionForm()
    if form.validate_on_submit():
        try:
            organisations.reject(org, form.reason.data, current_user)
        except ServiceError as exc:
            if exc.status in (403, 404, 409):
                raise
            apply_service_error(form, exc)
        else:
            flash(_("%(name)s is rejected; its users are told why.", name=org.name), "ok")
            return redirect(url_for("admin.index"))
    return _organisation_page(org, form, status=422)


def _organisation_page(
    org: Organisation, form: OrganisationRejectionForm, status: int = 200
) -> Response:
    registered_by, owners = organisations.registrant(org)
    page = render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        registered_by=registered_by,
        owners=owners,
        similar=organisations.similar_organisations(org),
    )
    return Response(page, status=status)


@bp.route("/taken/<int:job_id>/opnieuw", methods=["GET", "POST"])
@admin_required
def retry_job(job_id: int):
    """GET asks for confirmation (what the job is, what a retry does); POST retries it."""
    job = failed_jobs.get(job_id)
    if request.method == "POST":
        failed_jobs.retry(job_id, current_user)
        flash(_("Job %(id)s is started again.", id=job_id), "ok")
        return redirect(url_for("admin.index"))
    return render_template("admin/retry_job.html", job=job)


@bp.post("/meldingen/<int:report_id>/afwijzen")
@admin_required
def dismiss_report(report_id: int):
    """Nothing wrong with the listing: the report is closed, the listing stays."""
    listing_reports.dismiss(report_id, current_user)
    flash(_("The report is dismissed."), "ok")
    return redirect(url_for("admin.index", _anchor="reported-listings"))


@bp.post("/meldingen/<int:report_id>/vermelding-sluiten")
@admin_required
def close_reported_listing(report_id: int):
    """Take the reported listing off the market; its open reports are decided with it."""
    try:
        listing_reports.close_listing(report_id, current_user)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        flash(exc.message, "error")
    else:
        flash(_("The listing is closed."), "ok")
    return redirect(url_for("admin.index", _anchor="reported-listings"))


@bp.route("/keurmerken/<int:certification_id>")
@admin_required
def certification(certification_id: int):
    """The certification with what verifying it does: the confirmation step before deciding."""
    cert = certifications.get_for_verifier(certification_id, current_user)
    return _certification_page(cert, CertificateRejectionForm())


@bp.post("/keurmerken/<int:certification_id>/verifieren")
@admin_required
def certification_verify(certification_id: int):
    cert = certifications.verify(certification_id, current_user)
    flash(_("%(name)s of %(org)s is verified.", **_named(cert)), "ok")
    return redirect(url_for("admin.index"))


@bp.post("/keurmerken/<int:certification_id>/afwijzen")
@admin_required
def certification_reject(certification_id: int):
    cert = certifications.get_for_verifier(certification_id, current_user)
    form = CertificateRejectionForm()
    if form.validate_on_submit():
        try:
            certifications.reject(cert.id, form.reason.data, current_user)
        except ServiceError as exc:
            if exc.status in (403, 404, 409):
                raise
            apply_service_error(form, exc)
        else:
            flash(_("%(name)s of %(org)s is rejected.", **_named(cert)), "ok")
            return redirect(url_for("admin.index"))
    return _certification_page(cert, form, status=422)


def _named(cert: OrganisationCertification) -> dict[str, str]:
    """The certification and its organisation, as the admin's messages name them."""
    return {"name": certification_label(cert.code), "org": cert.organisation.name}


def _certification_page(
    cert: OrganisationCertification, form: CertificateRejectionForm, status: int = 200
) -> Response:
    page = render_template(
        "admin/certification.html", cert=cert, form=form, certification_label=certification_label
    )
    return Response(page, status=status)
