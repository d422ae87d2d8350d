"""Register an organisation, its public profile, members and invitations."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.formhelpers import apply_service_error
from marketplace.blueprints.market.search import VALUE_LABELS, hit_url
from marketplace.blueprints.orgs.forms import (
    CertificationForm,
    InviteForm,
    OrganisationForm,
    ProfileForm,
    RoleForm,
)
from marketplace.domain.taxonomy import SECTORS
from marketplace.labels import certification_label, pso_level_label
from marketplace.services import certifications, directory, organisations
from marketplace.services.errors import ServiceError

bp = Blueprint("orgs", __name__, url_prefix="/organisaties")


@bp.route("/mijn")
@login_required
def mine():
    return render_template("orgs/mine.html", orgs=g.user_orgs)


@bp.route("/registreren", methods=["GET", "POST"])
@login_required
def register():
    form = OrganisationForm()
    if form.validate_on_submit():
        data = organisations.OrganisationData(
            name=form.name.data.strip(),
            kind=form.kind.data,
            authority_type=form.authority_type.data or None,
            kvk_number=form.kvk_number.data,
            **form.profile_fields(),
        )
        try:
            org = organisations.register(data, current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            session["org_id"] = org.id
            flash(
                _("%(name)s is registered. A platform admin will verify it.", name=org.name), "ok"
            )
            return redirect(url_for("orgs.profile", slug=org.slug))
    return render_template("orgs/register.html", form=form)


@bp.route("/<slug>")
def profile(slug: str):
    """An organisation's public page, also its profile in the directory: sectors, regions,
    capacity, certification badges, open offerings, delivered deals and published reviews
    (services/directory.py)."""
    found = directory.profile(slug, clock.today(), current_user)
    org = found.organisation
    sectors = [SECTORS.get(s, s) for s in org.sectors or []]
    return render_template(
        "orgs/profile.html",
        org=org,
        role=found.role,
        sectors=sectors,
        profile=found,
        hit_url=hit_url,
        value_labels=VALUE_LABELS,
        certification_label=certification_label,
        pso_level_label=pso_level_label,
    )


@bp.route("/<slug>/profiel", methods=["GET", "POST"])
@login_required
def edit_profile(slug: str):
    """The owner keeps the address and the directory profile up to date."""
    org = organisations.by_slug(slug)
    organisations.require_role(current_user, org, "owner")
    form = ProfileForm(obj=org)
    if form.validate_on_submit():
        try:
            organisations.update_profile(org, form.profile_fields(), current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("The profile of %(name)s is saved.", name=org.name), "ok")
            return redirect(url_for("orgs.profile", slug=org.slug))
    return render_template("orgs/edit_profile.html", org=org, form=form)


@bp.post("/<slug>/verificatie-aanvragen")
@login_required
def ask_verification(slug: str):
    """After a rejection, the owner (having corrected the profile) asks the admin again."""
    org = organisations.by_slug(slug)
    organisations.ask_again(org, current_user)
    flash(_("%(name)s is waiting for verification again.", name=org.name), "ok")
    return redirect(url_for("orgs.profile", slug=org.slug))


@bp.route("/<slug>/leden", methods=["GET", "POST"])
@login_required
def members(slug: str):
    org = organisations.by_slug(slug)
    role = organisations.require_role(current_user, org)
    form = InviteForm()
    if role == "owner" and form.validate_on_submit():
        try:
            organisations.invite(org, form.email.data, form.role.data, current_user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "ok")
            return redirect(url_for("orgs.members", slug=slug))
    return render_template(
        "orgs/members.html",
        org=org,
        role=role,
        form=form,
        role_form=RoleForm(),
        members=organisations.members(org),
    )


@bp.route("/<slug>/keurmerken", methods=["GET", "POST"])
@login_required
def certifications_page(slug: str):
    """The organisation's certifications with their verification, and the form to record one;
    for its members only."""
    org = organisations.by_slug(slug)
    recorded = certifications.certifications_of(org, current_user)
    form = CertificationForm(org.kind)
    if form.validate_on_submit():
        try:
            certifications.record(
                org,
                form.code.data or "",
                form.reference.data or "",
                form.valid_from.data,
                form.valid_until.data,
                current_user,
            )
        except ServiceError as exc:
            if exc.status in (403, 404):
                raise
            apply_service_error(form, exc)
        else:
            flash(_("Certification recorded; the platform verifies it."), "ok")
            return redirect(url_for("orgs.certifications_page", slug=slug))
    page = render_template(
        "orgs/certifications.html",
        org=org,
        recorded=recorded,
        form=form,
        certification_label=certification_label,
    )
    return Response(page, status=422 if form.errors else 200)


@bp.post("/<slug>/leden/<int:member_id>/rol")
@login_required
def change_role(slug: str, member_id: int):
    org = organisations.by_slug(slug)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            organisations.set_role(org, member_id, form.role.data, current_user)
            flash(_("Role changed."), "ok")
        except ServiceError as exc:
            if exc.status == 403:
                raise
            flash(exc.message, "error")
    return redirect(url_for("orgs.members", slug=slug))


@bp.route("/uitnodiging/<token>")
@login_required
def accept_invitation(token: str):
    try:
        org = organisations.accept_invitation(token, current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("orgs.mine"))
    session["org_id"] = org.id
    flash(_("You are now a member of %(org)s.", org=org.name), "ok")
    return redirect(url_for("orgs.profile", slug=org.slug))
