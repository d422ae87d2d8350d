"""Stripe's webhook: verify, store once, answer at once (docs/architecture.md "Stripe events").

Stripe delivers each event at least once, possibly many times and out of order, and retries
when we answer slowly or with an error. So the request does the least that makes the event
safe: it checks the signature over the raw body, inserts the event under its id (the primary
key: a redelivery inserts nothing, `ON CONFLICT DO NOTHING`, so two deliveries at the same
moment cannot both pass a check and both insert) and the outbox row of the job that applies it,
in one transaction. The job (`stripe_billing.process_event`) is relayed to RQ (or, embedded,
run in process) only once the response has gone out: the answer waits for neither Stripe nor
Redis."""

from __future__ import annotations

from typing import Any

import stripe
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from marketplace.extensions import db
from marketplace.models import StripeEvent
from marketplace.models._types import utcnow
from marketplace.services import outbox, stripe_client
from marketplace.services.errors import ServiceError

# Event ids and types are short; a body with longer ones is not Stripe's.
_ID_MAX, _TYPE_MAX = 255, 100


class InvalidEvent(ServiceError):
    """A webhook we must not store: bad signature, not JSON, not an event."""


def receive(payload: bytes, signature: str | None) -> bool:
    """Store a signed webhook event and its job; True when it was new, False for a repeat.
    Raises InvalidEvent (nothing stored) for a missing, bad, stale or tampered signature and
    for a signed body that is not a JSON event. Commits."""
    event = _verified(payload, signature)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING says whether this delivery inserted the row (the ORM's bulk insert path gives
    # no reliable rowcount on PostgreSQL).
    stored = db.session.execute(
        insert(StripeEvent)
        .values(id=event["id"], type=event["type"], payload=event, received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(StripeEvent.id)
    ).scalar()
    if stored is not None:
        outbox.enqueue("apply_stripe_event", event["id"])
        outbox.dispatch_after_response()  # Stripe waits for our answer, not for the job
    db.session.commit()
    return stored is not None


def _verified(payload: bytes, signature: str | None) -> dict[str, Any]:
    try:
        event = stripe_client.verified_payload(payload, signature)
    except stripe.SignatureVerificationError as exc:
        raise InvalidEvent("bad signature", code="bad_signature") from exc
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidEvent("not JSON", code="not_json") from exc
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and 0 < len(event["id"]) <= _ID_MAX
        and 0 < len(event["type"]) <= _TYPE_MAX
        and isinstance(event.get("data"), dict)
        and isinstance(event["data"].get("object"), dict)
    ):
        raise InvalidEvent("not an event", code="not_an_event")
    return event
