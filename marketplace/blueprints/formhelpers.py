"""Glue between service errors and WTForms: show a refused field next to its input."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from marketplace.services.errors import ServiceError


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
