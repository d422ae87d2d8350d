"""Serving stored uploads (evidence, PSO certificates): always as a download, never rendered in
our origin, never cached."""

from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

from marketplace.services.errors import NotFound


def attachment(path: Path, content_type: str, name: str | None) -> Response:
    """The file at `path` as an attachment named `name`; 404 when the file is gone."""
    if not path.is_file():
        raise NotFound()
    response = send_file(
        path, mimetype=content_type, as_attachment=True, download_name=name or "bestand", max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
