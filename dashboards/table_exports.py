"""The dashboards' chart tables as CSV or Excel (``dashboards.exports``): each "View as a table"
of a page, downloadable with the page's filters, at ``/<tenant>/dashboards/<page>/export/
<table>.<fmt>`` (``urlpatterns`` below: one fixed address per table and format, named
``dashboard-<page>-export-<table>-<fmt>``).

The view is the page's view without the page: the same role (``VIEW_DASHBOARDS``), the same
filters (``DashboardFilterSet``; bad ones answer 400 as the page does), the same selector
(the page's own, so never a second computation) — and one table of what it returns, turned
into rows and columns by the small functions of ``PAGES``. Figures are written unrounded to
one decimal where the page rounds them for the eye: a spreadsheet does its own rounding.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards import complaints_charts, complaints_selectors, selectors
from dashboards.exports import FORMATS, Column, applied_filters, export_response
from dashboards.filters import DashboardFilterSet
from tenants.decorators import member_required
from tenants.errors import ApplicationError
from tenants.permissions import Action


def _one(value: float | None) -> float | None:
    """A figure to one decimal (None stays None: no answers)."""
    return None if value is None else round(value, 1)


# --- the NPS page -----------------------------------------------------------------------------


def nps_trend(page: selectors.NpsDashboard) -> tuple[list, list[Column]]:
    return page.trend, [
        Column(_("From"), lambda p: p.period.start, width=12),
        Column(_("To"), lambda p: p.period.end, width=12),
        Column(_("NPS"), lambda p: _one(p.nps.score), width=8),
        Column(_("Margin of error"), lambda p: _one(p.nps.margin_of_error)),
        Column(_("Answers"), lambda p: p.nps.answered, width=10),
        Column(_("Promoters"), lambda p: p.nps.promoters, width=10),
        Column(_("Passives"), lambda p: p.nps.passives, width=10),
        Column(_("Detractors"), lambda p: p.nps.detractors, width=10),
    ]


def _nps_groups(groups: list[selectors.Group], heading: str) -> tuple[list, list[Column]]:
    def difference(group, field):
        return None if group.difference is None else getattr(group.difference, field)

    return groups, [
        Column(heading, lambda g: g.name, width=24),
        Column(_("NPS"), lambda g: _one(g.nps.score), width=8),
        Column(_("Margin of error"), lambda g: _one(g.nps.margin_of_error)),
        Column(_("Answers"), lambda g: g.nps.answered, width=10),
        Column(_("Previous period"), lambda g: g.previous and _one(g.previous.score)),
        Column(_("Previous answers"), lambda g: g.previous and g.previous.answered),
        Column(_("Change"), lambda g: _one(difference(g, "difference")), width=10),
        Column(_("p-value"), lambda g: difference(g, "p_value"), width=10),
        Column(
            _("Significant"),
            lambda g: None if g.difference is None else g.difference.is_significant,
            width=12,
        ),
    ]


def nps_brands(page: selectors.NpsDashboard):
    return _nps_groups(page.by_brand, _("Brand"))


def nps_touchpoints(page: selectors.NpsDashboard):
    return _nps_groups(page.by_touchpoint, _("Touchpoint"))


def nps_distribution(page: selectors.NpsDashboard):
    return list(page.distribution.items()), [
        Column(_("Score"), lambda item: item[0], width=8),
        Column(_("Answers"), lambda item: item[1], width=10),
    ]


# --- the complaints page ----------------------------------------------------------------------


def _volume(page: complaints_selectors.ComplaintsDashboard, series, heading: str):
    columns = [
        Column(heading, lambda s: s.name, width=24),
        Column(_("Total"), lambda s: s.total, width=10),
    ]
    for index, days in enumerate(page.units):
        label = complaints_charts.unit_label(days, page.trend_unit)
        columns.append(Column(label, lambda s, index=index: s.counts[index], width=12))
    return series, columns


def complaints_categories(page):
    return _volume(page, page.by_category, _("Category"))


def complaints_channels(page):
    return _volume(page, page.by_channel, _("Channel"))


def complaints_pareto(page: complaints_selectors.ComplaintsDashboard):
    return page.pareto, [
        Column(_("Root cause"), lambda r: r.name, width=32),
        Column(_("Complaints"), lambda r: r.value.complaints, width=12),
        Column(_("Share (%)"), lambda r: _one(r.value.percent), width=10),
        Column(_("Cumulative (%)"), lambda r: _one(r.value.cumulative_percent), width=14),
    ]


def _compliance(groups, heading: str):
    columns = [Column(heading, lambda g: g.name, width=24)]
    for clock, label in complaints_charts.clock_labels().items():
        columns += [
            Column(
                _("%(clock)s: met") % {"clock": label},
                lambda g, clock=clock: g.value[clock].met,
            ),
            Column(
                _("%(clock)s: missed") % {"clock": label},
                lambda g, clock=clock: g.value[clock].missed,
            ),
            Column(
                _("%(clock)s: %% met") % {"clock": label},
                lambda g, clock=clock: _one(g.value[clock].percent),
            ),
        ]
    return groups, columns


def complaints_sla_brands(page):
    return _compliance(page.sla_by_brand, _("Brand"))


def complaints_sla_departments(page):
    return _compliance(page.sla_by_department, _("Department"))


def complaints_backlog(page):
    return page.backlog, [
        Column(_("Age"), complaints_charts.age_label, width=16),
        Column(_("Open complaints"), lambda b: b.complaints),
    ]


def complaints_resolution(page):
    return list(page.resolution.buckets.items()), [
        Column(_("Working hours"), lambda item: complaints_charts.hours_label(*item[0])),
        Column(_("Resolved complaints"), lambda item: item[1], width=20),
    ]


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A dashboard page: its selector (``(member, filters) -> data``) and its tables, each a
    function ``data -> (rows, columns)``."""

    load: Callable
    tables: dict[str, Callable]


PAGES: dict[str, Page] = {
    "nps": Page(
        load=selectors.nps_dashboard,
        tables={
            "trend": nps_trend,
            "brands": nps_brands,
            "touchpoints": nps_touchpoints,
            "distribution": nps_distribution,
        },
    ),
    "complaints": Page(
        load=complaints_selectors.complaints_dashboard,
        tables={
            "categories": complaints_categories,
            "channels": complaints_channels,
            "pareto": complaints_pareto,
            "sla-brands": complaints_sla_brands,
            "sla-departments": complaints_sla_departments,
            "backlog": complaints_backlog,
            "resolution": complaints_resolution,
        },
    ),
}


@require_GET
@member_required(Action.VIEW_DASHBOARDS)
def dashboard_table_export(request, page, table, fmt):
    filters = DashboardFilterSet.from_request(request)
    if not filters.is_valid():
        errors = "; ".join(
            str(message) for messages in filters.form.errors.values() for message in messages
        )
        raise ApplicationError(errors, fields=filters.form.errors)  # a 400, as on the page
    data = PAGES[page].load(request.member, filters)
    rows, columns = PAGES[page].tables[table](data)
    return export_response(
        member=request.member,
        rows=rows,
        columns=columns,
        file_stem=f"{page}-{table}",
        fmt=fmt,
        name=f"dashboard-{page}-{table}",
        filters=applied_filters(filters),
    )


def export_name(page: str, table: str, fmt: str) -> str:
    return f"dashboard-{page}-export-{table}-{fmt}"


# Under /<tenant>/dashboards/: one fixed address per table and format (an unknown table is no
# address, a 404), so the cross-tenant matrix needs nothing to fill them.
urlpatterns = [
    path(
        f"{page}/export/{table}.{fmt}",
        dashboard_table_export,
        {"page": page, "table": table, "fmt": fmt},
        name=export_name(page, table, fmt),
    )
    for page, spec in PAGES.items()
    for table in spec.tables
    for fmt in FORMATS
]
