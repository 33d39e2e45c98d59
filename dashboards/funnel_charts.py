"""The survey funnel's figures, pure (``dashboards.charts``' format, helpers and Okabe–Ito
colours): the funnel of stages, and why events left it.

Each stage is a bar of the funnel, blue, with its count and its share of the stage before it
written on it; the reasons are bars like the programme summary's sample (skips orange, events
outside the sample grey).
"""

from collections.abc import Sequence
from html import escape

from django.utils.translation import gettext as _

from dashboards.charts import BLUE, INK, _layout
from dashboards.summary_charts import SKIPPED, reasons_figure

OUTSIDE = "#999999"  # grey: not part of the programme's sample


def funnel_figure(stages: Sequence[tuple[str, int]]) -> dict:
    """A Plotly funnel of (label, count), top to bottom, each with its count and the % of the
    stage before it."""
    of_the_stage_before = _("of the stage before")
    return {
        "data": [
            {
                "type": "funnel",
                "y": [escape(label) for label, _count in stages],
                "x": [count for _label, count in stages],
                "textinfo": "value+percent previous",
                "textfont": {"color": "#ffffff"},
                "marker": {"color": BLUE},
                "connector": {"line": {"color": INK, "width": 1}},
                "name": _("Survey funnel"),
                "hovertemplate": (
                    f"%{{y}}: %{{x}}<br>%{{percentPrevious:.1%}} {of_the_stage_before}"
                    "<extra></extra>"
                ),
            }
        ],
        "layout": _layout(
            height=360,
            showlegend=False,
            margin={"l": 200, "r": 16, "t": 24, "b": 24},
            yaxis={"automargin": True},
        ),
    }


def reasons_of_funnel_figure(
    skips: Sequence[tuple[str, int]], outside: Sequence[tuple[str, int]]
) -> dict:
    """Why events did not go on: the sample's skips (orange), then the reasons events were
    outside the sample (grey)."""
    rows = [(label, count, SKIPPED) for label, count in skips]
    rows += [(label, count, OUTSIDE) for label, count in outside]
    return reasons_figure(rows, title=_("Service events"))
