"""Charts drawn on the server as SVG shapes: no script, nothing fetched, readable when printed
or e-mailed. Every chart sits above the table of its values (the accessible version); the SVG
itself carries a title naming what it shows.

``draw(table)`` returns the shapes for ``analytics/_chart.html``: bars (one per row, the first
number column), lines (one per number column sharing the first one's kind), pie slices or
funnel steps, in a 600-wide view box.
"""

import math
from dataclasses import dataclass, field

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH = 600, 22, 8, 180
LINE_HEIGHT, PIE_RADIUS = 220, 100
# Colour-blind-safe series colours (Okabe and Ito), distinguishable printed in grey too.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


@dataclass
class Drawing:
    kind: str
    height: int
    shapes: list = field(default_factory=list)
    legend: list = field(default_factory=list)  # (label, colour)
    ticks: list = field(default_factory=list)  # a line chart's labels along its axis


def _number(value):
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _value_columns(table):
    return [n for n, c in enumerate(table.columns) if c.kind not in ("text", "date")]


def draw(table):
    """The drawing of ``table`` as its chart, or ``None`` (a table-only chart, no rows, or
    nothing to measure)."""
    columns = _value_columns(table)
    if table.chart == "table" or not table.rows or not columns:
        return None
    drawer = {"bar": _bars, "funnel": _funnel, "pie": _pie, "line": _lines}.get(table.chart)
    return drawer(table, columns) if drawer else None


def _bars(table, columns, *, centred=False):
    column = columns[0]
    values = [max(_number(row[column]) or 0, 0) for row in table.rows]
    top = max(values) or 1
    room = WIDTH - LABEL_WIDTH - 60
    shapes = []
    for n, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        width = room * value / top
        x = LABEL_WIDTH + ((room - width) / 2 if centred else 0)
        y = n * (BAR_HEIGHT + GAP)
        shapes.append(
            {
                "label": str(row[0]),
                "x": round(x, 1),
                "y": y,
                "width": round(max(width, 1), 1),
                "height": BAR_HEIGHT,
                "text_x": round(x + width + 4, 1),
                "text_y": y + BAR_HEIGHT * 0.7,
                "value": row[column],
                "kind": table.columns[column].kind,
                "colour": COLOURS[0],
            }
        )
    return Drawing("funnel" if centred else "bar", len(table.rows) * (BAR_HEIGHT + GAP), shapes)


def _funnel(table, columns):
    return _bars(table, columns, centred=True)


def _pie(table, columns):
    column = columns[0]
    values = [max(_number(row[column]) or 0, 0) for row in table.rows]
    total = sum(values)
    if not total:
        return None
    shapes, angle = [], -math.pi / 2
    cx, cy = PIE_RADIUS + 10, PIE_RADIUS + 10
    for n, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        sweep = 2 * math.pi * value / total
        end = angle + sweep
        colour = COLOURS[n % len(COLOURS)]
        if sweep >= 2 * math.pi - 1e-9:  # one slice: a whole circle (an arc cannot close)
            r = PIE_RADIUS
            path = f"M {cx - r} {cy} a {r} {r} 0 1 0 {2 * r} 0 a {r} {r} 0 1 0 {-2 * r} 0"
        else:
            x1, y1 = cx + PIE_RADIUS * math.cos(angle), cy + PIE_RADIUS * math.sin(angle)
            x2, y2 = cx + PIE_RADIUS * math.cos(end), cy + PIE_RADIUS * math.sin(end)
            large = 1 if sweep > math.pi else 0
            path = (
                f"M {cx} {cy} L {x1:.1f} {y1:.1f} "
                f"A {PIE_RADIUS} {PIE_RADIUS} 0 {large} 1 {x2:.1f} {y2:.1f} Z"
            )
        shapes.append({"path": path, "colour": colour, "label": str(row[0]), "value": row[column]})
        angle = end
    legend = [(s["label"], s["colour"]) for s in shapes]
    return Drawing("pie", 2 * PIE_RADIUS + 20, shapes, legend)


def _lines(table, columns):
    kind = table.columns[columns[0]].kind
    series = [c for c in columns if table.columns[c].kind == kind]
    values = [_number(row[c]) for row in table.rows for c in series]
    top = max([v for v in values if v is not None] + [0]) or 1
    bottom = min([v for v in values if v is not None] + [0])
    span = (top - bottom) or 1
    count = len(table.rows)
    left, room = 10, WIDTH - 20
    step = room / (count - 1) if count > 1 else 0

    def point(n, value):
        x = left + step * n if count > 1 else WIDTH / 2
        return f"{x:.1f},{LINE_HEIGHT - 10 - (LINE_HEIGHT - 20) * (value - bottom) / span:.1f}"

    shapes, legend = [], []
    for order, column in enumerate(series):
        colour = COLOURS[order % len(COLOURS)]
        points = [
            point(n, _number(row[column]))
            for n, row in enumerate(table.rows)
            if _number(row[column]) is not None
        ]
        dashed = order > 0
        shapes.append({"points": " ".join(points), "colour": colour, "dashed": dashed})
        legend.append((str(table.columns[column].label), colour))
    ticks = [
        {"x": float(point(n, bottom).split(",")[0]), "label": str(row[0])}
        for n, row in enumerate(table.rows)
    ]
    shown = ticks if count <= 13 else ticks[:: math.ceil(count / 12)]
    return Drawing("line", LINE_HEIGHT + 20, shapes, legend, shown)
