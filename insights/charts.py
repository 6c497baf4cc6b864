"""Charts drawn on the server as SVG: horizontal bars, one row per session (or per phase, per
score), each bar with its number written beside it.

Nothing but geometry here; ``templates/insights/_chart.html`` draws it. The series differ by
fill pattern as well as colour (solid, hatched, dotted, outlined), and every chart comes with
the table of its numbers, so none is read by colour alone and a screen reader gets the table.
No inline style: SVG presentation attributes only, so the Content Security Policy stays as is.
"""

from dataclasses import dataclass, field

# Narrow enough that a phone (about 330 px of card) shrinks the text by a fifth at most.
WIDTH = 420
LABEL = 100  # room for the row's label, left
VALUE = 64  # room for the number, right of the longest bar
BAR = 14
GAP = 3
ROW_GAP = 12
TOP = 6
CHAR = 7.2  # the width of an average character of the 13 px labels, in the chart's units
LINE = 15  # a label's line height
LABEL_MAX = 200  # the widest the labels' column gets

# (fill, pattern): the pattern is drawn over the fill; "outline" leaves the bar white.
STYLES = (
    ("#2f5fb3", ""),
    ("#d9822b", "hatch"),
    ("#3f8f5a", "dots"),
    ("#6b4fa3", "outline"),
)


@dataclass(frozen=True)
class Series:
    name: str


@dataclass
class Bar:
    value: float | None  # None: not shown (too small a count, or not measured)
    text: str  # what is written beside it
    series: int  # index into the chart's series
    fill: str = ""
    stroke: str = "none"
    x: float = 0
    y: float = 0
    width: float = 0
    text_x: float = 0


@dataclass
class Row:
    label: str
    bars: list[Bar]
    y: float = 0
    label_y: float = 0
    lines: list[tuple[str, float]] = field(default_factory=list)  # (text, y) of the label


@dataclass
class Chart:
    id: str
    title: str
    series: list[Series]
    rows: list[Row]
    unit: str = ""
    height: float = 0
    width: int = WIDTH
    label_x: int = LABEL - 8
    styles: list[dict] = field(default_factory=list)


def hbars(chart_id: str, title: str, series: list[str], rows: list[tuple[str, list]], unit=""):
    """A chart of ``rows`` (label, one value per series); a value is a number, or a pair
    (number or None, text) to write something else beside the bar."""
    built = []
    for label, values in rows:
        bars = []
        for index, value in enumerate(values):
            number, text = value if isinstance(value, tuple) else (value, _number(value))
            bars.append(Bar(value=number, text=text, series=index))
        built.append(Row(label=label, bars=bars))
    largest = max(
        (b.value for r in built for b in r.bars if b.value is not None), default=0
    ) or 1
    # Each label whole: on two lines if it is long (« Synthèse et / plan d’action »), and a
    # column as wide as its longest line.
    wrapped = [_wrap(row.label) for row in built]
    longest = max((len(line) for lines in wrapped for line in lines), default=0)
    column = min(LABEL_MAX, max(LABEL, round(longest * CHAR) + 10))
    span = WIDTH - column - VALUE
    y = TOP
    for row, lines in zip(built, wrapped, strict=True):
        bars_height = len(row.bars) * (BAR + GAP) - GAP
        row.y = y + max(0, (len(lines) * LINE - bars_height) // 2)
        y = row.y
        for bar in row.bars:
            bar.x, bar.y = column, y
            bar.width = round(span * (bar.value or 0) / largest, 1)
            bar.text_x = column + bar.width + 4
            y += BAR + GAP
        row.label_y = row.y + bars_height / 2 + 4
        first = row.label_y - (len(lines) - 1) * LINE / 2
        row.lines = [(line, round(first + i * LINE, 1)) for i, line in enumerate(lines)]
        y = max(y, row.y + len(lines) * LINE + GAP)
        y += ROW_GAP - GAP
    styles = []
    for i, (colour, pattern) in enumerate(STYLES[: len(series)]):
        key = f"{chart_id}-s{i}"
        fill = "#fff" if pattern == "outline" else f"url(#{key})" if pattern else colour
        stroke = colour if pattern == "outline" else "none"
        styles.append(
            {"colour": colour, "pattern": pattern, "key": key, "fill": fill, "stroke": stroke,
             "name": series[i]}
        )
    for row in built:
        for bar in row.bars:
            bar.fill, bar.stroke = styles[bar.series]["fill"], styles[bar.series]["stroke"]
    return Chart(
        id=chart_id,
        title=title,
        series=[Series(name) for name in series],
        rows=built,
        unit=unit,
        height=y + TOP,
        label_x=column - 8,
        styles=styles,
    )


def _wrap(label: str, width: int = 16) -> list[str]:
    """``label`` on one line, or two when longer than ``width`` characters (cut between
    words, the first line as full as it can be)."""
    if len(label) <= width or " " not in label:
        return [label]
    words = label.split(" ")
    first = words[0]
    for i, word in enumerate(words[1:], start=1):
        if len(first) + 1 + len(word) > width:
            return [first, " ".join(words[i:])]
        first = f"{first} {word}"
    return [first]


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.0f}"
    return str(value)
