"""Server-side SVG charts: geometry computed here, drawn by the template (no JavaScript library)."""

from __future__ import annotations

from dataclasses import dataclass

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 34


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    w: float
    h: float
    label: str
    value: str
    href: str = ""


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    points: list[Point]
    gridlines: list[tuple[float, str]]  # y, label
    baseline: float
    title: str


def _nice_max(v: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if v <= step * 4:
            return float(step * 4)
    return v


def _month_label(key: str) -> str:
    y, m = key.split("-")
    return f"{int(m)}月" if m != "01" else f"{y[2:]}年1月"


def bar_chart(data: list[tuple[str, int]], title: str, href: str = "") -> Chart:
    """Bars per month; ``href`` (e.g. "/cases?month=") makes each bar a drill-down link."""
    top = _nice_max(max((v for _, v in data), default=0) or 1)
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(data))
    bars = []
    for i, (k, v) in enumerate(data):
        h = plot_h * v / top
        bars.append(Bar(LEFT + i * slot + slot * 0.15, TOP + plot_h - h, slot * 0.7, h, _month_label(k), str(v),
                        href + k if href else ""))
    grid = [(TOP + plot_h - plot_h * f, f"{top * f:g}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return Chart(W, H, bars, [], grid, TOP + plot_h, title)


def rate_chart(data: list[tuple[str, int, int]], title: str) -> Chart:
    """On-time rate per month (months without replies are left out of the line)."""
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(data))
    points = []
    for i, (k, total, ok) in enumerate(data):
        if total:
            rate = ok / total
            points.append(Point(LEFT + i * slot + slot / 2, TOP + plot_h - plot_h * rate, _month_label(k),
                                f"{rate:.0%}（{ok}/{total}）"))
    labels = [Bar(LEFT + i * slot, 0, slot, 0, _month_label(k), "") for i, (k, _, _) in enumerate(data)]
    grid = [(TOP + plot_h - plot_h * f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return Chart(W, H, labels, points, grid, TOP + plot_h, title)


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    points: list[Point]


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: list[Series]
    months: list[Bar]  # x-axis labels (x, w, label)
    gridlines: list[tuple[float, str]]
    baseline: float
    title: str


COLORS = ("#0b57d0", "#a4161a", "#2e7d32", "#8e6c00")


def rates_chart(series: list[tuple[str, list[tuple[str, int, int]]]], title: str) -> LineChart:
    """Several rates per month (label, [(YYYY-MM, denominator, numerator)]); months without data are gaps."""
    months = [k for k, _, _ in series[0][1]] if series else []
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / max(1, len(months))
    out = []
    for (label, data), color in zip(series, COLORS, strict=False):
        pts = [Point(LEFT + i * slot + slot / 2, TOP + plot_h - plot_h * ok / total, _month_label(k),
                     f"{ok / total:.0%}（{ok}/{total}）") for i, (k, total, ok) in enumerate(data) if total]
        out.append(Series(label, color, pts))
    labels = [Bar(LEFT + i * slot, 0, slot, 0, _month_label(k), "") for i, k in enumerate(months)]
    grid = [(TOP + plot_h - plot_h * f, f"{f:.0%}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return LineChart(W, H, out, labels, grid, TOP + plot_h, title)
