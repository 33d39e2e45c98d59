"""The dashboards' figures, pure: plain dicts in Plotly's figure format (``data`` and
``layout``) that ``static/js/charts.js`` draws, made from ``dashboards.selectors``' plain data.
No database, no clock; tested without a database.

Colours are the Okabe–Ito palette, told apart by people with any kind of colour blindness;
what a colour says is also said in words (the legend, the labels, the table beside each chart).
Detractors are vermilion, passives orange, promoters bluish green; the NPS line is blue with
its 95 % band in a lighter blue; the comparison period is a black diamond.
"""

from collections.abc import Callable, Sequence
from html import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dashboards.selectors import Group, TrendPoint
from ratings.charts import Bin, count_step
from surveys.scoring import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN

BLUE = "#0072B2"
BAND_FILL = "rgba(0, 114, 178, 0.18)"
SKY = "#56B4E9"
DETRACTORS = "#D55E00"  # vermilion
PASSIVES = "#E69F00"  # orange
PROMOTERS = "#009E73"  # bluish green
PREVIOUS = "#000000"
INK, GRID = "#1c2430", "#d9dee5"  # the stylesheet's text and lines
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
UP, DOWN = "▲", "▼"  # a significant rise or fall since the comparison period


def _rounded(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


def _layout(**extra) -> dict:
    return {
        "margin": {"l": 56, "r": 16, "t": 40, "b": 48},
        "font": {"family": FONT, "size": 13, "color": INK},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        **extra,
    }


def _axis(**extra) -> dict:
    return {"gridcolor": GRID, "linecolor": GRID, "zeroline": False, **extra}


NPS_RANGE = [-100, 100]


def period_label(point: TrendPoint, unit: str) -> str:
    """A week by its first day (within the period), a month by its name and year."""
    if unit == "month":
        return date_format(point.period.start, "YEAR_MONTH_FORMAT")
    return date_format(point.period.start, "SHORT_DATE_FORMAT")


# What a chart reads of a point or group: (value, margin of error or None, answers).
Measure = Callable[[object], tuple[float | None, float | None, int]]


def nps_measure(item) -> tuple[float | None, float | None, int]:
    """The NPS of a ``TrendPoint`` or ``Group``: score, margin of error, answers."""
    return item.nps.score, item.nps.margin_of_error, item.nps.answered


def trend_figure(
    points: Sequence[TrendPoint],
    *,
    unit: str,
    measure: Measure = nps_measure,
    name: str | None = None,
    value_range: list = NPS_RANGE,
    band: bool = True,
) -> dict:
    """The NPS (or ``measure``, called ``name``) of each week or month as a line, inside its
    95 % band (value ± margin of error, kept within ``value_range``); a week or month without
    answers is a gap. ``band=False``: the line alone (a figure without a margin)."""
    name = name or _("NPS")
    lowest, highest = value_range
    measured = [measure(point) for point in points]
    labels = [period_label(point, unit) for point in points]
    scores = [_rounded(score) for score, _margin, _n in measured]
    margins = [_rounded(margin) for _score, margin, _n in measured]
    low, high = [], []
    for score, margin, _n in measured:
        missing = score is None or margin is None
        low.append(None if missing else round(max(score - margin, lowest), 1))
        high.append(None if missing else round(min(score + margin, highest), 1))
    shade = {"type": "scatter", "mode": "lines", "x": labels, "hoverinfo": "skip"}
    hover = (
        f"%{{x}}<br>{name} %{{y:.0f}} ± %{{customdata[0]:.0f}}"
        f"<br>{_('Answers')}: %{{customdata[1]}}<extra></extra>"
    )
    bands = [
        {**shade, "y": low, "line": {"width": 0, "color": BAND_FILL}, "showlegend": False},
        {
            **shade,
            "y": high,
            "fill": "tonexty",
            "fillcolor": BAND_FILL,
            "line": {"width": 0, "color": BAND_FILL},
            "name": _("Margin of error (95 %)"),
        },
    ]
    return {
        "data": [
            *(bands if band else []),
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": labels,
                "y": scores,
                "customdata": [
                    [margin, n]
                    for margin, (_score, _margin, n) in zip(margins, measured, strict=True)
                ],
                "hovertemplate": hover if band else f"%{{x}}<br>{name} %{{y:.1f}}<extra></extra>",
                "line": {"color": BLUE, "width": 2.5},
                "marker": {"color": BLUE, "size": 7},
                "name": name,
            },
        ],
        "layout": _layout(
            height=340,
            xaxis=_axis(
                type="category", title={"text": _("Week") if unit == "week" else _("Month")}
            ),
            yaxis=_axis(range=value_range, title={"text": name}, zeroline=True, zerolinecolor=INK),
        ),
    }


def _mark(group: Group) -> str:
    """▲ or ▼ when the group's NPS differs significantly from its comparison period's."""
    difference = group.difference
    if difference is None or not difference.is_significant:
        return ""
    return f" {UP if difference.difference > 0 else DOWN}"


def _previous_nps(group) -> tuple[float | None, float | None, int] | None:
    """The comparison period's NPS of a ``Group``, or None without a comparison."""
    previous = group.previous
    return (
        None if previous is None else (previous.score, previous.margin_of_error, previous.answered)
    )


def groups_figure(
    groups: Sequence[Group],
    *,
    title: str,
    measure: Measure = nps_measure,
    previous_measure: Callable = _previous_nps,
    name: str | None = None,
    value_range: list = NPS_RANGE,
) -> dict:
    """Horizontal bars of each group's NPS (or ``measure``, called ``name``), highest first,
    with its margin of error as an error bar and n in the hover; the comparison period's
    (``previous_measure``, None without one) as a diamond, and ▲/▼ beside the name when the
    change is significant (the group's ``difference``)."""
    name = name or _("NPS")
    current = [measure(group) for group in groups]
    previous = [previous_measure(group) for group in groups]
    names = [escape(group.name) + _mark(group) for group in groups]
    hover = (
        f"%{{y}}<br>{name} %{{x:.0f}} ± %{{customdata[0]:.0f}}"
        f"<br>{_('Answers')}: %{{customdata[1]}}<extra></extra>"
    )
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [_rounded(score) for score, _margin, _n in current],
            "y": names,
            "error_x": {
                "type": "data",
                "array": [_rounded(margin) for _score, margin, _n in current],
                "color": INK,
                "thickness": 1.5,
            },
            "customdata": [[_rounded(margin), n] for _score, margin, n in current],
            "hovertemplate": hover,
            "marker": {"color": SKY},
            "name": name,
        }
    ]
    if any(before is not None for before in previous):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [_rounded(before[0]) if before is not None else None for before in previous],
                "y": names,
                "customdata": [before[2] if before is not None else 0 for before in previous],
                "hovertemplate": (
                    f"%{{y}}<br>{_('Previous period')}: {name} %{{x:.0f}}"
                    f"<br>{_('Answers')}: %{{customdata}}<extra></extra>"
                ),
                "marker": {"color": PREVIOUS, "symbol": "diamond", "size": 10},
                "name": _("Previous period"),
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=110 + 34 * max(len(groups), 1),
            margin={"l": 160, "r": 16, "t": 40, "b": 48},
            showlegend=True,
            xaxis=_axis(range=value_range, title={"text": title}, zeroline=True, zerolinecolor=INK),
            yaxis=_axis(autorange="reversed", automargin=True, type="category"),
        ),
    }


def score_bands() -> list[tuple[str, str, range]]:
    """(name, colour, scores) of detractors, passives and promoters."""
    return [
        (_("Detractors (0–6)"), DETRACTORS, range(0, NPS_DETRACTOR_MAX + 1)),
        (_("Passives (7–8)"), PASSIVES, range(NPS_DETRACTOR_MAX + 1, NPS_PROMOTER_MIN)),
        (_("Promoters (9–10)"), PROMOTERS, range(NPS_PROMOTER_MIN, 11)),
    ]


def distribution_figure(distribution: dict[int, int], *, bands: list | None = None) -> dict:
    """The answers of each score 0–10 (or of ``bands``' scale), coloured and named by band
    (``score_bands()``, or ``bands``: (name, colour, scores) of each)."""
    bands = score_bands() if bands is None else bands
    bins = [Bin(low=score, high=score + 1, count=n) for score, n in distribution.items()]
    data = [
        {
            "type": "bar",
            "x": list(scores),
            "y": [distribution.get(score, 0) for score in scores],
            "marker": {"color": colour},
            "name": name,
            "hovertemplate": f"%{{x}}: %{{y}} {_('answers')}<extra>{name}</extra>",
        }
        for name, colour, scores in bands
    ]
    lowest, highest = min(distribution), max(distribution)
    return {
        "data": data,
        "layout": _layout(
            height=320,
            bargap=0.12,
            showlegend=True,
            xaxis=_axis(
                title={"text": _("Score")},
                tickmode="linear",
                dtick=1,
                range=[lowest - 0.5, highest + 0.5],
            ),
            # Whole answers on the axis, never half of one.
            yaxis=_axis(title={"text": _("Answers")}, rangemode="tozero", dtick=count_step(bins)),
        ),
    }
