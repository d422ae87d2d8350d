"""The network dashboard's revenue chart: one stacked bar per month of this year's invoices
(received, open, overdue), as hand-written SVG served as `<img>` like the fulfilment charts
(services/charts.py: our CSP blocks the `<style>` and `<script>` charting libraries write).

Each part of a bar differs by its pattern as well as its colour (never colour alone, WCAG
1.4.1), every colour has at least 3:1 contrast on white (WCAG 1.4.11), and the page shows the
same figures as a table."""

from __future__ import annotations

import hashlib
import math
from datetime import date
from html import escape

from babel.dates import format_date
from flask_babel import gettext as _

from marketplace.domain.money import format_eur
from marketplace.services.charts import (
    TEXT,
    chart_locale,
    euro_gridlines,
    svg_start,
    tick_step,
)
from marketplace.services.network_dashboard import Revenue

# Part of the chart's ETag: change it when the drawing changes, so browsers fetch the new look.
CHART_FORMAT = 1
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 92, 20, 24, 74
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Bottom to top: what was received, what is open and not yet due, what is overdue.
PARTS = (
    ("paid_cents", "#0b5e55", None),
    ("open_not_overdue_cents", "#0a4f8f", "hatch"),
    ("overdue_cents", "#b00020", "dots"),
)
PATTERNS = (
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<rect width="3" height="6" fill="#0a4f8f"/></pattern>'
    '<pattern id="dots" width="5" height="5" patternUnits="userSpaceOnUse">'
    '<rect width="5" height="5" fill="#b00020"/><circle cx="2.5" cy="2.5" r="1.2" '
    'fill="#ffffff"/></pattern>'
)


def _names() -> dict[str, str]:
    return {
        "paid_cents": _("Received"),
        "open_not_overdue_cents": _("Open, not yet due"),
        "overdue_cents": _("Overdue"),
    }


def title(revenue: Revenue) -> str:
    return _("Membership fees invoiced in %(year)d, by month", year=revenue.year)


def summary(revenue: Revenue, locale: str | None = None) -> str:
    """One sentence with the year's totals: the image's alt text and the SVG's <desc>."""
    locale = locale or chart_locale()
    total = revenue.total
    return _(
        "%(invoiced)s invoiced in %(year)d: %(paid)s received, %(open)s open, of which "
        "%(overdue)s overdue.",
        invoiced=format_eur(total.invoiced_cents, locale),
        year=revenue.year,
        paid=format_eur(total.paid_cents, locale),
        open=format_eur(total.open_cents, locale),
        overdue=format_eur(total.overdue_cents, locale),
    )


def version(revenue: Revenue, locale: str) -> str:
    """The chart's ETag: the figures it is drawn from (one grouped statement, cheaper than
    drawing and sending it), its year and language. Being the figures themselves, it cannot
    go stale."""
    parts = [CHART_FORMAT, revenue.year, locale]
    parts += [
        f"{m.invoiced_cents},{m.paid_cents},{m.open_cents},{m.overdue_cents}"
        for m in revenue.months
    ]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def svg(revenue: Revenue) -> str:
    """The chart as a standalone SVG document (no scripts, no style element)."""
    locale = chart_locale()
    names = _names()
    peak = max([100000] + [m.paid_cents + m.open_cents for m in revenue.months])
    peak += peak // 20
    step = tick_step(peak)
    top = step * math.ceil(peak / step)
    slot = PLOT_W / 12
    bar = slot * 0.6

    def y(cents: int) -> float:
        return TOP + PLOT_H * (1 - cents / top)

    out = svg_start(WIDTH, HEIGHT, title(revenue), summary(revenue, locale), PATTERNS)
    out += euro_gridlines(top, step, y, LEFT, LEFT + PLOT_W, locale)
    for i, month in enumerate(revenue.months):
        x = LEFT + slot * i + (slot - bar) / 2
        base = 0
        for key, colour, pattern in PARTS:
            cents = max(getattr(month, key), 0)
            if cents:
                fill = f"url(#{pattern})" if pattern else colour
                out.append(
                    f'<rect x="{x:.1f}" y="{y(base + cents):.1f}" width="{bar:.1f}" '
                    f'height="{y(base) - y(base + cents):.1f}" fill="{fill}" '
                    f'stroke="{colour}" stroke-width="1"/>'
                )
                base += cents
        label = format_date(date(revenue.year, month.month, 1), "MMM", locale=locale)
        out.append(
            f'<text x="{LEFT + slot * i + slot / 2:.1f}" y="{TOP + PLOT_H + 18}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    for i, (key, colour, pattern) in enumerate(PARTS):
        lx, ly = LEFT + i * 180, HEIGHT - 22
        fill = f"url(#{pattern})" if pattern else colour
        out.append(
            f'<rect x="{lx}" y="{ly - 11}" width="14" height="14" fill="{fill}" '
            f'stroke="{colour}" stroke-width="1"/>'
            f'<text x="{lx + 22}" y="{ly}">{escape(names[key])}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
