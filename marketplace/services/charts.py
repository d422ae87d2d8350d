"""Fulfilment charts as hand-written SVG, served as `<img>` and embedded in the PDF reports.

Why plain SVG: our CSP blocks the inline `<style>` and `<script>` that charting libraries write,
and an image file needs neither; WeasyPrint draws the very same bytes in the PDF (one code path).
Only presentation attributes (fill, stroke, ...) are used, never a `<style>` element.

What is drawn (docs/domain.md "Fulfilment status"): approved value as a step line from the
fulfilment snapshots (written only on days something changed, so each value holds until the next
snapshot and the last one is extended to today), approved plus pending as a lighter dashed step
line, the expected value growing from 0 at the start to the obligation at the end, and the
obligation as a horizontal reference line.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext
from html import escape

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from marketplace.domain.fulfilment import elapsed_ramp, fulfilment_status
from marketplace.domain.money import format_eur, round_half_up
from marketplace.extensions import db
from marketplace.models import AuditLog, Contract, FulfilmentSnapshot, Organisation
from marketplace.services import fulfilment

# Part of the chart's ETag: change it when the drawing changes, so browsers fetch the new look.
CHART_FORMAT = 1
WIDTH, HEIGHT = 640, 340
LEFT, RIGHT, TOP, BOTTOM = 92, 40, 28, 92
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
FONT = "Noto Sans, DejaVu Sans, Arial, sans-serif"
TEXT = "#1c1c1c"
GRID = "#d9dfde"
# Each line differs by dash pattern as well as colour (never colour alone, WCAG 1.4.1); every
# colour has at least 3:1 contrast on white (WCAG 1.4.11).
STYLES = {
    "approved": {"stroke": "#0b5e55", "stroke-width": "3"},
    "with_pending": {"stroke": "#4f8f86", "stroke-width": "2", "stroke-dasharray": "7 4"},
    "expected": {"stroke": "#0a4f8f", "stroke-width": "1.5"},
    "obligation": {"stroke": "#a15c00", "stroke-width": "2", "stroke-dasharray": "2 3"},
}


@dataclass(frozen=True)
class ChartRow:
    """One line of the chart's text alternative: the figures on a day."""

    on: date
    approved_cents: int
    pending_cents: int
    expected_cents: int


@dataclass(frozen=True)
class Chart:
    """What a fulfilment chart shows; `steps` are (from date, approved, pending) and hold until the
    next step, the last one until `until`; `expected` are the vertices of a straight polyline."""

    title: str
    start: date
    end: date
    today: date
    until: date
    obligation_cents: int
    steps: list[tuple[date, int, int]]
    expected: list[tuple[date, int]]
    rows: list[ChartRow]

    @property
    def now(self) -> ChartRow | None:
        return self.rows[-1] if self.rows else None


def chart_locale() -> str:
    """The Babel locale a chart's figures and dates are written in: the page's language."""
    return "nl_NL" if str(get_locale()) == "nl" else "en_GB"


def _value_on(steps: list[tuple[date, int, int]], on: date) -> tuple[int, int]:
    """Approved and pending on a day: the last step on or before it (0 before the first)."""
    i = bisect_right([s[0] for s in steps], on)
    return (steps[i - 1][1], steps[i - 1][2]) if i else (0, 0)


def contract_chart(contract: Contract, today: date) -> Chart:
    """The chart of one contract, from its snapshots (one query)."""
    snaps = fulfilment.snapshots_of(contract.id)
    steps = [(s.on_date, s.approved_cents, s.pending_cents) for s in snaps]
    start = min([contract.start_date] + [s[0] for s in steps[:1]])
    end = max([contract.end_date, start + timedelta(days=1)] + [s[0] for s in steps[-1:]])

    def expected_on(on: date) -> int:
        return fulfilment_status(
            contract.obligation_cents,
            0,
            0,
            contract.start_date,
            contract.end_date,
            on,
            obligation_status=contract.obligation_status,
        ).expected_cents

    corners = sorted({start, contract.start_date, contract.end_date, end})
    return Chart(
        title=_("Social return of %(ref)s over time", ref=contract.reference),
        start=start,
        end=end,
        today=today,
        until=_until(steps, today, end),
        obligation_cents=contract.obligation_cents,
        steps=steps,
        expected=[(d, expected_on(d)) for d in corners],
        rows=_rows(steps, [s[0] for s in steps], today, expected_on),
    )


def authority_chart(authority: Organisation, today: date, selection: Select | None = None) -> Chart:
    """All of an authority's contracts together: two queries, whatever the number of contracts.
    `selection` (a select of contract ids) narrows it, e.g. to the contracts of a year's report,
    so that the report's chart states the same obligation as its totals.

    Snapshots hold a contract's value until its next snapshot, so the totals are summed in SQL as
    changes (each snapshot minus the contract's previous one) per day, then accumulated. The total
    expected is Σ obligation × elapsed, computed exactly and rounded once per day shown, so it may
    differ by a few cents from the sum of the rounded per-contract figures."""
    chosen = Contract.authority_id == authority.id
    if selection is not None:
        chosen = chosen & Contract.id.in_(selection)
    terms = (
        db.session.execute(
            select(Contract.obligation_cents, Contract.start_date, Contract.end_date).where(chosen)
        )
        .tuples()
        .all()
    )
    snap = FulfilmentSnapshot
    order = {"partition_by": snap.contract_id, "order_by": snap.on_date}
    changes = (
        select(
            snap.on_date,
            (snap.approved_cents - func.lag(snap.approved_cents, 1, 0).over(**order)).label("a"),
            (snap.pending_cents - func.lag(snap.pending_cents, 1, 0).over(**order)).label("p"),
        )
        .join(Contract, Contract.id == snap.contract_id)
        .where(chosen)
        .subquery()
    )
    steps: list[tuple[date, int, int]] = []
    approved = pending = 0
    for on, da, dp in db.session.execute(
        select(changes.c.on_date, func.sum(changes.c.a), func.sum(changes.c.p))
        .group_by(changes.c.on_date)
        .order_by(changes.c.on_date)
    ):
        approved, pending = approved + int(da), pending + int(dp)
        steps.append((on, approved, pending))
    dates = [t[1] for t in terms] + [s[0] for s in steps[:1]]
    start = min(dates, default=today)
    end = max([t[2] for t in terms] + [s[0] for s in steps[-1:]], default=today)
    end = max(end, start + timedelta(days=1))
    vertices = sorted({start, end, *(t[1] for t in terms), *(t[2] for t in terms)})
    if len(vertices) > 240:  # thousands of contracts: months are fine enough for a line
        vertices = sorted({start, end, *_month_starts(start, end, 1)})
    shown = [d for d in _month_starts(start, end, 3) if d <= today]
    days = sorted({*vertices, *shown, today})
    expected = dict(zip(days, _expected_totals(terms, days), strict=True))
    return Chart(
        title=_("Social return of all contracts of %(org)s", org=authority.name),
        start=start,
        end=end,
        today=today,
        until=_until(steps, today, end),
        obligation_cents=sum(t[0] for t in terms),
        steps=steps,
        expected=[(d, expected[d]) for d in vertices],
        rows=_rows(steps, shown, today, expected.__getitem__),
    )


def authority_chart_version(authority: Organisation, today: date, locale: str) -> str:
    """A fingerprint of everything the authority's chart is drawn from, without drawing it: the
    image's ETag, so a browser that has it gets 304 instead of the whole computation.

    Two statements, index lookups and one sum over the authority's snapshots (a few ms at 5,000
    contracts): the snapshots' number, newest id and summed figures (a recompute that changes a
    figure replaces that day's snapshot; SQLite may give the new row the old id, the sums differ),
    the newest audit row of the authority's contracts (registering or editing one changes the
    obligation and dates the expected line is drawn from, before its recompute has run), and the
    number of contracts. The day (the expected line and the "today" marker move daily) and the
    language (the labels) are part of it too."""
    snap = FulfilmentSnapshot
    own = select(Contract.id).where(Contract.authority_id == authority.id)
    snapshots = select(
        func.count(), func.max(snap.id), func.sum(snap.approved_cents), func.sum(snap.pending_cents)
    ).where(snap.contract_id.in_(own))
    newest_edit = select(func.max(AuditLog.id)).where(
        AuditLog.object_type == "Contract", AuditLog.object_id.in_(own)
    )
    contracts = select(func.count()).select_from(own.subquery())
    figures = db.session.execute(snapshots).one()
    edit, count = db.session.execute(
        select(newest_edit.scalar_subquery(), contracts.scalar_subquery())
    ).one()
    parts = [CHART_FORMAT, authority.id, today.isoformat(), locale, *figures, edit, count]
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _until(steps: list[tuple[date, int, int]], today: date, end: date) -> date:
    """How far the realised line reaches: today, but not past the chart's end."""
    first = steps[0][0] if steps else today
    return min(max(today, first), end)


def _rows(steps, dates: list[date], today: date, expected_on) -> list[ChartRow]:
    """Table rows on the given days up to today, and today itself last."""
    days = sorted({d for d in dates if d < today} | {today})
    return [ChartRow(d, *_value_on(steps, d), expected_on(d)) for d in days]


def _expected_totals(terms: list[tuple[int, date, date]], days: list[date]) -> list[int]:
    """Σ obligation × elapsed(day) over contracts (docs/domain.md elapsed), for sorted `days`.

    Each contract's share is the domain's ramp (`elapsed_ramp`: 0, rising evenly, then 1), so a
    sweep over where ramps rise and end keeps it linear in the number of contracts: between those
    days the total is slope × day + constant. Decimals with 50 digits instead of Fractions, whose
    denominators grow with every contract: the error stays far below a cent."""
    with localcontext(Context(prec=50)):
        events: list[tuple[int, Decimal, Decimal]] = []
        for obligation, start, end in terms:
            if not obligation:
                continue
            rises_from, full_on = elapsed_ramp(start, end)
            s, e = rises_from.toordinal(), full_on.toordinal()
            rate = Decimal(obligation) / (e - s)
            events.append((s, rate, -rate * s))
            events.append((e, -rate, rate * s + obligation))
        events.sort(key=lambda e: e[0])
        slope = constant = Decimal(0)
        i, out = 0, []
        for day in days:
            t = day.toordinal()
            while i < len(events) and events[i][0] <= t:
                slope, constant = slope + events[i][1], constant + events[i][2]
                i += 1
            out.append(round_half_up(slope * t + constant))
        return out


def _month_starts(start: date, end: date, every: int) -> list[date]:
    """First days of months within [start, end], every `every` months counted from January of
    year 0, so a step of 24 or 60 months marks every second or fifth January, not each one."""
    out = []
    year, month = start.year, start.month
    while True:
        d = date(year, month, 1)
        if d > end:
            return out
        if d >= start and (year * 12 + month - 1) % every == 0:
            out.append(d)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def summary(chart: Chart) -> str:
    """One sentence with the figures of today: the image's alt text and the SVG's <desc>."""
    now = chart.now or ChartRow(chart.today, 0, 0, 0)
    locale = chart_locale()
    return _(
        "On %(day)s: %(approved)s approved of an obligation of %(obligation)s; "
        "%(pending)s awaiting a decision; expected by now %(expected)s.",
        day=format_date(now.on, "d MMMM yyyy", locale=locale),
        approved=format_eur(now.approved_cents, locale),
        obligation=format_eur(chart.obligation_cents, locale),
        pending=format_eur(now.pending_cents, locale),
        expected=format_eur(now.expected_cents, locale),
    )


def tick_step(top: int) -> int:
    """A round step in cents (1, 2, 2.5 or 5 × 10^n euros) giving at most five gridlines."""
    raw = max(top, 100) / 5
    magnitude = 10 ** int(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = int(factor * magnitude)
        if step * 5 >= top:
            return max(step - step % 100, 100)
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _month_step(start: date, end: date) -> int:
    """Months between axis labels, for at most six labels; beyond sixty years (dates may run
    from 1900 to 2199) a whole number of decades."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    steps = (1, 2, 3, 6, 12, 24, 60, 120)
    return next((s for s in steps if months / s <= 6), 120 * math.ceil(months / 720))


def _attrs(values: dict[str, str]) -> str:
    return " ".join(f'{k}="{escape(v)}"' for k, v in values.items())


def svg(chart: Chart) -> str:
    """The chart as a standalone SVG document (no scripts, no style element)."""
    locale = chart_locale()
    peak = max(
        [chart.obligation_cents, 100000]
        + [a + p for _d, a, p in chart.steps]
        + [v for _d, v in chart.expected]
    )
    peak += peak // 20  # headroom: the obligation line never sits on the frame
    step = tick_step(peak)
    top = step * math.ceil(peak / step)
    span = (chart.end - chart.start).days

    def x(d: date) -> float:
        return LEFT + PLOT_W * (d - chart.start).days / span

    def y(cents: int) -> float:
        return TOP + PLOT_H * (1 - cents / top)

    out = svg_start(WIDTH, HEIGHT, chart.title, summary(chart))
    out += euro_gridlines(top, step, y, LEFT, LEFT + PLOT_W, locale)
    every = _month_step(chart.start, chart.end)
    pattern = "yyyy" if every >= 12 else "MMM yyyy"
    for d in _month_starts(chart.start, chart.end, every):
        out.append(
            f'<line x1="{x(d):.1f}" x2="{x(d):.1f}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H + 5}" '
            f'stroke="{TEXT}" stroke-width="1"/>'
            f'<text x="{x(d):.1f}" y="{TOP + PLOT_H + 19}" text-anchor="middle">'
            f"{escape(format_date(d, pattern, locale=locale))}</text>"
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{TOP + PLOT_H}" y2="{TOP + PLOT_H}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    if chart.start <= chart.today <= chart.end:
        out.append(
            f'<line x1="{x(chart.today):.1f}" x2="{x(chart.today):.1f}" y1="{TOP}" '
            f'y2="{TOP + PLOT_H}" stroke="#767676" stroke-width="1" stroke-dasharray="4 4"/>'
            f'<text x="{x(chart.today):.1f}" y="{TOP - 8}" text-anchor="middle">'
            f"{escape(_('today'))}</text>"
        )
    if chart.obligation_cents:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + PLOT_W}" y1="{y(chart.obligation_cents):.1f}" '
            f'y2="{y(chart.obligation_cents):.1f}" fill="none" {_attrs(STYLES["obligation"])}/>'
        )
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in chart.expected)
        out.append(f'<polyline points="{points}" fill="none" {_attrs(STYLES["expected"])}/>')
    if chart.steps:
        for key, value in (("with_pending", lambda a, p: a + p), ("approved", lambda a, p: a)):
            path = [f"M{x(chart.steps[0][0]):.1f},{y(value(*chart.steps[0][1:])):.1f}"]
            for d, a, p in chart.steps[1:]:
                path.append(f"H{x(d):.1f}V{y(value(a, p)):.1f}")
            path.append(f"H{x(chart.until):.1f}")
            out.append(f'<path d="{"".join(path)}" fill="none" {_attrs(STYLES[key])}/>')
    out.extend(_legend())
    out.append("</svg>")
    return "\n".join(out)


def svg_start(width: int, height: int, title: str, desc: str, defs: str = "") -> list[str]:
    """The opening of a chart's SVG document: its size, its title and description (what a
    screen reader says of the image), optional <defs>, and a white background."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" '
        f'font-family="{FONT}" font-size="12" fill="{TEXT}">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        *([f"<defs>{defs}</defs>"] if defs else []),
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def euro_gridlines(top: int, step: int, y, left: float, right: float, locale: str) -> list[str]:
    """Horizontal gridlines every `step` cents up to `top`, labelled in whole euros on the
    left; `y` maps cents to the drawing's height."""
    out = []
    for cents in range(0, top + 1, step):
        label = re.sub(r"[.,]00$", "", format_eur(cents, locale))
        out.append(
            f'<line x1="{left}" x2="{right}" y1="{y(cents):.1f}" y2="{y(cents):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(cents) + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
    return out


def _legend() -> list[str]:
    """Two columns of two entries under the date axis, each a line sample and its name."""
    names = {
        "approved": _("Approved"),
        "with_pending": _("Approved + awaiting a decision"),
        "expected": _("Expected by the date"),
        "obligation": _("Obligation"),
    }
    out = []
    for i, (key, name) in enumerate(names.items()):
        lx = LEFT + (i % 2) * 270
        ly = HEIGHT - 44 + (i // 2) * 22
        out.append(
            f'<line x1="{lx}" x2="{lx + 28}" y1="{ly - 4}" y2="{ly - 4}" {_attrs(STYLES[key])}/>'
            f'<text x="{lx + 36}" y="{ly}">{escape(name)}</text>'
        )
    return out


def data_uri(document: str) -> str:
    """The SVG as a data: URI, so WeasyPrint embeds it without fetching anything."""
    return "data:image/svg+xml;base64," + base64.b64encode(document.encode()).decode()
