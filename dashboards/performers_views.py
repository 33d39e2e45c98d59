"""The performers tab. Thin: parse the tab's filters (``dashboards.performers_selectors``), read
the leaderboard (``ratings.selectors``, through the same module), draw
(``dashboards.performers_charts``), render. Bad filters answer 400 with the message on the
field, and no figure."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from dashboards.performers_charts import RatingBar, ratings_figure
from dashboards.performers_selectors import PerformersFilters, performers_dashboard
from ratings import formula
from ratings.models import RatingPeriod
from tenants.decorators import member_required
from tenants.models import Department, Membership
from tenants.permissions import Action

TEMPLATE = "dashboards/performers.html"


def performer_name(performer: Membership) -> str:
    return performer.user.get_full_name() or performer.user.get_username()


def components_of(rating) -> list[dict | None]:
    """The rating's stored components in ``formula.COMPONENTS``' order (None: not rated on
    that component, e.g. no norm for it in the rating's scheme)."""
    by_key = {component["key"]: component for component in rating.components}
    return [by_key.get(kind.key) for kind in formula.COMPONENTS]


def performer_link(
    request, performer_id: int, period: RatingPeriod, department: Department | None
) -> str:
    """The member's own row: "My rating" of the period; anyone else's: their row on the
    leaderboard of the period and department."""
    query = {"kind": period.kind, "start": period.start.isoformat()}
    if performer_id == request.member.pk:
        url = reverse("my-rating", kwargs={"tenant_slug": request.tenant.slug})
        return f"{url}?{urlencode(query)}"
    if department is not None:
        query["department"] = department.pk
    url = reverse("rating-leaderboard", kwargs={"tenant_slug": request.tenant.slug})
    return f"{url}?{urlencode(query)}#performer-{performer_id}"


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def performers_dashboard_view(request):
    filters = PerformersFilters.from_request(request)
    if not filters.is_valid():
        return render(request, TEMPLATE, {"filters": filters}, status=400)
    page = performers_dashboard(request.member, filters)
    period = page.period

    def row(board_row):
        performer = board_row.rating.performer
        link = performer_link(request, performer.pk, period, page.department)
        return board_row, performer_name(performer), link, components_of(board_row.rating)

    ranked = [row(board_row) for board_row in page.ranked]
    bars = [
        RatingBar(name, each.rank, each.rating.value, each.answers, each.movement)
        for each, name, _link, _components in ranked
    ]
    return render(
        request,
        TEMPLATE,
        {
            "filters": filters,
            "page": page,
            "ranked": ranked,
            "unranked": [row(board_row) for board_row in page.unranked],
            "components": formula.COMPONENTS,
            "figure": ratings_figure(bars),
        },
    )
