"""Files as responses: stored uploads (evidence, PSO certificates), always as a download, never
rendered in our origin, never cached; a report table (services/reports.py `Table`) as streamed
CSV or as an Excel file written in constant memory; a chart as an SVG image revalidated by its
ETag. Shared by the officer's reports and the network admin's dashboard."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Response, request, send_file, stream_with_context

from marketplace.services import reports
from marketplace.services.errors import NotFound
from marketplace.services.report_files import XLSX


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


def _safe_name(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", filename)


def csv_download(table: reports.Table) -> Response:
    """The table as CSV, streamed as it is read."""
    response = Response(
        stream_with_context(reports.csv_chunks(table)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{_safe_name(table.name)}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def xlsx_download(table: reports.Table) -> Response:
    """The table as Excel, at once: written in constant memory to a temporary file that is
    streamed and then gone (10,000 rows in a few seconds)."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as scratch:
        path = scratch.name
    try:
        reports.write_xlsx(table, path)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it after the response
    finally:
        os.unlink(path)  # the open handle keeps the content until it is closed
    return sent(handle, XLSX, f"{table.name}.xlsx")


def sent(source, mimetype: str, filename: str) -> Response:
    """A file (path or open binary handle) as a download that no shared cache keeps."""
    response = send_file(
        source, mimetype=mimetype, as_attachment=True, download_name=_safe_name(filename)
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def svg(document: str) -> Response:
    """A chart as an image the browser revalidates before each use."""
    response = Response(document, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def revalidated_svg(etag: str, draw: Callable[[], str]) -> Response:
    """A chart whose fingerprint `etag` was computed without drawing it: 304 when the browser
    holds that version, else the drawing."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response = svg(draw())
    response.set_etag(etag)
    return response
