"""/markt: an organisation's demand (vraag) and offerings (aanbod). Routes stay thin: each calls
one service from services/listings.py and renders; another organisation's hidden listing is a 404.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_login import login_required

from marketplace.services import listings

bp = Blueprint("market", __name__)


@bp.route("/markt/mijn")
@login_required
def mine():
    """'Mijn markt': the current organisation's listings."""
    org = g.current_org
    return render_template(
        "market/mine.html", org=org, listings=listings.listings_of(org) if org else []
    )
