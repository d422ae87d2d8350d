"""Stripe's webhook: no login, no CSRF token (Stripe signs the body instead); the service
verifies, stores and enqueues, and Stripe gets its 2xx at once (services/stripe_events.py)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from marketplace.services import stripe_client, stripe_events

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.post("/stripe")
def stripe_webhook():
    """200 for a new or a repeated event; 400, nothing stored, for anything not signed by
    Stripe with our secret (or signed but not a JSON event); 404 where Stripe is not set up
    (no webhook secret): there is no webhook to deliver to, and it is no server error."""
    try:
        new = stripe_events.receive(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except stripe_events.InvalidEvent as exc:
        return jsonify(error={"code": exc.code}), 400
    except stripe_client.StripeNotConfigured:
        abort(404)
    return jsonify(received=True, duplicate=not new), 200
