"""Errors services raise for the caller to show: a message per field, never a 500; and the net
under the services' own clean-up for a write the database refused."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from marketplace.extensions import db


class ServiceError(Exception):
    """A refused use case. `fields` maps field names to messages (already translated)."""

    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code


# The default messages of NotFound and Forbidden are lazy: worded when a page, a flash or the API's
# envelope shows them, in the reader's language (the error pages' titles, blueprints/errors.py).
class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str = _l("Page not found")):
        super().__init__(message, code="not_found")


class Forbidden(ServiceError):
    status = 403

    def __init__(
        self, message: str = _l("You do not have access to this page"), code: str = "forbidden"
    ):
        super().__init__(message, code=code)


class Conflict(ServiceError):
    status = 409


class MembershipBlocked(Forbidden):
    """A member-only feature refused because the organisation's membership of the network lost
    its member features (suspended, cancelled): the page says so and offers to pay the open
    invoice (`invoice_id`, None when there is none to pay: then to apply again)."""

    def __init__(
        self,
        message: str,
        *,
        network_name: str,
        network_slug: str,
        status: str,
        invoice_id: int | None,
        membership_id: int | None = None,
    ):
        super().__init__(message, code="membership_blocked")
        self.membership_id = membership_id
        self.network_name = network_name
        self.network_slug = network_slug
        self.membership_status = status
        self.invoice_id = invoice_id


def discard_refused_write() -> None:
    """Roll back a transaction whose write the database refused (an IntegrityError no service
    turned into a field message: two requests inserted the same row at once, after both passed
    the service's own check), so the error page that says so can still read the database."""
    db.session.rollback()
