"""Uploaded file names become safe display names with the extension of their real content."""

from __future__ import annotations

import pytest

from marketplace.services.evidence import NAME_STEM_CHARS, display_name


@pytest.mark.parametrize(
    ("uploaded", "mime", "shown"),
    [
        ("loonstrook\u202egpj.html", "application/pdf", "loonstrookgpj.pdf"),
        ("contract.pdf", "application/pdf", "contract.pdf"),
        ("foto.JPEG", "image/jpeg", "foto.jpg"),
        ("scan.pdf.exe", "image/png", "scan.pdf.png"),
        ("C:\\Users\\anna\\Bureaublad\\loon.pdf", "application/pdf", "loon.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("bewijs\u2066\u2069\u200b\u200e\x00\n.pdf", "application/pdf", "bewijs.pdf"),
        ('a<b>:"c|d?*.pdf', "application/pdf", "a_b___c_d__.pdf"),
        ("  veel   spaties .pdf", "application/pdf", "veel spaties.pdf"),
        (".htaccess", "application/pdf", "htaccess.pdf"),
        ("\u202e", "application/pdf", "bestand.pdf"),
        ("", "image/png", "bestand.png"),
        ("Café Ørsted.png", "image/png", "Café Ørsted.png"),
    ],
)
def test_display_name(uploaded, mime, shown):
    assert display_name(uploaded, mime) == shown


def test_long_names_are_shortened_before_the_extension():
    assert display_name("x" * 500 + ".pdf", "application/pdf") == "x" * NAME_STEM_CHARS + ".pdf"
