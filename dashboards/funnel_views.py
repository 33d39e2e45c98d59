"""The survey funnel page. Thin: parse the filters (``dashboards.filters``), read
(``dashboards.funnel_selectors``), draw (``dashboards.funnel_charts``), render. Bad filters
answer 400 with the message on the field, and no figure."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from dashboards import funnel_charts
from dashboards.filters import DashboardFilterSet
from dashboards.funnel_selectors import (
    ACCEPTED,
    ANSWERED,
    INTERACTIONS,
    INVITED,
    SAMPLE,
    funnel_dashboard,
)
from dashboards.summary_views import interactions_url
from surveys.models import Interaction
from tenants.decorators import member_required
from tenants.permissions import Action

STAGE_LABELS = {
    INTERACTIONS: gettext_lazy("Service events"),
    SAMPLE: gettext_lazy("Relevant (a survey rule matched)"),
    INVITED: gettext_lazy("Customers invited"),
    ACCEPTED: gettext_lazy("Email accepted by the mail server"),
    ANSWERED: gettext_lazy("Answered"),
}
# The interactions page's decision behind a stage ("": every event); the stages missing here
# have no single decision behind them.
STAGE_DECISIONS = {INTERACTIONS: "", INVITED: Interaction.Decision.INVITED.value}


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def funnel_dashboard_view(request):
    filters = DashboardFilterSet.from_request(request)
    if not filters.is_valid():
        return render(request, "dashboards/funnel.html", {"filters": filters}, status=400)
    page = funnel_dashboard(request.member, filters)
    stages = [
        (
            stage,
            STAGE_LABELS[stage.key],
            interactions_url(request, STAGE_DECISIONS[stage.key])
            if stage.key in STAGE_DECISIONS
            else None,
        )
        for stage in page.stages
    ]
    skips = [(reason, interactions_url(request, reason.decision)) for reason in page.skips]
    outside = [(reason, interactions_url(request, reason.decision)) for reason in page.outside]
    return render(
        request,
        "dashboards/funnel.html",
        {
            "filters": filters,
            "page": page,
            "stages": stages,
            "skips": skips,
            "outside": outside,
            "figures": {
                "funnel": funnel_charts.funnel_figure(
                    [(str(label), stage.count) for stage, label, _link in stages]
                ),
                "reasons": funnel_charts.reasons_of_funnel_figure(
                    [(reason.label, reason.count) for reason in page.skips],
                    [(reason.label, reason.count) for reason in page.outside],
                ),
            },
            "links": {
                "interactions": interactions_url(request),
                "responses": filters.response_browser_url(),
            },
        },
    )
