"""The summaries' charts drawn on the server, as SVG: the same picture in the PDF (inline, no
JavaScript), on the web page and — as numbers — in the .docx.

`chart_svg(chart)` takes a chart of a report's content (reports.summaries, module docstring):
{kind, caption, labels, series: [{name, type "bar" | "line", values (None = no value)}]} and returns an
SVG document as text: bars side by side per label, lines with dots, the axes with round ticks, the
labels under the axis (slanted when long or many), the legend above. When bars and lines are both
there the lines get an axis of their own on the right (hazards count in thousands, inspections in
hundreds). Pure Python and deterministic: the same chart gives the same bytes; every text is escaped.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape

FONT = "Noto Sans CJK SC, Noto Sans CJK, sans-serif"
WIDTH = 560
HEIGHT = 300
LEFT = 52
RIGHT = 52
TOP = 44
BOTTOM = 60
# Print-safe colours that stay apart in grey too.
COLOURS = ("#2f5597", "#a0a0a0", "#c55a11", "#548235", "#7030a0", "#bf9000")


def _number(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
    else:
        try:
            number = float(str(value).rstrip("%"))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _fmt(number: float) -> str:
    """12.0 → "12", 97.25 → "97.3", 1433512 → "1433512" (never an exponent)."""
    if abs(number - round(number)) < 1e-9:
        return str(int(round(number)))
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _nice_top(largest: float) -> tuple[float, float]:
    """A round top of the axis and its tick step (5 steps or fewer): 3832 → (4000, 1000)."""
    if largest <= 0:
        return 1.0, 0.2 if largest == 0 else 1.0
    raw = largest / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step * 5 >= largest:
            break
    top = math.ceil(largest / step - 1e-9) * step
    return top, step


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _text(x: float, y: float, body: str, *, size: float = 11, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}"{extra}>'
        f"{escape(body, quote=False)}</text>"
    )


def chart_svg(chart: dict) -> str:
    """The chart as an SVG document (a string starting with <svg); see the module docstring."""
    labels = [str(label) for label in (chart.get("labels") or [])]
    series = [s for s in (chart.get("series") or []) if isinstance(s, dict)]
    caption = str(chart.get("caption") or "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" font-family="{_attr(FONT)}" role="img" aria-label="{_attr(caption)}">',
        f"<title>{escape(caption, quote=False)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    values = {
        index: [_number(v) for v in (s.get("values") or [])][: len(labels)] for index, s in enumerate(series)
    }
    present = [v for vals in values.values() for v in vals if v is not None]
    if not labels or not present:
        out.append(_text(WIDTH / 2, HEIGHT / 2, "暂无数据", size=14, extra=' fill="#555555"'))
        out.append("</svg>")
        return "".join(out)

    bars = [i for i, s in enumerate(series) if s.get("type") != "line"]
    lines = [i for i, s in enumerate(series) if s.get("type") == "line"]
    two_axes = bool(bars and lines)
    left_series = bars or lines
    right_series = lines if two_axes else []

    def axis(indices: list[int]) -> tuple[float, float, float]:
        numbers = [v for i in indices for v in values[i] if v is not None]
        low, high = min([0.0, *numbers]), max([0.0, *numbers])
        _span, step = _nice_top(high - low)
        bottom = math.floor(low / step - 1e-9) * step if low < 0 else 0.0
        top = bottom + math.ceil((high - bottom) / step - 1e-9) * step
        if top <= bottom:  # nothing but zeros: an axis 0–1 with its five steps
            top = bottom + 5 * step
        return bottom, top, step

    plot_w = WIDTH - LEFT - (RIGHT if two_axes else 20)
    plot_h = HEIGHT - TOP - BOTTOM
    x0, y0 = LEFT, TOP + plot_h  # the origin corner

    left_low, left_high, left_step = axis(left_series)

    def y_left(v: float) -> float:
        return y0 - (v - left_low) / (left_high - left_low) * plot_h

    # Grid and the left axis's ticks.
    ticks = int(round((left_high - left_low) / left_step))
    for t in range(ticks + 1):
        v = left_low + t * left_step
        y = y_left(v)
        out.append(
            f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + plot_w}" y2="{y:.1f}" stroke="#d9d9d9" stroke-width="0.6"/>'
        )
        out.append(_text(x0 - 5, y + 4, _fmt(v), size=12, anchor="end"))
    if right_series:
        right_low, right_high, right_step = axis(right_series)
        rticks = int(round((right_high - right_low) / right_step))
        for t in range(rticks + 1):
            v = right_low + t * right_step
            y = y0 - (v - right_low) / (right_high - right_low) * plot_h
            out.append(_text(x0 + plot_w + 5, y + 4, _fmt(v), size=12, anchor="start"))
        out.append(
            f'<line x1="{x0 + plot_w}" y1="{TOP}" x2="{x0 + plot_w}" y2="{y0}" stroke="#000000" stroke-width="0.8"/>'
        )
    out.append(f'<line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{y0}" stroke="#000000" stroke-width="0.8"/>')
    out.append(
        f'<line x1="{x0}" y1="{y_left(0.0):.1f}" x2="{x0 + plot_w}" y2="{y_left(0.0):.1f}" '
        f'stroke="#000000" stroke-width="0.8"/>'
    )

    # The labels under the axis: slanted when many or long.
    slot = plot_w / len(labels)
    longest = max(len(label) for label in labels)
    slanted = (len(labels) > 8 and longest > 3) or slot < 13 * longest
    for i, label in enumerate(labels):
        x = x0 + slot * (i + 0.5)
        if slanted:
            out.append(
                _text(
                    x,
                    y0 + 14,
                    label,
                    size=12,
                    anchor="end",
                    extra=f' transform="rotate(-40 {x:.1f} {y0 + 14})"',
                )
            )
        else:
            out.append(_text(x, y0 + 17, label, size=12))

    # Bars, side by side within each label's slot.
    group = slot * 0.72
    width = group / max(len(bars), 1)
    show_values = len(bars) == 1 and len(labels) <= 20
    for n, index in enumerate(bars):
        colour = COLOURS[index % len(COLOURS)]
        for i, v in enumerate(values[index]):
            if v is None:
                continue
            x = x0 + slot * i + (slot - group) / 2 + width * n
            top, base = y_left(max(v, 0.0)), y_left(min(v, 0.0))
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{max(width - 1, 1):.1f}" '
                f'height="{max(base - top, 0.0):.1f}" fill="{colour}"/>'
            )
            if show_values:
                out.append(_text(x + width / 2, top - 3, _fmt(v), size=11))

    # Lines (on the right axis when there are bars too); a None breaks the line.
    for index in lines:
        colour = COLOURS[index % len(COLOURS)]
        if right_series:
            low, high = right_low, right_high
        else:
            low, high = left_low, left_high
        points: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(values[index]):
            if v is None:
                points.append([])
                continue
            points[-1].append((x0 + slot * (i + 0.5), y0 - (v - low) / (high - low) * plot_h))
        for run in points:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in run:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{colour}"/>')

    # The legend above the plot.
    x = LEFT
    for index, s in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        name = str(s.get("name") or "")
        if s.get("type") == "line":
            out.append(
                f'<line x1="{x}" y1="{TOP - 22}" x2="{x + 18}" y2="{TOP - 22}" stroke="{colour}" stroke-width="2"/>'
            )
            out.append(f'<circle cx="{x + 9}" cy="{TOP - 22}" r="2.6" fill="{colour}"/>')
        else:
            out.append(f'<rect x="{x + 3}" y="{TOP - 28}" width="12" height="12" fill="{colour}"/>')
        suffix = "（右轴）" if right_series and index in right_series else ""
        out.append(_text(x + 22, TOP - 17, name + suffix, size=13, anchor="start"))
        x += 22 + 13 * (len(name) + len(suffix)) + 16
    out.append("</svg>")
    return "".join(out)


def chart_table(chart: dict) -> dict:
    """The chart's numbers as a table of the content's shape (for the .docx, which shows no SVG)."""
    labels = [str(label) for label in (chart.get("labels") or [])]
    series = [s for s in (chart.get("series") or []) if isinstance(s, dict)]
    rows = []
    for i, label in enumerate(labels):
        row = [label]
        for s in series:
            vals = s.get("values") or []
            v = _number(vals[i]) if i < len(vals) else None
            row.append("—" if v is None else _fmt(v))
        rows.append(row)
    return {
        "kind": "chart",
        "caption": str(chart.get("caption") or ""),
        "columns": ["", *(str(s.get("name") or "") for s in series)],
        "rows": rows,
    }
