"""The performers tab's figure, pure (``dashboards.charts``' format, helpers and colours): the
period's ratings as horizontal bars, best at the top, each with its rank. No database; tested
without one.

Performers are drawn at positions 0, 1, 2… named on the axis (two people may share a name, and
Plotly would draw one bar for a repeated category). Those without a rating (not enough data)
are not bars: the page lists them apart, as the leaderboard does.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dashboards.charts import BLUE, _axis, _layout

RATING_RANGE = [0, 100]
BAR_HEIGHT = 28  # pixels per performer


@dataclass(frozen=True)
class RatingBar:
    """One ranked performer: their name, rank, rating (%), answers, and the points since the
    previous period (None: no rating then)."""

    name: str
    rank: int
    value: float
    answers: int
    movement: float | None


def _movement(movement: float | None) -> str:
    if movement is None:
        return "—"
    sign = "+" if movement > 0 else ""
    return f"{sign}{number_format(movement, 1)}"


def ratings_figure(bars: Sequence[RatingBar]) -> dict:
    """The ratings (0–100 %) as horizontal bars, best at the top, labelled "rank. name", the
    rating written on each bar; the answers and the movement since the previous period in the
    hover."""
    since, answers = _("Since the previous period"), _("Answers")
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [round(bar.value, 1) for bar in bars],
                "y": list(range(len(bars))),
                "text": [f"{number_format(bar.value, 1)} %" for bar in bars],
                "textposition": "auto",
                "marker": {"color": BLUE},
                "name": _("Rating (%)"),
                "customdata": [[bar.answers, _movement(bar.movement)] for bar in bars],
                "hovertemplate": (
                    f"%{{text}}<br>{answers}: %{{customdata[0]}}"
                    f"<br>{since}: %{{customdata[1]}}<extra></extra>"
                ),
            }
        ],
        "layout": _layout(
            height=120 + BAR_HEIGHT * len(bars),
            showlegend=False,
            margin={"l": 200, "r": 16, "t": 24, "b": 48},
            xaxis=_axis(title={"text": _("Rating (%)")}, range=RATING_RANGE),
            yaxis=_axis(
                tickmode="array",
                tickvals=list(range(len(bars))),
                ticktext=[escape(f"{bar.rank}. {bar.name}") for bar in bars],
                autorange="reversed",
                automargin=True,
            ),
        ),
    }
