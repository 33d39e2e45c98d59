"""The dashboards' figures, pure: plain dicts in Plotly's figure format (``data`` and
``layout``) that ``static/js/charts.js`` draws, made from ``dashboards.selectors``' plain data.
No database, no clock; tested without a database.

Colours are the Okabe–Ito palette, told apart by people with any kind of colour blindness;
what a colour says is also said in words (the legend, the labels, the table beside each chart).
Detractors are vermilion, passives orange, promoters bluish green; the NPS line is blue with
its 95 % band in a lighter blue; the comparison period is a black diamond.
"""

from collections.abc import Sequence
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


def trend_figure(points: Sequence[TrendPoint], *, unit: str) -> dict:
    """The NPS of each week or month as a line, inside its 95 % band (score ± margin of
    error); a week or month without answers is a gap."""
    labels = [period_label(point, unit) for point in points]
    scores = [_rounded(point.nps.score) for point in points]
    margins = [_rounded(point.nps.margin_of_error) for point in points]
    low, high = [], []
    for point in points:
        score, margin = point.nps.score, point.nps.margin_of_error
        low.append(None if score is None else round(max(score - margin, -100), 1))
        high.append(None if score is None else round(min(score + margin, 100), 1))
    band = {"type": "scatter", "mode": "lines", "x": labels, "hoverinfo": "skip"}
    hover = (
        f"%{{x}}<br>{_('NPS')} %{{y:.0f}} ± %{{customdata[0]:.0f}}"
        f"<br>{_('Answers')}: %{{customdata[1]}}<extra></extra>"
    )
    return {
        "data": [
            {**band, "y": low, "line": {"width": 0, "color": BAND_FILL}, "showlegend": False},
            {
                **band,
                "y": high,
                "fill": "tonexty",
                "fillcolor": BAND_FILL,
                "line": {"width": 0, "color": BAND_FILL},
                "name": _("Margin of error (95 %)"),
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": labels,
                "y": scores,
                "customdata": [
                    [margin, point.nps.answered]
                    for margin, point in zip(margins, points, strict=True)
                ],
                "hovertemplate": hover,
                "line": {"color": BLUE, "width": 2.5},
                "marker": {"color": BLUE, "size": 7},
                "name": _("NPS"),
            },
        ],
        "layout": _layout(
            height=340,
            xaxis=_axis(
                type="category", title={"text": _("Week") if unit == "week" else _("Month")}
            ),
            yaxis=_axis(
                range=NPS_RANGE, title={"text": _("NPS")}, zeroline=True, zerolinecolor=INK
            ),
        ),
    }


def _mark(group: Group) -> str:
    """▲ or ▼ when the group's NPS differs significantly from its comparison period's."""
    difference = group.difference
    if difference is None or not difference.is_significant:
        return ""
    return f" {UP if difference.difference > 0 else DOWN}"


def groups_figure(groups: Sequence[Group], *, title: str) -> dict:
    """Horizontal bars of each group's NPS, highest first, with its margin of error as an
    error bar and n in the hover; the comparison period's NPS as a diamond, and ▲/▼ beside
    the name when the change is significant."""
    names = [escape(group.name) + _mark(group) for group in groups]
    hover = (
        f"%{{y}}<br>{_('NPS')} %{{x:.0f}} ± %{{customdata[0]:.0f}}"
        f"<br>{_('Answers')}: %{{customdata[1]}}<extra></extra>"
    )
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [_rounded(group.nps.score) for group in groups],
            "y": names,
            "error_x": {
                "type": "data",
                "array": [_rounded(group.nps.margin_of_error) for group in groups],
                "color": INK,
                "thickness": 1.5,
            },
            "customdata": [
                [_rounded(group.nps.margin_of_error), group.nps.answered] for group in groups
            ],
            "hovertemplate": hover,
            "marker": {"color": SKY},
            "name": _("NPS"),
        }
    ]
    if any(group.previous is not None for group in groups):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [
                    _rounded(group.previous.score) if group.previous is not None else None
                    for group in groups
                ],
                "y": names,
                "customdata": [
                    group.previous.answered if group.previous is not None else 0 for group in groups
                ],
                "hovertemplate": (
                    f"%{{y}}<br>{_('Previous period')}: {_('NPS')} %{{x:.0f}}"
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
            xaxis=_axis(range=NPS_RANGE, title={"text": title}, zeroline=True, zerolinecolor=INK),
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


def distribution_figure(distribution: dict[int, int]) -> dict:
    """The answers of each score 0–10, coloured and named by band."""
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
        for name, colour, scores in score_bands()
    ]
    return {
        "data": data,
        "layout": _layout(
            height=320,
            bargap=0.12,
            showlegend=True,
            xaxis=_axis(title={"text": _("Score")}, tickmode="linear", dtick=1, range=[-0.5, 10.5]),
            # Whole answers on the axis, never half of one.
            yaxis=_axis(title={"text": _("Answers")}, rangemode="tozero", dtick=count_step(bins)),
        ),
    }
