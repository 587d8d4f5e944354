"""Charts as static SVG, written here: grouped bars with intervals, heatmaps and radars.

Why not a charting library: the report needs three simple kinds of chart, and the one it used (plotly) inlined 4.8 MB
of JavaScript into every report. SVG text stays text, so the page's fonts and `lang` render Thai, Khmer, Lao and
Burmese; each mark carries a <title>, so hovering shows the number and its n. Every string is escaped here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape


@dataclass
class Point:
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None


@dataclass
class Series:
    name: str
    color: str
    points: list[Point]


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12">' + "".join(body) + "</svg>"
    )


def _fmt(p: Point) -> str:
    if p.value is None:
        return "no score"
    interval = f" [{p.low:.2f}, {p.high:.2f}]" if p.low is not None and p.high is not None else ""
    return f"{p.value:.2f}{interval}" + (f" n={p.n}" if p.n is not None else "")


def bars(label: str, groups: list[str], series: list[Series], lo: float, hi: float, axis: str) -> str:
    """Grouped bars, one group per label on the x axis and one bar per series, each with its interval."""
    left, top, bottom = 48, 12, 58
    group_w = max(40, 14 * len(series) + 16, 7 * max((len(g) for g in groups), default=0) + 10)
    width = max(left + group_w * len(groups) + 10, left + _legend_width(series) + 10)
    plot_h = 240
    height = top + plot_h + bottom
    y = lambda v: top + plot_h * (1 - (v - lo) / (hi - lo))  # noqa: E731
    body = [
        f'<text x="12" y="{top + plot_h / 2}" transform="rotate(-90 12 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(axis)}</text>'
    ]
    for tick in _ticks(lo, hi):
        body.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>'
        )
    bar_w = (group_w - 16) / max(1, len(series))
    for g, group in enumerate(groups):
        x0 = left + g * group_w + 8
        for s, ser in enumerate(series):
            p = ser.points[g]
            if p.value is None:
                continue
            x = x0 + s * bar_w
            body.append(
                f'<rect x="{x:.1f}" y="{y(p.value):.1f}" width="{bar_w - 2:.1f}" height="{y(lo) - y(p.value):.1f}" '
                f'fill="{ser.color}">'
                f"<title>{escape(ser.name)} · {escape(group)}: {escape(_fmt(p))}</title></rect>"
            )
            if p.low is not None and p.high is not None:
                cx = x + (bar_w - 2) / 2
                body.append(
                    f'<path d="M{cx:.1f} {y(p.low):.1f}V{y(p.high):.1f}M{cx - 3:.1f} {y(p.low):.1f}h6M{cx - 3:.1f} '
                    f'{y(p.high):.1f}h6" '
                    f'stroke="#222" fill="none"/>'
                )
        body.append(
            f'<text x="{x0 + (group_w - 16) / 2:.1f}" y="{top + plot_h + 16}" '
            f'text-anchor="middle">{escape(group)}</text>'
        )
    body += _legend(series, left, top + plot_h + 36)
    return _svg(width, height, label, body)


def heatmap(
    label: str, rows: list[str], cols: list[str], cells: dict[tuple[str, str], Point], lo: float, hi: float
) -> str:
    """Rows × columns, each cell coloured red (lo) to green (hi) with its mean and n written in it."""
    left, top, cw, ch = 110, 24, 64, 34
    width, height = left + cw * len(cols) + 10, top + ch * len(rows) + 10
    body = [
        f'<text x="{left + i * cw + cw / 2}" y="{top - 8}" text-anchor="middle">{escape(c)}</text>'
        for i, c in enumerate(cols)
    ]
    for r, row in enumerate(rows):
        body.append(f'<text x="{left - 6}" y="{top + r * ch + ch / 2 + 4}" text-anchor="end">{escape(row)}</text>')
        for c, col in enumerate(cols):
            p = cells.get((row, col))
            if p is None or p.value is None:
                continue
            x, yy = left + c * cw, top + r * ch
            body.append(
                f'<rect x="{x}" y="{yy}" width="{cw - 2}" height="{ch - 2}" fill="{_ramp((p.value - lo) / (hi - lo))}">'
                f"<title>{escape(row)} · {escape(col)}: {escape(_fmt(p))}</title></rect>"
                f'<text x="{x + cw / 2 - 1}" y="{yy + ch / 2 + 1}" text-anchor="middle">{p.value:.1f}</text>'
                + (
                    f'<text x="{x + cw / 2 - 1}" y="{yy + ch / 2 + 12}" text-anchor="middle" font-size="9" '
                    f'fill="#333">n={p.n}</text>'
                    if p.n is not None
                    else ""
                )
            )
    return _svg(width, height, label, body)


def radar(label: str, axes: list[str], series: list[Series], lo: float, hi: float) -> str:
    """One polygon per series over the axes (FastChat and SeaLLMs show categories and languages this way)."""
    size, radius = 360, 120
    cx, cy = size / 2, 150
    angle = lambda i: -math.pi / 2 + 2 * math.pi * i / max(1, len(axes))  # noqa: E731

    def at(i: int, v: float) -> tuple[float, float]:
        r = radius * (v - lo) / (hi - lo)
        return cx + r * math.cos(angle(i)), cy + r * math.sin(angle(i))

    body = []
    for tick in _ticks(lo, hi)[1:]:
        ring = " ".join(f"{at(i, tick)[0]:.1f},{at(i, tick)[1]:.1f}" for i in range(len(axes)))
        body.append(f'<polygon points="{ring}" fill="none" stroke="#e5e5e5"/>')
    for i, name in enumerate(axes):
        x, y = at(i, hi)
        lx, ly = at(i, hi + (hi - lo) * 0.14)
        body.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle">{escape(name)}</text>'
        )
    for k, ser in enumerate(series):
        pts = [(i, p.value) for i, p in enumerate(ser.points) if p.value is not None]
        if not pts:
            continue
        poly = " ".join(f"{at(i, v)[0]:.1f},{at(i, v)[1]:.1f}" for i, v in pts)
        # a dash pattern and a marker shape per series, so lines part without colour
        body.append(
            f'<polygon points="{poly}" fill="{ser.color}" fill-opacity="0.08" stroke="{ser.color}" stroke-width="2" '
            f'stroke-dasharray="{DASHES[k % len(DASHES)]}"/>'
        )
        for i, v in pts:
            x, y = at(i, v)
            body.append(_marker(k, x, y, ser.color, f"{ser.name} · {axes[i]}: {_fmt(ser.points[i])}"))
    body += _legend(series, 10, 318, markers=True)
    return _svg(size, 340, label, body)


def lines(label: str, xs: list[int], series: list[Series], lo: float, hi: float, axis: str, x_axis: str) -> str:
    """One line per series over numeric x positions (a checkpoint's step), each point with its interval as a whisker
    and its value on hover; a point with no value breaks its line. Markers and dashes tell series apart without
    colour."""
    left, top, bottom, right = 48, 12, 70, 24
    width = max(left + 60 * len(xs) + right, left + _legend_width(series) + right, 420)
    plot_h = 240
    height = top + plot_h + bottom
    x_lo, x_hi = min(xs), max(xs)
    x = lambda v: left + (width - left - right) * ((v - x_lo) / (x_hi - x_lo) if x_hi > x_lo else 0.5)  # noqa: E731
    y = lambda v: top + plot_h * (1 - (v - lo) / (hi - lo))  # noqa: E731
    body = [
        f'<text x="12" y="{top + plot_h / 2}" transform="rotate(-90 12 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(axis)}</text>',
        f'<text x="{(left + width - right) / 2:.0f}" y="{top + plot_h + 34}" '
        f'text-anchor="middle">{escape(x_axis)}</text>',
    ]
    for tick in _ticks(lo, hi):
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e5e5e5"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="#555">{tick:g}</text>'
        )
    for step in xs:
        body.append(f'<text x="{x(step):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#555">{step:g}</text>')
    for k, s in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for step, p in zip(xs, s.points):
            if p.value is None:
                runs.append([])
                continue
            runs[-1].append((x(step), y(p.value)))
            if p.low is not None and p.high is not None:
                body.append(
                    f'<line x1="{x(step):.1f}" x2="{x(step):.1f}" y1="{y(p.low):.1f}" y2="{y(p.high):.1f}" '
                    f'stroke="{s.color}" stroke-width="1.5" opacity="0.6"/>'
                )
            body.append(_marker(k, x(step), y(p.value), s.color, f"{s.name}, {x_axis} {step:g}: {_fmt(p)}"))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
                body.append(
                    f'<polyline points="{points}" fill="none" stroke="{s.color}" stroke-width="2" '
                    f'stroke-dasharray="{DASHES[k % len(DASHES)]}"/>'
                )
    body += _legend(series, left, top + plot_h + 60, markers=True)
    return _svg(width, height, label, body)


def _legend_width(series: list[Series]) -> int:
    return sum(24 + 7 * len(s.name) for s in series)


DASHES = ["none", "6 3", "2 3", "8 3 2 3", "4 4", "1 2"]


def _marker(k: int, x: float, y: float, color: str, title: str) -> str:
    """Circle, square, triangle, diamond…: the k-th series' marker, with its value on hover."""
    tip = f"<title>{escape(title)}</title>"
    shape = k % 4
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}">{tip}</circle>'
    if shape == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{color}">{tip}</rect>'
    d = 5
    points = (
        [(x, y - d), (x + d, y + d * 0.8), (x - d, y + d * 0.8)]
        if shape == 2
        else [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    )
    return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in points)}" fill="{color}">{tip}</polygon>'


def _legend(series: list[Series], x: float, y: float, markers: bool = False) -> list[str]:
    out, pos = [], x
    for k, s in enumerate(series):
        out.append(
            _marker(k, pos + 5, y - 4, s.color, s.name)
            if markers
            else f'<rect x="{pos:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{s.color}"/>'
        )
        out.append(f'<text x="{pos + 14:.0f}" y="{y:.0f}">{escape(s.name)}</text>')
        pos += 24 + 7 * len(s.name)
    return out


@dataclass
class Share:
    """One cell of a win/tie/loss grid."""

    wins: int
    ties: int
    losses: int
    rate: float | None
    low: float | None
    high: float | None
    n: int


def win_grid(label: str, rows: list[str], cols: list[str], cells: dict[tuple[str, str], Share]) -> str:
    """Rows × columns of win / tie / loss bars (green, grey, red), the win rate's 95% interval as a whisker, and a
    line at 0.5 where a model ties the baseline: the seed's figure, one cell per language × category."""
    left, top, cw, ch = 70, 24, 104, 40
    bar = cw - 14
    width, height = left + cw * len(cols) + 10, top + ch * len(rows) + 44
    body = [
        f'<text x="{left + i * cw + cw / 2}" y="{top - 8}" text-anchor="middle">{escape(c)}</text>'
        for i, c in enumerate(cols)
    ]
    for r, row in enumerate(rows):
        body.append(f'<text x="{left - 6}" y="{top + r * ch + ch / 2}" text-anchor="end">{escape(row)}</text>')
        for c, col in enumerate(cols):
            cell = cells.get((row, col))
            if cell is None or cell.n == 0:
                continue
            x, y = left + c * cw + 4, top + r * ch + 4
            played = cell.wins + cell.ties + cell.losses or 1
            pos = float(x)
            for count, shade in ((cell.wins, "#1a9850"), (cell.ties, "#bdbdbd"), (cell.losses, "#d73027")):
                w = bar * count / played
                body.append(f'<rect x="{pos:.1f}" y="{y}" width="{w:.1f}" height="14" fill="{shade}"/>')
                pos += w
            tip = (
                f"{row} · {col}: {cell.wins} won, {cell.ties} tied, {cell.losses} lost; win rate "
                + (f"{cell.rate:.2f}" if cell.rate is not None else "–")
                + (f" [{cell.low:.2f}, {cell.high:.2f}]" if cell.low is not None and cell.high is not None else "")
                + f" n={cell.n}"
            )
            body.append(
                f'<rect x="{x}" y="{y}" width="{bar}" height="14" fill="none" '
                f'stroke="#666"><title>{escape(tip)}</title></rect>'
                f'<line x1="{x + bar / 2}" x2="{x + bar / 2}" y1="{y - 2}" y2="{y + 16}" stroke="#000" '
                f'stroke-dasharray="2 2"/>'
            )
            if cell.low is not None and cell.high is not None:
                body.append(
                    f'<path d="M{x + bar * cell.low:.1f} {y + 21}H{x + bar * cell.high:.1f}M{x + bar * cell.low:.1f} '
                    f"{y + 18}v6"
                    f'M{x + bar * cell.high:.1f} {y + 18}v6" stroke="#222" fill="none"/>'
                )
            if cell.rate is not None:
                body.append(
                    f'<circle cx="{x + bar * cell.rate:.1f}" cy="{y + 21}" r="2.5" fill="#222"/>'
                    f'<text x="{x + bar + 2}" y="{y + 25}" font-size="9" text-anchor="start">{cell.rate:.2f}</text>'
                )
    legend_y = top + ch * len(rows) + 18
    for i, (name, shade) in enumerate((("won", "#1a9850"), ("tied", "#bdbdbd"), ("lost", "#d73027"))):
        body.append(
            f'<rect x="{left + i * 70}" y="{legend_y - 9}" width="10" height="10" fill="{shade}"/>'
            f'<text x="{left + i * 70 + 14}" y="{legend_y}">{name}</text>'
        )
    body.append(
        f'<text x="{left}" y="{legend_y + 16}" font-size="10">dot and whisker: win rate and its 95% interval · dashed: '
        f"a tie</text>"
    )
    return _svg(width, height, label, body)


def _ticks(lo: float, hi: float) -> list[float]:
    """About five round ticks from lo to hi (lo itself first, so a radar's rings start at its centre)."""
    raw = (hi - lo) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks = [lo] if first - lo > 1e-9 else []
    return ticks + [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _ramp(t: float) -> str:
    """Red → yellow → green, for t in [0, 1]."""
    t = min(1.0, max(0.0, t))
    stops = [(0.0, (215, 48, 39)), (0.5, (254, 224, 139)), (1.0, (26, 152, 80))]
    for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in zip(c0, c1))
    return "#1a9850"
