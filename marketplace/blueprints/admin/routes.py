"""Platform admin: verify organisations, see failed jobs."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.extensions import db
from marketplace.models import Organisation
from marketplace.services import organisations, outbox

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
    return render_template(
        "admin/index.html", unverified=organisations.unverified(), failed=outbox.failed_jobs()
    )


@bp.post("/organisaties/<int:org_id>/verifieren")
@admin_required
def verify(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    organisations.verify(org, current_user)
    flash(_("%(name)s is verified.", name=org.name), "ok")
    return redirect(url_for("admin.index"))
