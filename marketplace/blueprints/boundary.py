"""The input boundary every request passes before a view runs: text and whole numbers that no
page, API endpoint or database column can take are refused here once, for every field at once.

Text: a NUL byte (PostgreSQL text cannot hold one; psycopg raises) or a lone surrogate (JSON
`"\\ud800"` decodes to a str that cannot be encoded as UTF-8) made any text field, search, JSON
body or upload's file name a 500. They are REFUSED with a 400 rather than cleaned away because
neither is ever typed by a person: a request carrying one is broken or probing, and silently
altering it would store something other than what was sent (and a cleaned key could match
another one). One check before every view also covers fields added later, which a filter on
each form field would have to remember.

Whole numbers in paths: `BoundedIntConverter` replaces Werkzeug's `int` converter for every
route, so `/contracten/2147483648` is a 404 instead of an overflow in the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter, Map

from marketplace.blueprints.errors import error_response
from marketplace.domain.numbers import MAX_ID

# NUL, and the UTF-16 surrogate range, which only a lone (unpaired) surrogate can put in a str.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` bounded to 1..2^31-1 (an INTEGER id), at most 19 digits: a path with a larger
    number does not match and answers 404; `min`/`max` given on a route narrow it further."""

    regex = r"\d{1,19}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs["max"] = min(kwargs.get("max") or MAX_ID, MAX_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    """Bound `<int:...>` in every route and check the text of every request (from create_app,
    before the blueprints add their routes)."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_unstorable_text)


def refuse_unstorable_text() -> Response | None:
    """A 400 naming the first field that holds a NUL byte or a lone surrogate; None to go on."""
    for name, value in _texts():
        if UNSTORABLE.search(name) or UNSTORABLE.search(value):
            message = _("This text contains a character that cannot be stored.")
            return error_response(
                400, message, code="unstorable_text", fields={name or "_body": message}
            )
    return None


def _texts() -> Iterator[tuple[str, str]]:
    """(name, text) of every text the request carries: path parameters, query string, form
    fields, uploads' file names and every key and string of a JSON body."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            yield name, value
    for source in (request.args, request.form):
        for name, values in source.lists():
            for value in values:
                yield name, value
    for name, upload in request.files.items(multi=True):
        yield name, upload.filename or ""
    if request.is_json:
        yield from _json_texts(request.get_data(cache=True))


def _json_texts(body: bytes) -> Iterator[tuple[str, str]]:
    """Keys and strings of a JSON body, walked without recursion; a body that is not JSON yields
    nothing here (the API's parser answers it with its own 400)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield key, key
                stack.append((key, item))
        elif isinstance(value, list):
            stack.extend((name, item) for item in value)
