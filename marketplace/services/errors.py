"""Errors services raise for the caller to show: a message per field, never a 500; and the net
under the services' own clean-up for a write the database refused."""

from __future__ import annotations

from marketplace.extensions import db


class ServiceError(Exception):
    """A refused use case. `fields` maps field names to messages (already translated)."""

    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str = "Not found"):
        super().__init__(message, code="not_found")


class Forbidden(ServiceError):
    status = 403

    def __init__(self, message: str = "Forbidden", code: str = "forbidden"):
        super().__init__(message, code=code)


class Conflict(ServiceError):
    status = 409


def discard_refused_write() -> None:
    """Roll back a transaction whose write the database refused (an IntegrityError no service
    turned into a field message: two requests inserted the same row at once, after both passed
    the service's own check), so the error page that says so can still read the database."""
    db.session.rollback()
