"""The norms' calibration page, under the rating settings (issue #12): per component, how the
performers did over the last periods (a histogram with its percentiles), the current norm and
the proposed one; an admin adopts the proposal, or their own edit of it, as a new version of
the scheme. Thin: parse, read (``ratings.calibration``), call ``ratings.schemes``, render."""

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ratings import calibration, charts, formula, schemes
from ratings.calibration_forms import NormsForm, PeriodsForm
from ratings.models import CustomerScoreKind, RatingPeriod
from ratings.selectors import today_of
from ratings.services import scheme_current
from tenants.errors import ApplicationError
from tenants.settings_pages import render_settings, settings_page

TEMPLATE = "ratings/settings_calibration.html"


def _unit(kind: formula.ComponentKind, customer_score_kind: str) -> str:
    """What a component's values are: the x axis' title, and the form's hint."""
    if kind.unit == "score":
        return str(CustomerScoreKind(customer_score_kind).label)
    return _("Hours of working time") if kind.unit == "h" else "%"


def _places(each: calibration.Calibration) -> int:
    """The decimals a value is shown with (floatformat's: negative drops them from a whole
    number; a CSAT mean always has its two, as "My rating" shows it)."""
    return each.decimals if each.kind.unit == "score" else -each.decimals


def _sections(found, form: NormsForm, customer_score_kind: str) -> list[dict]:
    """Per component what the page shows: its numbers, figure, bins and fields."""
    sections = []
    for each, fields in zip(found, form.rows(), strict=True):
        bins = charts.histogram_bins(each.values)
        unit = _unit(each.kind, customer_score_kind)
        sections.append(
            {
                "calibration": each,
                "figure_id": f"figure-{each.kind.key}",
                "figure": charts.calibration_figure(each, axis_title=unit),
                "unit": unit,
                "places": _places(each),
                "bins": bins,
                "bin_places": charts.edge_decimals(bins),
                "fields": fields,
            }
        )
    return sections


@require_http_methods(["GET", "HEAD", "POST"])
@settings_page
@csp_update(settings.CHART_PAGE_CSP)
def calibration_page(request):
    query = PeriodsForm(PeriodsForm.DEFAULTS | request.GET.dict())
    if not query.is_valid():
        return render_settings(request, TEMPLATE, {"query": query}, status=400)
    kind, periods = query.values()
    scheme = scheme_current(request.tenant.pk)
    sample = calibration.calibration_sample(
        tenant_id=request.tenant.pk,
        scheme=scheme,
        kind=kind,
        periods=periods,
        today=today_of(request.tenant),
    )
    found = calibration.calibrations(
        sample.values, norms=scheme.norms, customer_score_kind=scheme.customer_score_kind
    )
    form = NormsForm(
        request.POST if request.method == "POST" else None,
        initial=NormsForm.initial_for({c.kind.key: c.proposed or c.current for c in found}),
    )
    if request.method == "POST" and form.is_valid():
        try:
            adopted = schemes.scheme_version_add(actor=request.member, norms=form.norms())
        except ApplicationError as error:
            if error.status != 400:
                raise
            form.show_scheme_errors(error)
        else:
            if adopted.pk == scheme.pk:
                messages.info(request, _("Nothing changed."))
            else:
                message = _("Norms version %(version)s adopted.")
                messages.success(request, message % {"version": adopted.version})
            url = reverse(
                "settings-ratings-calibration", kwargs={"tenant_slug": request.tenant.slug}
            )
            return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    return render_settings(
        request,
        TEMPLATE,
        {
            "query": query,
            "kind_label": RatingPeriod.Kind(kind).label,
            "periods": sample.periods,  # newest first
            "oldest": sample.periods[-1] if sample.periods else None,
            "sections": _sections(found, form, scheme.customer_score_kind),
            "form": form,
            "scheme": scheme,
            "min_values": calibration.MIN_VALUES,
        },
        status=400 if form.errors else 200,
    )
