"""Evidence files: type checked by content (not by extension), size-capped, stored outside
static/ under a random name, and served only to the contract's two sides (who may download
one is `realisations.evidence_file_for`: this module stores files and knows no realisations).

A file chosen on the realisation form is kept between the form's posts (the value preview, a
refused field) as a `PendingUpload` of the user who chose it (`hold`): the page names it by a
random token, the next post sends the token back, and only the user's own unexpired files are
found by it (`held`), so no client-supplied name or path ever reaches the file system. The
realisation saved with it takes the file over (`take_over`); `cleanup` removes the rest after a
day (hourly job `cleanup_pending_uploads`)."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from marketplace.extensions import db
from marketplace.models import Evidence, PendingUpload
from marketplace.models._types import utcnow
from marketplace.services.errors import ServiceError

ALLOWED = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
# Characters that change how a name reads or what it means to a file system, dropped from
# uploaded names: controls (NUL, newlines), format characters (the bidi overrides such as
# U+202E that turn "loonstrook<U+202E>lmth.pdf" into "loonstrookfdp.html", zero-width ones),
# surrogates, private use, unassigned, and line/paragraph separators.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_RESERVED = re.compile(r'[<>:"|?*]')  # refused in Windows file names
NAME_STEM_CHARS = 100
# How long a chosen file is kept for the next post of the form, and how many one post may name.
HELD_FOR = timedelta(days=1)
MAX_HELD = 20


@dataclass
class Upload:
    filename: str
    content: bytes


def check(upload: Upload) -> str:
    """The content type of an acceptable file, else a ServiceError on the `evidence` field."""
    limit = current_app.config["EVIDENCE_MAX_BYTES"]
    if not upload.content:
        raise ServiceError(_("The file is empty."), {"evidence": _("The file is empty.")})
    if len(upload.content) > limit:
        msg = _("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024))
        raise ServiceError(msg, {"evidence": msg}, code="too_large")
    kind = filetype.guess(upload.content)
    if kind is None or kind.mime not in ALLOWED:
        msg = _("%(name)s is not a PDF, PNG or JPEG file.", name=_readable(upload.filename))
        raise ServiceError(msg, {"evidence": msg}, code="file_type")
    return kind.mime


def display_name(filename: str, mime: str) -> str:
    """The name an uploaded file is shown and downloaded under: the user's name without path
    parts, invisible or direction-changing characters and its own extension, shortened, with
    the extension of the type its content was found to be. So a PDF named
    `loonstrook<U+202E>gpj.html` becomes `loonstrookgpj.pdf`: the name never claims a type the
    content is not, and never reads differently from what it is."""
    stem = _readable(filename)
    base, dot, _suffix = stem.rpartition(".")
    if dot and base.strip(" ."):
        stem = base
    stem = stem[:NAME_STEM_CHARS].strip(" .") or "bestand"
    return f"{stem}.{ALLOWED[mime]}"


def _readable(filename: str) -> str:
    """The last path part of `filename` with unsafe characters dropped and spaces collapsed."""
    name = "".join(
        ch
        for ch in unicodedata.normalize("NFC", filename)
        if unicodedata.category(ch) not in _UNSAFE_CATEGORIES
    )
    name = re.split(r"[/\\]", name)[-1]
    return " ".join(_RESERVED.sub("_", name).split()).strip(" .")


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(upload: Upload, mime: str) -> str:
    """Write a checked upload under a random name in the upload folder; returns that name."""
    stored = f"{secrets.token_hex(16)}.{ALLOWED[mime]}"
    (folder() / stored).write_bytes(upload.content)
    return stored


def store(upload: Upload, mime: str, user_id: int | None) -> Evidence:
    """Write the file and return an unsaved Evidence row (the caller adds and commits it)."""
    stored = write(upload, mime)
    return Evidence(
        filename=display_name(upload.filename, mime),
        stored_name=stored,
        content_type=mime,
        size_bytes=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_by_id=user_id,
    )


def discard(rows: list[Evidence] | list[PendingUpload]) -> None:
    """Remove the files of rows that are gone or never committed."""
    for row in rows:
        (folder() / row.stored_name).unlink(missing_ok=True)


def path_of(row: Evidence) -> Path:
    return folder() / row.stored_name


def delete_of(realisation_ids: list[int]) -> list[Path]:
    """Delete the evidence rows of these realisations (the retention sweep); the paths of their
    files, for the caller to unlink after its commit (a rolled-back run deletes no file)."""
    if not realisation_ids:
        return []
    rows = db.session.execute(
        delete(Evidence)
        .where(Evidence.realisation_id.in_(realisation_ids))
        .returning(Evidence.stored_name)
        .execution_options(synchronize_session=False)
    ).all()
    return [folder() / name for (name,) in rows]


def hold(uploads: list[Upload], user_id: int) -> list[PendingUpload]:
    """Keep the acceptable files of `uploads` for the user's next post of the form (module
    docstring) and commit; a file the checks refuse is not kept, its refusal is on the page."""
    rows = []
    for upload in uploads[:MAX_HELD]:
        try:
            mime = check(upload)
        except ServiceError:
            continue
        rows.append(
            PendingUpload(
                token=secrets.token_urlsafe(32),
                user_id=user_id,
                filename=display_name(upload.filename, mime),
                stored_name=write(upload, mime),
                content_type=mime,
                size_bytes=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
            )
        )
    if rows:
        db.session.add_all(rows)
        db.session.commit()
    return rows


def held(tokens: list[str], user_id: int) -> list[PendingUpload]:
    """The user's kept files named by `tokens`, oldest first. Another user's token, an expired
    or unknown one finds nothing: a token only names, it never reaches the file system."""
    wanted = [t for t in tokens if isinstance(t, str) and 0 < len(t) <= 64][:MAX_HELD]
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(PendingUpload)
            .where(
                PendingUpload.token.in_(wanted),
                PendingUpload.user_id == user_id,
                PendingUpload.created_at >= utcnow() - HELD_FOR,
            )
            .order_by(PendingUpload.id)
        )
    )


def take_over(rows: list[PendingUpload]) -> list[Evidence]:
    """Unsaved Evidence rows for kept files, in the caller's transaction: each pending row is
    deleted with one conditional DELETE, so of two posts naming the same file only one takes it
    (the other goes on without it). The files stay where they are."""
    taken = []
    for row in rows:
        gone = db.session.execute(
            delete(PendingUpload)
            .where(PendingUpload.id == row.id)
            .execution_options(synchronize_session=False)
        )
        if gone.rowcount == 1:
            taken.append(
                Evidence(
                    filename=row.filename,
                    stored_name=row.stored_name,
                    content_type=row.content_type,
                    size_bytes=row.size_bytes,
                    sha256=row.sha256,
                    uploaded_by_id=row.user_id,
                )
            )
    return taken


def cleanup(now: datetime) -> int:
    """Remove kept files nobody saved within HELD_FOR, with their rows; how many (idempotent)."""
    old = list(
        db.session.scalars(select(PendingUpload).where(PendingUpload.created_at < now - HELD_FOR))
    )
    for row in old:
        db.session.delete(row)
    db.session.commit()
    for row in old:
        (folder() / row.stored_name).unlink(missing_ok=True)
    return len(old)


def drop_held(user_id: int) -> list[PendingUpload]:
    """Delete the user's kept files' rows in the caller's transaction; the rows, whose files the
    caller removes with `discard` after the commit."""
    rows = list(db.session.scalars(select(PendingUpload).where(PendingUpload.user_id == user_id)))
    for row in rows:
        db.session.delete(row)
    return rows
