"""The programme summary's figures, pure (``dashboards.charts``' format, helpers and Okabe–Ito
colours): the response rate against the tenant's norm band, and what became of the sample.

The band is bluish green (the norm), the period's rate a blue bar inside it, the compared
period's a black diamond; the sample's invited customers are bluish green and each skip
reason orange, each bar named on its axis and with its count on it.
"""

from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from dashboards.charts import BLUE, PASSIVES, PREVIOUS, PROMOTERS, _axis, _layout, _rounded
from surveys.metrics import ResponseRate

BAND_COLOUR = "rgba(0, 158, 115, 0.25)"  # bluish green, light: the norm
SKIPPED = PASSIVES  # orange


def rate_axis_end(percents: Sequence[float | None], high: int) -> float:
    """The response-rate axis' end: room for the band and every rate, in steps of 5 %,
    at most 100 %."""
    largest = max([high, *(p for p in percents if p is not None)])
    return float(min(100, 5 * (int(largest * 1.25) // 5 + 1)))


def response_rate_figure(
    rate: ResponseRate, previous: ResponseRate | None, *, low: int, high: int
) -> dict:
    """One horizontal bar: the period's response rate over the tenant's norm band (``low`` to
    ``high`` %, a wider pale bar behind it), the compared period's rate as a diamond."""
    name = _("Response rate")
    answered, accepted, before = _("Answered"), _("emails accepted"), _("Previous period")
    band_name = _("Norm %(low)s–%(high)s %%") % {"low": low, "high": high}
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [name],
            "x": [high - low],
            "base": [low],
            "width": [0.8],
            "marker": {"color": BAND_COLOUR, "line": {"color": PROMOTERS, "width": 1}},
            "name": band_name,
            "hovertemplate": f"{escape(band_name)}<extra></extra>",
        },
        {
            "type": "bar",
            "orientation": "h",
            "y": [name],
            "x": [_rounded(rate.percent)],
            "width": [0.35],
            "marker": {"color": BLUE},
            "name": _("This period"),
            "customdata": [[rate.part, rate.whole]],
            "hovertemplate": (
                f"%{{x:.1f}} %<br>{answered}: %{{customdata[0]}}"
                f" / {accepted}: %{{customdata[1]}}<extra></extra>"
            ),
        },
    ]
    if previous is not None and previous.percent is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "y": [name],
                "x": [_rounded(previous.percent)],
                "marker": {"color": PREVIOUS, "symbol": "diamond", "size": 12},
                "name": before,
                "hovertemplate": f"{before}: %{{x:.1f}} %<extra></extra>",
            }
        )
    end = rate_axis_end([rate.percent, previous.percent if previous else None], high)
    return {
        "data": data,
        "layout": _layout(
            height=190,
            barmode="overlay",
            showlegend=True,
            margin={"l": 120, "r": 16, "t": 40, "b": 48},
            xaxis=_axis(range=[0, end], title={"text": _("Answered of the emails accepted (%)")}),
            yaxis=_axis(type="category", automargin=True),
        ),
    }


def reasons_figure(rows: Sequence[tuple[str, int, str]], *, title: str) -> dict:
    """Horizontal bars, one per (label, count, colour), in the given order, the count on each."""
    labels = [escape(label) for label, _count, _colour in rows]
    counts = [count for _label, count, _colour in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": counts,
                "text": counts,
                "textposition": "auto",
                "marker": {"color": [colour for _label, _count, colour in rows]},
                "name": title,
                "hovertemplate": "%{y}: %{x}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=90 + 34 * max(len(rows), 1),
            showlegend=False,
            margin={"l": 220, "r": 16, "t": 24, "b": 48},
            xaxis=_axis(title={"text": title}, rangemode="tozero"),
            yaxis=_axis(autorange="reversed", automargin=True, type="category"),
        ),
    }


def sample_figure(invited: int, skips: Sequence[tuple[str, int]]) -> dict:
    """The sample: customers invited (bluish green), then each skip reason (orange)."""
    rows = [(_("Invited"), invited, PROMOTERS)]
    rows += [(label, count, SKIPPED) for label, count in skips]
    return reasons_figure(rows, title=_("Service events of the sample"))
