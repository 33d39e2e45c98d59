"""The CSAT and CES page. Thin: parse the filters (``dashboards.filters``) and the survey whose
questions are broken down, read (``dashboards.csat_selectors``), draw
(``dashboards.csat_charts``), render. Bad input answers 400 with the message on its field, and
no figure."""

from csp.decorators import csp_update
from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dashboards import csat_charts, csat_selectors
from dashboards.filters import DETRACTOR, PROMOTER, DashboardFilterSet
from surveys.models import Survey
from tenants.decorators import member_required
from tenants.permissions import Action

TEMPLATE = "dashboards/csat.html"
# The comments' bands on this page: the filter's names, CSAT's words.
CSAT_COMMENT_BANDS = [
    (DETRACTOR, gettext_lazy("Dissatisfied (1–3)")),
    (PROMOTER, gettext_lazy("Satisfied (4–5)")),
]


class SurveyChoiceForm(forms.Form):
    """Which of the tenant's surveys has its questions broken down (``?survey=<id>``); by
    default the first by name. Another tenant's survey is refused like one that does not
    exist."""

    survey = forms.TypedChoiceField(
        label=gettext_lazy("Survey"),
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Select a valid choice. That choice is not one of the available choices."
            )
        },
    )

    def __init__(self, data, *, tenant):
        super().__init__(data)
        self.surveys = {
            survey.pk: survey for survey in Survey.objects.for_tenant(tenant).order_by("name", "pk")
        }
        self.fields["survey"].choices = [(pk, s.name) for pk, s in self.surveys.items()]

    def chosen(self) -> Survey | None:
        pk = self.cleaned_data.get("survey")
        if pk is None:
            return next(iter(self.surveys.values()), None)
        return self.surveys[pk]


def _links(filters: DashboardFilterSet, page: csat_selectors.CsatDashboard) -> dict:
    """The response browser behind each figure, with the page's filters."""
    browse = filters.response_browser_url
    return {
        "all": browse(),
        "compared": browse(period=page.compared_period) if page.compared_period else None,
        "trend": [browse(period=point.period) for point in page.trend],
        "ces_trend": [browse(period=point.period) for point in page.ces_trend],
        "brands": [browse(brand=group.key) for group in page.by_brand],
        "touchpoints": [
            browse(touchpoint=group.key) if group.key is not None else None
            for group in page.by_touchpoint
        ],
        "bands": {band: browse(band=band) for band, _label in CSAT_COMMENT_BANDS},
        "comments": browse(band=filters.comment_band),
    }


@member_required(Action.VIEW_DASHBOARDS)
@csp_update(settings.CHART_PAGE_CSP)
def csat_dashboard(request):
    filters = DashboardFilterSet.from_request(request)
    survey_form = SurveyChoiceForm(request.GET, tenant=request.tenant)
    carried = [
        (name, value)
        for name, values in request.GET.lists()
        if name != "survey"
        for value in values
    ]
    context = {"filters": filters, "survey_form": survey_form, "carried": carried}
    if not (filters.is_valid() & survey_form.is_valid()):  # both, to show every error
        return render(request, TEMPLATE, context, status=400)
    page = csat_selectors.csat_dashboard(request.member, filters, survey_form.chosen())
    links = _links(filters, page)
    figures = {
        "trend": csat_charts.csat_trend_figure(page.trend, unit=page.trend_unit),
        "brands": csat_charts.csat_groups_figure(page.by_brand, title=_("CSAT by brand (%)")),
        "touchpoints": csat_charts.csat_groups_figure(
            page.by_touchpoint, title=_("CSAT by touchpoint (%)")
        ),
        "distribution": csat_charts.csat_distribution_figure(page.distribution),
        "ces_trend": csat_charts.ces_trend_figure(page.ces_trend, unit=page.trend_unit),
        "ces_distribution": csat_charts.ces_distribution_figure(page.ces_distribution),
    }
    return render(
        request,
        TEMPLATE,
        {
            **context,
            "page": page,
            "figures": figures,
            "trend_rows": list(zip(page.trend, links["trend"], strict=True)),
            "ces_trend_rows": list(zip(page.ces_trend, links["ces_trend"], strict=True)),
            "brand_rows": list(zip(page.by_brand, links["brands"], strict=True)),
            "touchpoint_rows": list(zip(page.by_touchpoint, links["touchpoints"], strict=True)),
            "links": links,
            "comment_bands": CSAT_COMMENT_BANDS,
            "band_links": [(label, links["bands"][band]) for band, label in CSAT_COMMENT_BANDS],
        },
    )
