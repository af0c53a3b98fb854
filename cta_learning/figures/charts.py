"""Bar charts drawn on the server as inline SVG: no script, nothing from another host.

A chart is a list of rows (a label and one value per series), drawn as horizontal bars,
grouped (one bar per series) or stacked (the series end to end). Its label lines are wrapped
here, since SVG text does not wrap: the drawing is narrow (WIDTH user units), so that scaled to
a phone's width its text stays readable, and scaled up on a wide screen it stays in proportion.
The same rows give the chart's text alternative (<title> and <desc>) and its data table.
Right to left (an Arabic page), the drawing is mirrored: bars grow from the right edge, texts
start there (the svg's direction="rtl" anchors each text at its right end).
"""

import textwrap
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from cta_learning import languages
from cta_learning.figures.operations import SUPPRESSED_UNDER

WIDTH = 360
FONT = 13
LINE = 16  # height of a line of text
BAR = 12  # thickness of a bar
GAP = 10  # between rows
LABEL_CHARACTERS = 50  # per line: about WIDTH at FONT in a proportional font
VALUE_ROOM = 64  # right of the longest bar, for its value
# Distinct for most colour blindness (Okabe-Ito), dark enough for white gaps between them.
COLOURS = ("#0b5394", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#545c66")


@dataclass
class Row:
    key: str  # a code (year, region, country, priority id…), for JSON and CSV
    label: str
    values: list[int | None]  # None: not shown ("fewer than 5")


@dataclass
class Chart:
    key: str  # the id of the chart's section, and of its CSV rows
    title: str
    series: list[tuple[str, str]]  # (key, name) per value of each row
    rows: list[Row]
    stacked: bool = False
    note: str = ""  # what the reader should know (which filters apply, suppression)
    table_only: list[Row] = field(default_factory=list)  # rows of the table, not drawn

    @property
    def table_rows(self) -> list[Row]:
        return self.rows + self.table_only

    def svg(self) -> Markup:
        return draw(self)


def number(value: int | None) -> str:
    """A count in the reader's language, or "fewer than 5" for a suppressed one."""
    if value is None:
        return _("fewer than %(number)d", number=SUPPRESSED_UNDER)
    return format_decimal(value)


def _lines(label: str) -> list[str]:
    return textwrap.wrap(label, LABEL_CHARACTERS, break_long_words=True) or [""]


def _description(chart: Chart) -> str:
    """The chart in words: each row's label and values."""
    parts = []
    for row in chart.table_rows:
        values = [
            f"{name} {number(value)}" if len(chart.series) > 1 else number(value)
            for (_key, name), value in zip(chart.series, row.values, strict=True)
        ]
        parts.append(f"{row.label}: {', '.join(values)}")
    return "; ".join(parts) if parts else _("No data for these filters.")


def _mirrored() -> bool:
    return languages.reading_direction() == "rtl"


def _text(x: float, y: float, content: str, css: str = "") -> str:
    """A text starting `x` from the start edge (the left, or the right when mirrored)."""
    x = WIDTH - x if _mirrored() else x
    css_class = f' class="{css}"' if css else ""
    return f'<text x="{x:g}" y="{y:g}" font-size="{FONT}"{css_class}>{escape(content)}</text>'


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    """A box `x` from the start edge (the left, or the right when mirrored)."""
    x = WIDTH - x - width if _mirrored() else x
    return f'<rect x="{x:g}" y="{y:g}" width="{width:.1f}" height="{height:g}" fill="{colour}"/>'


def _legend(chart: Chart, y: float) -> tuple[list[str], float]:
    if len(chart.series) < 2:
        return [], y
    parts = []
    for index, (_key, name) in enumerate(chart.series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(_rect(0, y + 2, BAR, BAR, colour))
        parts.append(_text(BAR + 6, y + BAR, name))
        y += LINE
    return parts, y + GAP / 2


def draw(chart: Chart) -> Markup:
    """The chart as an <svg> element with role="img", <title> and <desc>."""
    title_id, desc_id = f"chart-{chart.key}-title", f"chart-{chart.key}-desc"
    totals = [
        sum(v or 0 for v in row.values)
        if chart.stacked
        else max((v or 0 for v in row.values), default=0)
        for row in chart.rows
    ]
    largest = max(totals, default=0) or 1
    scale = (WIDTH - VALUE_ROOM) / largest
    parts, y = _legend(chart, 0)
    for row, total in zip(chart.rows, totals, strict=True):
        for line in _lines(row.label):
            y += LINE
            parts.append(_text(0, y - 4, line))
        x = 0.0
        for index, value in enumerate(row.values):
            colour = COLOURS[index % len(COLOURS)]
            length = (value or 0) * scale
            if value:
                parts.append(_rect(x, y + 1, max(length, 1), BAR, colour))
            if chart.stacked:
                x += length
            else:
                parts.append(_text(length + 4, y + BAR, number(value), "value"))
                y += BAR + 3
        if chart.stacked:
            parts.append(_text(x + 4, y + BAR, number(total), "value"))
            y += BAR + 3
        y += GAP
    if not chart.rows:
        y += LINE
        parts.append(_text(0, y - 4, _("No data for these filters.")))
    height = max(y, LINE)
    direction, align = ("rtl", "xMax") if _mirrored() else ("ltr", "xMin")
    svg = (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height:g}" width="100%" '
        f'preserveAspectRatio="{align}YMin meet" direction="{direction}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(_description(chart))}</desc>' + "".join(parts) + "</svg>"
    )
    return Markup(svg)  # noqa: S704 - every text in it is escaped above
