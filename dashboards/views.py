"""The dashboards' pages. Thin: parse the filters (``dashboards.filters``), read
(``dashboards.selectors``), draw (``dashboards.charts``), render. Bad filters answer 400 with
the message on the field, and no figure."""

from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from dashboards import charts, selectors
from dashboards.filters import COMMENT_BAND_CHOICES, DashboardFilterSet
from tenants.decorators import member_required
from tenants.permissions import Action


def _links(filters: DashboardFilterSet, page: selectors.NpsDashboard) -> dict:
    """The response browser behind each figure, with the page's filters."""
    browse = filters.response_browser_url
    return {
        "all": browse(),
        "compared": browse(period=page.compared_period) if page.compared_period else None,
        "trend": [browse(period=point.period) for point in page.trend],
        "brands": [browse(brand=group.key) for group in page.by_brand],
        "touchpoints": [
            browse(touchpoint=group.key) if group.key is not None else None
            for group in page.by_touchpoint
        ],
        "bands": {band: browse(band=band) for band, _label in COMMENT_BAND_CHOICES},
        "comments": browse(band=filters.comment_band),
    }


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def nps_dashboard(request):
    filters = DashboardFilterSet.from_request(request)
    if not filters.is_valid():
        return render(request, "dashboards/nps.html", {"filters": filters}, status=400)
    page = selectors.nps_dashboard(request.member, filters)
    links = _links(filters, page)
    return render(
        request,
        "dashboards/nps.html",
        {
            "filters": filters,
            "page": page,
            "figures": {
                "trend": charts.trend_figure(page.trend, unit=page.trend_unit),
                "brands": charts.groups_figure(page.by_brand, title=_("NPS by brand")),
                "touchpoints": charts.groups_figure(
                    page.by_touchpoint, title=_("NPS by touchpoint")
                ),
                "distribution": charts.distribution_figure(page.distribution),
            },
            "trend_rows": list(zip(page.trend, links["trend"], strict=True)),
            "brand_rows": list(zip(page.by_brand, links["brands"], strict=True)),
            "touchpoint_rows": list(zip(page.by_touchpoint, links["touchpoints"], strict=True)),
            "band_rows": [
                (count, label, links["bands"][count.band])
                for count, (_band, label) in zip(page.bands, COMMENT_BAND_CHOICES, strict=True)
            ],
            "links": links,
            "comment_bands": COMMENT_BAND_CHOICES,
        },
    )
