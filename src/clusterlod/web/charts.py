"""Inline SVG bar charts, drawn on the server so they need no JavaScript and no CDN."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    href: str
    values: tuple[float, ...]


def bar_chart(bars: list[Bar], series: tuple[str, ...], title: str, width: int = 760) -> str:
    """Horizontal grouped bars, one row per item, one colour per series, with a legend."""
    label_width, row, gap, top = 300, 14, 8, 28
    group = row * len(series) + gap
    height = top + group * len(bars) + 8
    peak = [max((b.values[i] for b in bars), default=1) or 1 for i in range(len(series))]
    plot = width - label_width - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for i, name in enumerate(series):
        x = label_width + i * 150
        parts.append(f'<rect class="s{i}" x="{x}" y="6" width="12" height="12"/>'
                     f'<text x="{x + 18}" y="16">{escape(name)}</text>')
    for n, bar in enumerate(bars):
        y = top + n * group
        label = escape(bar.label if len(bar.label) <= 28 else bar.label[:27] + "…")
        parts.append(f'<a href="{escape(bar.href)}"><text class="label" x="{label_width - 8}" '
                     f'y="{y + row * len(series) / 2 + 4}" text-anchor="end">{label}'
                     f'<title>{escape(bar.label)}</title></text></a>')
        for i, value in enumerate(bar.values):
            # Each series gets its own scale: companies are counted in thousands, universities in tens.
            length = max(1.0, plot * value / peak[i])
            yy = y + i * row
            parts.append(f'<rect class="s{i}" x="{label_width}" y="{yy}" width="{length:.1f}" height="{row - 2}">'
                         f'<title>{escape(series[i])}: {value:g}</title></rect>'
                         f'<text class="value" x="{label_width + length + 4:.1f}" y="{yy + row - 4}">{value:g}</text>')
    parts.append("</svg>")
    return "".join(parts)
