"""The Complaints dashboard's figures, pure: Plotly dicts (``data`` and ``layout``) made from
``dashboards.complaints_selectors``' plain data, drawn by ``static/js/charts.js``. No database,
no clock. Colours are the Okabe–Ito palette (``dashboards.charts``), each also named in words
(legend, labels, the table beside each chart)."""

from collections.abc import Sequence
from html import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from complaints import metrics
from dashboards.charts import BLUE, DETRACTORS, PASSIVES, PROMOTERS, SKY, _axis, _layout
from dashboards.complaints_selectors import AgeBucket, Named, Series
from dashboards.filters import Period

YELLOW, PURPLE, GREY = "#F0E442", "#CC79A7", "#999999"
# Okabe–Ito, in an order where neighbours differ in lightness too.
PALETTE = [BLUE, PASSIVES, PROMOTERS, PURPLE, SKY, DETRACTORS, YELLOW, "#000000"]
CLOCK_COLOURS = {"acknowledge": SKY, "first_response": BLUE, "resolve": PROMOTERS}


def clock_labels() -> dict[str, str]:
    return {
        "acknowledge": _("Acknowledgement"),
        "first_response": _("First response"),
        "resolve": _("Resolution"),
    }


def unit_label(days: Period, unit: str) -> str:
    """A week by its first day (within the period), a month by its name and year."""
    if unit == "month":
        return date_format(days.start, "YEAR_MONTH_FORMAT")
    return date_format(days.start, "SHORT_DATE_FORMAT")


def age_label(bucket: AgeBucket) -> str:
    if bucket.high is None:
        return _("%(low)s days and more") % {"low": bucket.low}
    return _("%(low)s–%(high)s days") % {"low": bucket.low, "high": bucket.high - 1}


def hours_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s h and more") % {"low": low}
    return _("%(low)s–%(high)s h") % {"low": low, "high": high}


def volume_figure(series: Sequence[Series], units: Sequence[Period], *, unit: str) -> dict:
    """Complaints received per week or month, stacked by category or channel (the largest
    first; beyond the palette's colours the rest share grey)."""
    labels = [unit_label(days, unit) for days in units]
    data = [
        {
            "type": "bar",
            "x": labels,
            "y": row.counts,
            "name": escape(row.name),
            "marker": {"color": PALETTE[index] if index < len(PALETTE) else GREY},
            "hovertemplate": f"%{{x}}: %{{y}} {_('complaints')}<extra>%{{fullData.name}}</extra>",
        }
        for index, row in enumerate(series)
    ]
    return {
        "data": data,
        "layout": _layout(
            height=360,
            barmode="stack",
            showlegend=True,
            xaxis=_axis(
                type="category", title={"text": _("Week") if unit == "week" else _("Month")}
            ),
            yaxis=_axis(title={"text": _("Complaints")}, rangemode="tozero"),
        ),
    }


def pareto_figure(rows: Sequence[Named]) -> dict:
    """Root causes as bars, most frequent first, and the cumulative share as a line on the
    right-hand axis."""
    names = [escape(row.name) for row in rows]
    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": [row.value.complaints for row in rows],
                "marker": {"color": BLUE},
                "name": _("Complaints"),
                "hovertemplate": f"%{{x}}: %{{y}} {_('complaints')}<extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": names,
                "y": [round(row.value.cumulative_percent, 1) for row in rows],
                "yaxis": "y2",
                "line": {"color": DETRACTORS, "width": 2},
                "marker": {"color": DETRACTORS, "size": 7},
                "name": _("Cumulative %"),
                "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>",
            },
        ],
        "layout": _layout(
            height=380,
            showlegend=True,
            xaxis=_axis(type="category", automargin=True),
            yaxis=_axis(title={"text": _("Complaints")}, rangemode="tozero"),
            yaxis2=_axis(
                title={"text": _("Cumulative %")}, overlaying="y", side="right", range=[0, 105]
            ),
        ),
    }


def compliance_figure(groups: Sequence[Named], *, title: str) -> dict:
    """Per group, the share of each clock met (of those due), as grouped horizontal bars;
    the hover says how many were due."""
    names = [escape(group.name) for group in groups]
    data = []
    for clock, label in clock_labels().items():
        values = [group.value[clock] for group in groups]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": [
                    None if value.percent is None else round(value.percent, 1) for value in values
                ],
                "y": names,
                "customdata": [[value.met, value.due] for value in values],
                "name": label,
                "marker": {"color": CLOCK_COLOURS[clock]},
                "hovertemplate": (
                    f"%{{y}}<br>{label}: %{{x:.0f}} % (%{{customdata[0]}}/%{{customdata[1]}})"
                    "<extra></extra>"
                ),
            }
        )
    return {
        "data": data,
        "layout": _layout(
            height=120 + 60 * max(len(groups), 1),
            barmode="group",
            showlegend=True,
            margin={"l": 160, "r": 16, "t": 40, "b": 48},
            xaxis=_axis(range=[0, 100], title={"text": title}),
            yaxis=_axis(autorange="reversed", automargin=True, type="category"),
        ),
    }


def _bars(labels: list[str], counts: list[int], *, colour: str, x_title: str, y_title: str):
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": counts,
                "marker": {"color": colour},
                "name": y_title,
                "hovertemplate": "%{x}: %{y}<extra></extra>",
            }
        ],
        "layout": _layout(
            height=320,
            xaxis=_axis(type="category", title={"text": x_title}),
            yaxis=_axis(title={"text": y_title}, rangemode="tozero"),
        ),
    }


def backlog_figure(buckets: Sequence[AgeBucket]) -> dict:
    """Open complaints by age."""
    return _bars(
        [age_label(bucket) for bucket in buckets],
        [bucket.complaints for bucket in buckets],
        colour=PASSIVES,
        x_title=_("Age"),
        y_title=_("Open complaints"),
    )


def resolution_figure(distribution: metrics.HoursDistribution) -> dict:
    """Resolved complaints by working hours from receipt to resolution."""
    return _bars(
        [hours_label(low, high) for low, high in distribution.buckets],
        list(distribution.buckets.values()),
        colour=PROMOTERS,
        x_title=_("Working hours to resolution"),
        y_title=_("Resolved complaints"),
    )


def effectiveness_figure(effects: Sequence) -> dict:
    """Per completed action, the complaints of its category per month before and after it."""
    names = [escape(effect.reference) for effect in effects]

    def means(side):
        values = [effect.effect.mean("category", side) for effect in effects]
        return [None if value is None else round(value, 1) for value in values]

    return {
        "data": [
            {
                "type": "bar",
                "x": names,
                "y": means("before"),
                "name": _("Before (per month)"),
                "marker": {"color": GREY},
                "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
            },
            {
                "type": "bar",
                "x": names,
                "y": means("after"),
                "name": _("After (per month)"),
                "marker": {"color": BLUE},
                "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
            },
        ],
        "layout": _layout(
            height=340,
            barmode="group",
            showlegend=True,
            xaxis=_axis(type="category", title={"text": _("Corrective action (its complaint)")}),
            yaxis=_axis(title={"text": _("Complaints of its category")}, rangemode="tozero"),
        ),
    }
