"""The programme summary page. Thin: parse the filters (``dashboards.filters``), read
(``dashboards.summary_selectors``), draw (``dashboards.summary_charts``), render. Bad filters
answer 400 with the message on the field, and no figure."""

from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse

from dashboards import summary_charts
from dashboards.complaints_selectors import complaint_queue_url
from dashboards.filters import DashboardFilterSet
from dashboards.summary_selectors import summary_dashboard
from surveys import metrics
from surveys.models import Interaction
from tenants.decorators import member_required
from tenants.permissions import Action


def interactions_url(request, decision: str = "") -> str:
    """The interactions page, showing the events of one survey decision (all without)."""
    url = reverse("interaction-list", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?{urlencode({'decision': decision})}" if decision else url


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def summary_dashboard_view(request):
    filters = DashboardFilterSet.from_request(request)
    if not filters.is_valid():
        return render(request, "dashboards/summary.html", {"filters": filters}, status=400)
    page = summary_dashboard(request.member, filters)
    now, previous = page.now, page.previous
    skips = [
        (decision.label, now.coverage.skipped[decision.value], interactions_url(request, decision))
        for decision in metrics.SKIP_REASONS
    ]
    return render(
        request,
        "dashboards/summary.html",
        {
            "filters": filters,
            "page": page,
            "skips": skips,
            "figures": {
                "response_rate": summary_charts.response_rate_figure(
                    now.response_rate,
                    previous.response_rate if previous is not None else None,
                    low=page.norms.response_rate_low,
                    high=page.norms.response_rate_high,
                ),
                "sample": summary_charts.sample_figure(
                    now.coverage.part, [(label, count) for label, count, _link in skips]
                ),
            },
            "links": {
                "responses": filters.response_browser_url(),
                "invited": interactions_url(request, Interaction.Decision.INVITED),
                "interactions": interactions_url(request),
                "follow_ups": reverse(
                    "follow-up-list", kwargs={"tenant_slug": request.tenant.slug}
                ),
                "complaints": complaint_queue_url(filters),
                "funnel": reverse("dashboard-funnel", kwargs={"tenant_slug": request.tenant.slug})
                + "?"
                + request.GET.urlencode(),
            },
        },
    )
