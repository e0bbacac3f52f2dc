"""Bar charts as plain geometry for an inline SVG (templates/statistics/_chart.html draws it).

No JavaScript and no chart library: the server knows the numbers, so it lays out the bars.
"""

import math
from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT = 1000, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 10, 26  # room for the axis labels


@dataclass
class Segment:
    band: str
    value: float
    y: float
    height: float


@dataclass
class Bar:
    label: str  # the day, as the tooltip says it
    x: float
    width: float
    total: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    bars: list[Bar]
    ticks: list[tuple[float, float]]  # (y, value) of the horizontal grid lines
    day_labels: list[tuple[float, str]]  # (x, text) under the axis
    bands: list[str]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT

    @property
    def bottom_y(self) -> float:
        return self.height - BOTTOM

    @property
    def empty(self) -> bool:
        return not any(bar.total for bar in self.bars)


def nice_step(top: float, lines: int = 4) -> float:
    """A round grid step (1, 2 or 5 × 10ⁿ) giving about `lines` lines up to `top`."""
    if top <= 0:
        return 1
    raw = top / lines
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def stacked_bars(
    days: list[date],
    values: list[dict[str, float]],
    bands: list[str],
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Chart:
    """One bar per day, its bands stacked bottom-up in the order given.

    `width` and `height` are the SVG's own units: a chart in a half-width card gets a narrower
    viewBox so that its text is drawn at the same size as a full-width one's.
    """
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    totals = [sum(v.get(b, 0) for b in bands) for v in values]
    step = nice_step(max(totals, default=0))
    top = max(step, math.ceil(max(totals, default=0) / step) * step)
    if step >= 1:
        step = int(step)
    slot = plot_w / max(len(days), 1)
    gap = min(slot * 0.25, 24)
    bars = []
    for n, (day, value, total) in enumerate(zip(days, values, totals, strict=True)):
        bar = Bar(label=day.strftime("%d.%m.%Y"), x=LEFT + n * slot + gap / 2, width=slot - gap, total=total)
        base = TOP + plot_h
        for band in bands:
            amount = value.get(band, 0)
            if amount:
                size = plot_h * amount / top
                base -= size
                bar.segments.append(Segment(band, amount, base, size))
        bars.append(bar)
    ticks = [(TOP + plot_h - plot_h * (k * step) / top, k * step) for k in range(int(top / step) + 1)]
    every = max(1, math.ceil(len(days) / (plot_w // 80)))  # a date label per 80 units at most
    day_labels = [
        (LEFT + n * slot + slot / 2, day.strftime("%d.%m")) for n, day in enumerate(days) if n % every == 0
    ]
    return Chart(bars=bars, ticks=ticks, day_labels=day_labels, bands=bands, width=width, height=height)
