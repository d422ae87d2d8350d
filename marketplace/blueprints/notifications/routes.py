"""/meldingen: a user's notifications (list, mark read, mark all read), their settings (which
kinds on which channel, and saved searches), and saving a search of /zoeken. Routes parse,
call services/notifications.py or services/saved_searches.py, and render or redirect; another
user's notification or saved search is a 404."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.blueprints.formhelpers import page_arg
from marketplace.blueprints.links import link_path
from marketplace.labels import notification_kind_labels, notification_text
from marketplace.models.notifications import CHANNELS
from marketplace.services import notifications, saved_searches, search
from marketplace.services.errors import ServiceError

bp = Blueprint("notifications", __name__)


@bp.route("/meldingen")
@login_required
def index():
    page = notifications.page_of(current_user, page_arg())
    return render_template(
        "notifications/index.html",
        page=page,
        text=notification_text,
        link_path=link_path,
    )


@bp.post("/meldingen/<int:notification_id>/gelezen")
@login_required
def read(notification_id: int):
    """Mark one read; with `open`, go on to the page it is about."""
    notification = notifications.mark_read(current_user, notification_id)
    target = link_path(notification.link_name, notification.link_args)
    if request.form.get("open") and target:
        return redirect(target)
    return redirect(url_for("notifications.index", page=request.form.get("page") or None))


@bp.post("/meldingen/alles-gelezen")
@login_required
def read_all():
    marked = notifications.mark_all_read(current_user)
    if marked:
        flash(_("All notifications are marked read."), "ok")
    return redirect(url_for("notifications.index"))


@bp.route("/meldingen/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    """Each kind on or off in the app and by e-mail, for officers whether submitted
    realisations are mailed at once or in a daily overview, and the saved searches."""
    officer = notifications.is_officer(current_user)
    if request.method == "POST":
        chosen = set(request.form.getlist("on"))
        try:
            notifications.save_settings(
                current_user,
                {(k, c) for k in notifications.KINDS for c in CHANNELS if f"{k}:{c}" in chosen},
                request.form.get("mail_mode") if officer else None,
            )
        except ServiceError as exc:
            return _settings_page(officer, exc.fields.get("mail_mode"), 400)
        flash(_("Your notification settings are saved."), "ok")
        return redirect(url_for("notifications.settings"))
    return _settings_page(officer)


def _settings_page(officer: bool, mode_error: str | None = None, status: int = 200):
    mode = notifications.mail_mode(current_user, notifications.DIGEST_KINDS[0])
    page = render_template(
        "notifications/settings.html",
        kinds=notifications.KINDS,
        kind_labels=notification_kind_labels(),
        preferences=notifications.preferences(current_user),
        officer=officer,
        mail_mode=mode,
        mode_error=mode_error,
        saved=saved_searches.of_user(current_user),
        search_args=saved_searches.search_args,
    )
    return page, status


@bp.post("/zoeken/bewaren")
@login_required
def save_search():
    """Keep the search the form carries (the words and filters of /zoeken) for the digest."""
    form = request.form.to_dict(flat=False)
    try:
        saved = saved_searches.save(
            current_user, request.form.get("q"), search.Filters.from_args(form)
        )
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("notifications.settings"))
    flash(_("Search saved: you get new results once a day."), "ok")
    return redirect(url_for("market.search_page", **saved_searches.search_args(saved)))


@bp.post("/meldingen/zoekopdrachten/<int:saved_search_id>/verwijderen")
@login_required
def delete_search(saved_search_id: int):
    saved_searches.delete(current_user, saved_search_id)
    flash(_("The saved search is deleted."), "ok")
    return redirect(url_for("notifications.settings"))
