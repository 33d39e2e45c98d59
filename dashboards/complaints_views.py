"""The Complaints dashboard page. Thin: parse the filters (``dashboards.filters``), read
(``dashboards.complaints_selectors``), draw (``dashboards.complaints_charts``), render. Bad
filters answer 400 with the message on the field, and no figure."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from dashboards import complaints_charts as charts
from dashboards.complaints_selectors import (
    ComplaintsDashboard,
    complaint_queue_url,
    complaints_dashboard,
    not_in_queue,
)
from dashboards.filters import DashboardFilterSet
from tenants.decorators import member_required
from tenants.permissions import Action

TEMPLATE = "dashboards/complaints.html"


def _rows(filters: DashboardFilterSet, page: ComplaintsDashboard) -> dict:
    """Each table's rows with the queue behind each (where the queue can narrow to it)."""
    queue = complaint_queue_url
    return {
        "units": [
            (days, charts.unit_label(days, page.trend_unit), queue(filters, period=days))
            for days in page.units
        ],
        "categories": [
            (row, queue(filters, category=row.key) if row.key is not None else None)
            for row in page.by_category
        ],
        "channels": [(row, None) for row in page.by_channel],
        "sla": [(clock, label, page.sla[clock]) for clock, label in charts.clock_labels().items()],
        "sla_brands": [(row, queue(filters, brand=row.key)) for row in page.sla_by_brand],
        "sla_departments": [(row, None) for row in page.sla_by_department],
        "backlog": [
            (
                bucket,
                charts.age_label(bucket),
                queue(filters, queue="department", first=bucket.first_day, last=bucket.last_day),
            )
            for bucket in page.backlog
        ],
        "hours": [
            (charts.hours_label(low, high), count)
            for (low, high), count in page.resolution.buckets.items()
        ],
        "repeat": [
            (row, queue(filters, q=row.email) if row.email else None) for row in page.repeat
        ],
    }


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def complaints_dashboard_view(request):
    filters = DashboardFilterSet.from_request(request)
    if not filters.is_valid():
        return render(request, TEMPLATE, {"filters": filters}, status=400)
    page = complaints_dashboard(request.member, filters)
    figures = {
        "categories": charts.volume_figure(page.by_category, page.units, unit=page.trend_unit),
        "channels": charts.volume_figure(page.by_channel, page.units, unit=page.trend_unit),
        "pareto": charts.pareto_figure(page.pareto),
        "sla_brands": charts.compliance_figure(
            page.sla_by_brand, title=_("% met of those due, by brand")
        ),
        "sla_departments": charts.compliance_figure(
            page.sla_by_department, title=_("% met of those due, by department")
        ),
        "backlog": charts.backlog_figure(page.backlog),
        "resolution": charts.resolution_figure(page.resolution),
    }
    if page.effects:
        figures["effectiveness"] = charts.effectiveness_figure(page.effects)
    return render(
        request,
        TEMPLATE,
        {
            "filters": filters,
            "page": page,
            "figures": figures,
            "rows": _rows(filters, page),
            "clocks": charts.clock_labels(),
            "links": {
                "all": complaint_queue_url(filters),
                "open": complaint_queue_url(
                    filters, queue="department", last=page.backlog[0].last_day
                ),
                "overdue": complaint_queue_url(filters, queue="overdue"),
                "compared": (
                    complaint_queue_url(filters, period=page.compared_period)
                    if page.compared_period
                    else None
                ),
            },
            "not_in_queue": not_in_queue(filters),
        },
    )
