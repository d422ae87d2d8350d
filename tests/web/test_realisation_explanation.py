"""The value preview of a realisation explains its sum step by step, as the calculator and the
contract page's obligation do (the domain's steps, worded by labels.valuation_steps)."""

from __future__ import annotations

import html
import re

from tests.web.test_contractor import OWNER, post_realisation


def test_the_preview_explains_the_value_step_by_step(client, auth, contract):
    auth.login(OWNER)
    page = html.unescape(post_realisation(client, contract, "preview").get_data(as_text=True))
    steps = page.split('class="app-explanation">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<li>([^<]*)</li>", steps) == [
        "24 uur per week van een volledige werkweek van 36 uur",
        "1 maart 2026 tot en met 28 augustus 2026: 181 dagen",
        "PW: € 40.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 13.223,74",
        "Bonus 50 jaar of ouder: € 10.000,00 per fte-jaar × 24/36 uur × 181/365 dagen = € 3.305,94",
        "Totaal: € 16.529,68",
    ]
