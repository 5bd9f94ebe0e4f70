"""The career overview's plots: inline SVG drawn on the server with pygal.

Why pygal: a pure-Python SVG plotting library, maintained (3.x), with no dependency of its own
beyond the standard library; the SVG is written into the page by the app, so the page loads no
chart script, no CDN and no font (``js=[]``: pygal's optional tooltip script is left out). Each
plot comes with a table of the same data in the template, for screen readers and for reading
exact values; the SVG itself is labelled (``role="img"``, ``aria-label``).

Series are drawn as steps: a level holds from the date it was established until it changes.
Undated observations (held from before the record starts) sit one year before the first date.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

__all__ = ["coverage_chart", "group_chart", "radar_chart"]

#: Colours of the series on white: each at least 3:1 (WCAG non-text contrast).
COLOURS = ("#1f5fa8", "#b3430e", "#2b7a2b", "#7a3e9d", "#8a6d00", "#0e7c7b", "#b0245f", "#4a4a4a")
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f1f1f",
    foreground_strong="#1f1f1f",
    foreground_subtle="#595959",
    opacity="0.9",
    opacity_hover="1",
    colors=COLOURS,
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
)
MAX_SERIES = len(COLOURS)

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
Point = tuple[dt.date | None, float | None]


def _year(date: dt.date) -> float:
    return date.year + (date.timetuple().tm_yday - 1) / 366


def _config() -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 760,
        "height": 360,
        "show_dots": True,
        "dots_size": 3,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2,
        "truncate_legend": 40,
        "x_value_formatter": lambda x: str(int(x)) if x == int(x) else f"{x:.1f}",
    }


def _first_year(series: Sequence[Sequence[Point]]) -> float:
    dated = [_year(d) for points in series for d, _ in points if d is not None]
    return float(int(min(dated))) - 1 if dated else float(dt.date.today().year - 1)


def _steps(points: Sequence[Point], start: float, end: float) -> list[tuple[float, float | None]]:
    """The points as a step line: each value held until the next point's date, then to ``end``."""
    line: list[tuple[float, float | None]] = []
    for date, value in points:
        x = start if date is None else _year(date)
        if line:
            line.append((x, line[-1][1]))
        line.append((x, value))
    if line:
        line.append((end, line[-1][1]))
    return line


def _svg(chart: pygal.graph.graph.Graph, label: str) -> str:
    # pygal writes its tooltip configuration as an inline script even without its script:
    # nothing reads it here, so it is left out.
    svg = _SCRIPT.sub("", str(chart.render(is_unicode=True)))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def _xy(series: dict[str, list[Point]], *, label: str, y_title: str, top: float) -> str:
    chosen = dict(list(series.items())[:MAX_SERIES])
    start = _first_year(list(chosen.values()))
    end = _year(dt.date.today())
    # No dots on the step lines: each change shows as a step, the table has the values, and a
    # dot's tooltip data (without pygal's script nothing shows it) was half of the drawing time.
    config = _config() | {"show_dots": False}
    chart = pygal.XY(
        **config, range=(0, top), y_title=y_title, x_title="year", xrange=(start, end + 0.01)
    )
    for name, points in chosen.items():
        chart.add(name, _steps(points, start, end))
    return _svg(chart, label)


def group_chart(series: dict[str, list[Point]]) -> str:
    """Mean stated level (1-8) of each skill group over time, as an SVG string."""
    return _xy(series, label="Competence by skill group over time", y_title="mean level", top=8)


def coverage_chart(series: dict[str, list[Point]]) -> str:
    """Covered share (%) of each target occupation's essential skills over time, as SVG."""
    return _xy(
        series, label="Coverage of target occupations over time", y_title="% covered", top=100
    )


def radar_chart(skills: Sequence[str], held: Sequence[int], required: Sequence[int]) -> str:
    """The level held against the level required per essential skill, as an SVG radar."""
    chart = pygal.Radar(**_config(), range=(0, 8), fill=False)
    chart.x_labels = [s if len(s) <= 28 else s[:27] + "…" for s in skills]
    chart.add("level held", list(held))
    chart.add("level required (1: any)", list(required))
    return _svg(chart, "Skills held against a target occupation")
