"""Home, language switch, the current-organisation switch (the selected organisation is loaded
for every page by `blueprints/layout.py: load_current_org`)."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from marketplace import clock
from marketplace.blueprints.market.search import VALUE_LABELS, hit_url
from marketplace.services import accounts, market_figures, search
from marketplace.services.contracts import CONTRACTOR_KINDS

bp = Blueprint("main", __name__)

# Social enterprises, werkbedrijven and networks come to offer and find work: their home is the
# marketplace ('Mijn markt'), not the contractor's obligations page they may also use.
MARKET_HOME_KINDS = ("social_enterprise", "werkbedrijf", "network")


def _safe_next(target: str | None) -> str:
    if target and not urlparse(target).netloc and target.startswith("/"):
        return target
    return url_for("main.index")


@bp.route("/")
def index():
    """Visitors get the introduction; members land on their organisation's workspace: officers
    on their dashboard, a network's admin on the network's dashboard, suppliers and the
    network's other members on their marketplace, contractors on their obligations."""
    org = g.current_org
    if org is not None and org.kind == "authority":
        return redirect(url_for("officer.dashboard"))
    if org is not None and org.kind == "network" and g.get("current_role") == "owner":
        return redirect(url_for("networks.dashboard", slug=org.slug))
    if org is not None and org.kind in MARKET_HOME_KINDS:
        return redirect(url_for("market.mine"))
    if org is not None and org.kind in CONTRACTOR_KINDS:
        return redirect(url_for("contractor.index"))
    return render_template(
        "main/index.html",
        newest_demand=search.newest("demand"),
        newest_offerings=search.newest("offering"),
        figures=market_figures.this_year(clock.today()),
        hit_url=hit_url,
        value_labels=VALUE_LABELS,
    )


@bp.post("/taal/<lang>")
def set_language(lang: str):
    if lang not in ("nl", "en"):
        abort(404)
    session["locale"] = lang
    if current_user.is_authenticated:
        accounts.choose_language(current_user, lang)  # mails to them follow the choice
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/organisatie/wissel")
@login_required
def switch_org():
    org_id = request.form.get("org_id", type=int)
    if not any(o.id == org_id for o in g.user_orgs):
        abort(403)
    session["org_id"] = org_id
    return redirect(_safe_next(request.form.get("next")))
