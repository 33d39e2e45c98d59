"""The calibration page's figures, pure: plain dicts in Plotly's figure format (``data`` and
``layout``) that ``static/js/charts.js`` draws, and the bins its "view as table" lists. No
database, no clock; tested without a database.

Colours are the Okabe–Ito palette, told apart by people with any kind of colour blindness,
and every line differs by its dash too: a norm's floor is vermilion, its target bluish green;
the current norm is solid, the proposed one dashed, the median dotted.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import floor, log10

from django.utils.translation import gettext as _

from ratings.calibration import Calibration

BARS = "#56B4E9"  # sky blue
FLOOR = "#D55E00"  # vermilion
TARGET = "#009E73"  # bluish green
MEDIAN = "#000000"
INK, GRID = "#1c2430", "#d9dee5"  # the stylesheet's text and lines
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
BINS_WANTED = 10


@dataclass(frozen=True)
class Bin:
    low: float  # included
    high: float  # excluded
    count: int


def _round(value: float) -> float:
    # Bin edges are multiples of a size such as 0.2: shed the binary fraction's tail.
    return round(value, 9)


def bin_size(values: Sequence[float]) -> float:
    """A round width (1, 2 or 5 times a power of ten) giving about ``BINS_WANTED`` bins over
    the values' range. All values equal: 1 below 10, else a tenth of their power of ten."""
    span = max(values) - min(values)
    if span == 0:
        magnitude = abs(values[0])
        return 1.0 if magnitude < 10 else 10.0 ** (floor(log10(magnitude)) - 1)
    raw = span / BINS_WANTED
    power = 10.0 ** floor(log10(raw))
    for step in (1, 2, 5, 10):
        if raw <= step * power:
            return _round(step * power)
    return _round(10 * power)  # pragma: no cover (raw ≤ 10 × power always)


def histogram_bins(values: Sequence[float]) -> list[Bin]:
    """The histogram's bins: each ``[low, high)``, of width ``bin_size``, from the multiple of
    it at or below the smallest value to past the largest; empty bins included. No values: no
    bins."""
    if not values:
        return []
    size = bin_size(values)
    start = _round(floor(min(values) / size) * size)
    count = floor(_round((max(values) - start) / size)) + 1
    counts = [0] * count
    for value in values:
        counts[min(floor(_round((value - start) / size)), count - 1)] += 1
    return [
        Bin(low=_round(start + i * size), high=_round(start + (i + 1) * size), count=n)
        for i, n in enumerate(counts)
    ]


def count_step(bins: Sequence[Bin]) -> int:
    """The step between the count axis' ticks: a whole number (1, 2 or 5 times a power of
    ten) giving at most about five ticks up to the fullest bin."""
    fullest = max((each.count for each in bins), default=1)
    raw = max(fullest / 5, 1)
    power = 10 ** floor(log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if raw <= step * power)


def edge_decimals(bins: Sequence[Bin]) -> int:
    """How many decimals the bins' edges need (a width of 0.2: one; of 5: none)."""
    if not bins:
        return 0
    return max(0, -floor(log10(bins[0].high - bins[0].low)))


def _line(x: float, *, name: str, colour: str, dash: str) -> dict:
    """A vertical line across the plot at ``x``, named in the legend."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": 2.5, "dash": dash},
        "name": name,
        "showlegend": True,
    }


def calibration_figure(calibration: Calibration, *, axis_title: str) -> dict:
    """The histogram of a component's values, its bins as ``histogram_bins`` makes them, with
    lines at the current floor and target, the proposed ones (if any) and the median."""
    values = calibration.values
    bins = histogram_bins(values)
    trace = {
        "type": "histogram",
        "x": [round(value, 4) for value in values],
        "name": _("Ratings"),
        "marker": {"color": BARS, "line": {"color": "#ffffff", "width": 1}},
        "hovertemplate": "%{x}: %{y}<extra></extra>",
        "showlegend": False,
    }
    if bins:
        size = bins[0].high - bins[0].low
        trace["xbins"] = {"start": bins[0].low, "end": bins[-1].high, "size": _round(size)}
    current, proposed = calibration.current, calibration.proposed
    shapes = [
        _line(current.floor, name=_("Floor now"), colour=FLOOR, dash="solid"),
        _line(current.target, name=_("Target now"), colour=TARGET, dash="solid"),
    ]
    if proposed is not None:
        shapes += [
            _line(proposed.floor, name=_("Proposed floor"), colour=FLOOR, dash="dash"),
            _line(proposed.target, name=_("Proposed target"), colour=TARGET, dash="dash"),
        ]
    if calibration.p50 is not None:
        shapes.append(_line(calibration.p50, name=_("Median"), colour=MEDIAN, dash="dot"))
    axis = {"gridcolor": GRID, "linecolor": GRID, "zeroline": False}
    return {
        "data": [trace],
        "layout": {
            "height": 320,
            "margin": {"l": 56, "r": 16, "t": 48, "b": 48},
            "font": {"family": FONT, "size": 13, "color": INK},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
            "bargap": 0.04,
            "showlegend": True,
            # Above the plot: below it, it would run into the axis' title.
            "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            "xaxis": {**axis, "title": {"text": axis_title}},
            "yaxis": {
                **axis,
                "title": {"text": _("Ratings")},
                "rangemode": "tozero",
                "dtick": count_step(bins),  # whole ratings, never 0.2 of one
            },
            "shapes": shapes,
        },
    }
