"""Every string the UI can show has a Dutch translation (Dutch is the default language)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_dutch_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", pot, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (ROOT / "marketplace/translations/nl/LC_MESSAGES/messages.po").open("rb") as fh:
        dutch = {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in read_po(fh)
            if m.id and m.string and "fuzzy" not in m.flags
        }
    missing = sorted(wanted - dutch.keys())
    assert not missing, f"untranslated: {missing[:20]}"


def test_catalogues_parse_cleanly_with_each_message_once():
    """Union merges of the catalogues (.gitattributes) can drop a msgstr line or add an entry
    twice; babel then reads on with a warning and a message silently loses its translation."""
    for lang in ("nl", "en"):
        path = ROOT / f"marketplace/translations/{lang}/LC_MESSAGES/messages.po"
        with path.open("rb") as fh:
            read_po(fh, abort_invalid=True)
        ids = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith('msgid "') and line != 'msgid ""'
        ]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        assert not twice, f"{lang}: entries defined twice: {twice[:10]}"


# The Dutch texts address the reader informally (je/jij/jouw), never with the polite u/uw: one
# form of address throughout. The pattern works on whole words (Python's \b is Unicode-aware, so
# "geüploade" or "uur" never match); a text that must quote the polite form goes on the allow-list.
POLITE = re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE)
POLITE_ALLOWED: set[str] = set()


def _dutch_texts():
    with (ROOT / "marketplace/translations/nl/LC_MESSAGES/messages.po").open("rb") as fh:
        for m in read_po(fh):
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            for text in strings:
                if text:
                    yield text


def test_dutch_texts_use_one_informal_form_of_address():
    polite = sorted(t for t in _dutch_texts() if POLITE.search(t) and t not in POLITE_ALLOWED)
    assert not polite, f"polite 'u/uw' where the texts say 'je/jouw': {polite[:10]}"


def test_the_form_of_address_check_catches_the_polite_form():
    assert POLITE.search("Uw organisatie is nog niet geverifieerd")
    assert POLITE.search("Intussen kunt u een verplichting schatten")
    assert not POLITE.search("Je bestand is klaar; geüploade uren tellen mee.")
