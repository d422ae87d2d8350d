"""The API's error envelope {"error": {"code", "message", "fields"}} and its OpenAPI schema."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Api


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


def flatten_messages(messages: Any) -> dict[str, Any]:
    """webargs puts field errors under the location ("json", "query"): drop that level."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    fields: dict[str, Any] = {}
    for location, value in messages.items():
        if isinstance(value, dict):
            fields.update(value)
        else:
            fields[location] = value
    return fields


class EnvelopeApi(Api):
    ERROR_SCHEMA = ErrorSchema
