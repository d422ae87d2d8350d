"""The compliance API's blueprint (contracts, realisations, policies under /api/v1): token
required, strict JSON, and refused use cases mapped to the error envelope.

Choices where docs/architecture.md and docs/domain.md are silent:
- A use case a service refuses with its default status 400 (a `ServiceError`: wrong state, unknown
  block, end before start...) answers 422 here, with the service's `code` and `fields`: the JSON
  was well formed, its content was refused. 400 stays for a body that is not JSON; 401 means no
  valid bearer token; any other status (403, 404, 409) is passed on as the service raises it.
  HTML pages keep their own handler (the mapping is registered on these blueprints only).
- 404 when the object itself is hidden from the user (someone else's contract or realisation: ids
  cannot be probed); 403 when the user may see it but the action belongs to someone else (a
  contractor approving, a non-member reading an authority's policies).
- Service messages are in the platform's language (Dutch: token requests carry no session to
  choose English). `code` is the stable part.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Response
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from marketplace.blueprints.api.auth import token_required
from marketplace.blueprints.api.envelope import ErrorSchema
from marketplace.blueprints.api.schemas.fields import MAX_ID
from marketplace.blueprints.errors import error_response
from marketplace.services.errors import ServiceError

ID = f"int(min=1, max={MAX_ID})"  # URL converter: a larger id must not reach the database

ERROR_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "No valid bearer token (header `Authorization: Bearer <token>`)",
    403: "You may see this, but the action belongs to someone else",
    404: "Not found, or not visible to you",
    409: "Someone else changed it first (e.g. another officer decided); `message` says who",
    422: "Fields not valid, or refused by the rules; `code` says why, `fields` where",
}


class StrictJSONParser(FlaskParser):
    """webargs only turns JSONDecodeError into 400: also a >4300-digit number or deep nesting."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (ValueError, RecursionError) as exc:
            self._handle_invalid_json_error(exc, req)


def _refused(exc: ServiceError) -> Response:
    status = 422 if exc.status == 400 else exc.status
    return error_response(status, exc.message, code=exc.code, fields=exc.fields)


class ComplianceBlueprint(Blueprint):
    """A flask-smorest blueprint whose views need a bearer token and whose refused use cases
    answer 422 (see the module docstring)."""

    ARGUMENTS_PARSER = StrictJSONParser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register_error_handler(ServiceError, _refused)

    def authenticated(self, *statuses: int) -> Callable:
        """Check the token before the request is read; document it, and the error envelope for
        401 and the given statuses."""

        def decorator(view: Callable) -> Callable:
            view = token_required(view)
            for status in sorted({401, *statuses}):
                view = self.alt_response(
                    status, schema=ErrorSchema, description=ERROR_DESCRIPTIONS[status]
                )(view)
            return self.doc(security=[{"bearerAuth": []}])(view)

        return decorator
