"""The one way to Stripe: a `stripe.StripeClient` built from the app's configuration.

Why one place: every call must go where the configuration says (`STRIPE_API_BASE`: localstripe in
tests and development) and fail fast (no automatic retries: a retried create without an
idempotency key would create twice, and a request must not hang on Stripe). Tests must never
reach Stripe's own servers, so in TESTING an app without `STRIPE_API_BASE` refuses to build a
client at all instead of quietly talking to api.stripe.com."""

from __future__ import annotations

import json
from typing import Any

import stripe
from flask import current_app

# Seconds a call to Stripe may take before it fails (connect and read together).
TIMEOUT_SECONDS = 20
# Seconds a webhook's signed timestamp may lie in the past (Stripe's default): older is a replay.
WEBHOOK_TOLERANCE = 300


class StripeNotConfigured(RuntimeError):
    """Stripe is not configured (no secret key), or a test app lacks STRIPE_API_BASE."""


def configured() -> bool:
    """Whether members pay through Stripe: a secret key is configured."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def client() -> stripe.StripeClient:
    """The app's StripeClient, built once per configuration and kept on the app."""
    config = current_app.config
    key, base = config.get("STRIPE_SECRET_KEY"), config.get("STRIPE_API_BASE")
    if not key:
        raise StripeNotConfigured("STRIPE_SECRET_KEY is not set")
    if config.get("TESTING") and not base:
        raise StripeNotConfigured("tests must set STRIPE_API_BASE: never call Stripe's servers")
    cache: dict[tuple[str, str | None], stripe.StripeClient] = current_app.extensions.setdefault(
        "stripe_clients", {}
    )
    found = cache.get((key, base))
    if found is None:
        options: dict[str, Any] = {
            "max_network_retries": 0,
            "http_client": stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        }
        if base:
            options["base_addresses"] = {"api": base}
        found = cache[(key, base)] = stripe.StripeClient(key, **options)
    return found


def verified_payload(payload: bytes, signature: str | None) -> Any:
    """The JSON a webhook carries, once its signature over the raw body checks out: signed
    with STRIPE_WEBHOOK_SECRET, untampered, at most `WEBHOOK_TOLERANCE` seconds old (the
    library's check, as `StripeClient.construct_event` does it). Raises
    `stripe.SignatureVerificationError` or `ValueError` (a signed body that is not UTF-8 JSON).

    Parsed here with `json.loads` rather than into a `stripe.Event`: the library's event
    builder fails with an AttributeError on signed JSON that is not an object, and the job
    needs plain data to store anyway."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise StripeNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
    if not signature:
        raise stripe.SignatureVerificationError("no Stripe-Signature header", signature, payload)
    text = payload.decode("utf-8")
    stripe.WebhookSignature.verify_header(text, signature, secret, WEBHOOK_TOLERANCE)
    return json.loads(text)
