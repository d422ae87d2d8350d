"""Dutch (or English) error pages for HTML and the JSON envelope for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from marketplace.blueprints.api.envelope import flatten_messages
from marketplace.services import memberships
from marketplace.services.errors import MembershipBlocked, ServiceError, discard_refused_write


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/"))


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be processed"),
        401: _("Please log in"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        409: _("This conflicts with existing data"),
        413: _("The file is too large"),
        422: _("Some fields are not valid."),
        429: _("Too many attempts; wait a moment and try again"),
        500: _("Something went wrong on our side"),
    }


def _title(status: int) -> str:
    """The page title of a status in the reader's language; a status without a title of its own
    gets the general one of its class, never Werkzeug's English name."""
    titles = _titles()
    return titles.get(status) or titles[500 if status >= 500 else 400]


def error_response(
    status: int, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None
) -> Response:
    if _wants_json():
        body = {"error": {"code": code or str(status), "message": message, "fields": fields or {}}}
        return make_response(jsonify(body), status)
    title = _title(status)
    page = render_template("errors/error.html", code=status, title=title, message=message)
    return make_response(page, status)


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException) -> Response:
        # flask-smorest and webargs attach {"messages": ..., "message": ...} as exc.data.
        data = getattr(exc, "data", None) or {}
        fields = flatten_messages(data["messages"]) if "messages" in data else None
        status = exc.code or 500
        message = data.get("message") or _title(status)
        code = (exc.name or str(status)).lower().replace(" ", "_")
        response = error_response(status, message, code=code, fields=fields)
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(CSRFError)
    def handle_csrf(exc: CSRFError) -> Response:
        """A form without its valid token: mostly a page left open past the session or a form
        sent twice after logging out, so the page says what to do rather than Flask-WTF's English
        reason."""
        message = _(
            "This form has expired or was not sent from this site. Go back, reload the page and"
            " send the form again."
        )
        return error_response(400, message, code="csrf_error")

    @app.errorhandler(ServiceError)
    def handle_service_error(exc: ServiceError) -> Response:
        if isinstance(exc, MembershipBlocked) and not _wants_json():
            # Not a dead end: the page says why and offers to pay (or to apply again).
            payment = memberships.blocked_payment(exc, current_user)
            page = render_template("errors/membership_blocked.html", blocked=exc, payment=payment)
            return make_response(page, exc.status)
        return error_response(exc.status, exc.message, code=exc.code, fields=exc.fields)

    @app.errorhandler(IntegrityError)
    def handle_integrity_error(exc: IntegrityError) -> Response:
        """A unique or foreign key the database refused: two requests inserted the same reference,
        e-mail or date at once, after both passed the service's own check. The database kept
        one; the other gets a 409 (never a 500). Services turn the conflicts they check for into
        field messages; this is the net under all of them."""
        discard_refused_write()
        app.logger.info("integrity error on %s: %s", request.path, exc.orig)
        message = _("This already exists or was saved by someone else at the same time.")
        return error_response(409, message, code="conflict")

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, _title(500), code="internal_error")
