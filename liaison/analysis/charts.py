"""Charts as SVG text: drawn here, so reports render offline in a browser and in a PDF alike.

A chart is a small, fixed vocabulary (stacked bars over days), so plain SVG is enough; a
plotting library would add megabytes for what is a few dozen rectangles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

__all__ = ["PALETTE", "stacked_bars"]

PALETTE = ("#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f", "#2c7a3f")
"""Series colours, distinguishable in print and for the common colour-vision deficiencies."""
_WIDTH, _HEIGHT = 640, 220
_LEFT, _BOTTOM, _TOP = 56, 40, 12


def _nice_ceiling(value: int) -> int:
    """The smallest of 1, 2 or 5 times a power of ten at or above the value: a readable axis top."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def stacked_bars(
    title: str,
    days: Sequence[str],
    series: Mapping[str, Sequence[int]],
    *,
    label: str = "count",
    ticks: Sequence[str] | None = None,
) -> str:
    """An SVG of one bar per day, stacked by series, with a legend and an accessible title.

    `series` maps each series' name to one value per day, in the order of `days`; `ticks` are
    the axis labels of the days (their month and day, without it).
    """
    shown = list(ticks) if ticks is not None else [day[5:] for day in days]
    names = [name for name, values in series.items() if any(values)]
    totals = [sum(series[name][index] for name in names) for index in range(len(days))]
    top = _nice_ceiling(max(totals, default=0) or 1)
    plot_width, plot_height = _WIDTH - _LEFT - 8, _HEIGHT - _BOTTOM - _TOP
    slot = plot_width / max(len(days), 1)
    bar = max(slot * 0.7, 1.0)
    height, axis = _HEIGHT + 18 * len(names), _TOP + plot_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{_LEFT}" y1="{axis}" x2="{_WIDTH - 8}" y2="{axis}" stroke="#444"/>',
    ]
    for tick in (0, top // 2, top):
        y = _TOP + plot_height - plot_height * tick / top
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick:,}</text>'
            f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_WIDTH - 8}" y2="{y:.1f}" stroke="#ddd"/>'
        )
    for index, day in enumerate(days):
        x = _LEFT + slot * index + (slot - bar) / 2
        base = float(_TOP + plot_height)
        for colour, name in zip(PALETTE * 4, names, strict=False):
            value = series[name][index]
            if not value:
                continue
            tall = plot_height * value / top
            base -= tall
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{tall:.1f}" fill="{colour}">'
                f"<title>{escape(day)}: {escape(name)} {value:,}</title></rect>"
            )
        if len(days) <= 16 or index % max(len(days) // 8, 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{_TOP + plot_height + 16}" text-anchor="middle" '
                f'font-size="10">{escape(shown[index])}</text>'
            )
    parts.append(
        f'<text x="12" y="{_TOP + plot_height / 2:.1f}" font-size="11" '
        f'transform="rotate(-90 12 {_TOP + plot_height / 2:.1f})" text-anchor="middle">{escape(label)}</text>'
    )
    for row, (colour, name) in enumerate(zip(PALETTE * 4, names, strict=False)):
        y = _HEIGHT + 18 * row
        parts.append(
            f'<rect x="{_LEFT}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_LEFT + 18}" y="{y}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
