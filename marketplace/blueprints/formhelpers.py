"""Glue between requests and pages: show a refused field next to its input, read a page number."""

from __future__ import annotations

from flask import flash, request
from flask_wtf import FlaskForm

from marketplace.domain.numbers import NumberError, bounded_int
from marketplace.services.errors import ServiceError

# Far beyond any list's last page, and small enough that page x per_page never overflows an OFFSET.
MAX_PAGE = 1_000_000


def apply_service_error(form: FlaskForm, error: ServiceError) -> None:
    """Attach field messages to their fields; anything else becomes a page-level alert."""
    placed = False
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
            placed = True
    if not placed:
        flash(error.message, "error")


def page_arg(name: str = "page") -> int:
    """The page number asked for in the query string, 1 when it is not one (absent, text, 0, or
    beyond MAX_PAGE), as Werkzeug's `type=int` did for text; never an int the database refuses.

    A page past the last one stays as asked: `services/pages.existing_page` answers 404 for it."""
    try:
        return bounded_int(request.args.get(name, ""), minimum=1, maximum=MAX_PAGE)
    except NumberError:
        return 1
