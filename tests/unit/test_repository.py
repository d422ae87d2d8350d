"""The repository stands on its own: the suite compiles its catalogues, and no file sends a reader
to documents a clone does not have (the rules live in docs/)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import TRANSLATIONS, compile_translations

ROOT = Path(__file__).resolve().parents[2]
# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile(r"\.\./share" r"d/|/work/share" r"d\b|\b(?:DOMAIN|DESIGN|RECIPES|STYLE)\.md\b")


def tracked_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in names if name]


def test_no_tracked_file_refers_to_documents_outside_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in {".mo", ".png", ".ico", ".woff2", ".pdf"}:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [
            f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]
    assert found == [], "cite docs/architecture.md or docs/domain.md instead:\n" + "\n".join(found)


def test_the_documents_cited_are_in_the_repository() -> None:
    assert (ROOT / "docs" / "architecture.md").is_file()
    assert (ROOT / "docs" / "domain.md").is_file()


CITATION = re.compile(r"docs/(domain|architecture)\.md\s+\"([^\"]+)\"")


def test_every_cited_section_is_a_heading_of_the_document() -> None:
    headings = {
        name: [
            line.lstrip("#").strip()
            for line in (ROOT / "docs" / f"{name}.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("#")
        ]
        for name in ("domain", "architecture")
    }
    cited = set()
    for path in tracked_files():
        if path.suffix in {".py", ".md", ".html", ".json"} and path.is_file():
            text = path.read_text(encoding="utf-8", errors="ignore")
            cited |= {(m[1], " ".join(m[2].split())) for m in CITATION.finditer(text)}
    assert len(cited) > 10
    missing = sorted(
        f'docs/{doc}.md "{section}"'
        for doc, section in cited
        if not any(h.startswith(section) for h in headings[doc])
    )
    assert missing == [], "cited but no such heading: " + ", ".join(missing)


def test_missing_or_stale_catalogues_are_compiled(tmp_path: Path) -> None:
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        target = tmp_path / po.relative_to(TRANSLATIONS)
        target.parent.mkdir(parents=True)
        shutil.copy(po, target)

    written = compile_translations(tmp_path)
    assert sorted(p.parent.parent.name for p in written) == ["en", "nl"]
    assert compile_translations(tmp_path) == []  # up to date: nothing to do

    nl_po = tmp_path / "nl" / "LC_MESSAGES" / "messages.po"
    nl_mo = nl_po.with_suffix(".mo")
    stamp = nl_mo.stat().st_mtime
    os.utime(nl_po, (stamp + 10, stamp + 10))  # the .po edited after the last compile
    assert compile_translations(tmp_path) == [nl_mo]
