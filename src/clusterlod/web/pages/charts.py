"""Inline SVG bar charts, drawn on the server so they need no JavaScript and no CDN."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    href: str
    values: tuple[float, ...]


def bar_chart(bars: list[Bar], series: tuple[str, ...], title: str, width: int = 760,
              scale_note: str = "max") -> str:
    """One row per item: its whole label on a line, then one bar per series in a column of its own.

    Each series has its own column and its own scale (companies are counted in thousands,
    universities in tens), and each column's heading names the series and its scale's top,
    so no bar is compared with another series' bars by length.
    """
    row, label_line, gap, top = 14, 16, 10, 30
    column = width / len(series)
    plot = column - 60
    peak = [max((b.values[i] for b in bars), default=1) or 1 for i in range(len(series))]
    height = top + (label_line + row + gap) * len(bars)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, name in enumerate(series):
        x = i * column
        parts.append(f'<rect class="s{i}" x="{x:.1f}" y="8" width="12" height="12"/>'
                     f'<text class="series" x="{x + 18:.1f}" y="18">{escape(name)} '
                     f'<tspan class="scale">({escape(scale_note)} {peak[i]:g})</tspan></text>')
    for n, bar in enumerate(bars):
        y = top + n * (label_line + row + gap)
        parts.append(f'<a href="{escape(bar.href)}"><text class="label" x="0" y="{y + 11}">'
                     f'{escape(bar.label)}</text></a>')
        for i, value in enumerate(bar.values):
            x = i * column
            length = max(1.0, plot * value / peak[i])
            yy = y + label_line
            parts.append(f'<rect class="s{i}" x="{x:.1f}" y="{yy}" width="{length:.1f}" height="{row - 2}">'
                         f'<title>{escape(series[i])}: {value:g}</title></rect>'
                         f'<text class="value" x="{x + length + 4:.1f}" y="{yy + row - 4}">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)
