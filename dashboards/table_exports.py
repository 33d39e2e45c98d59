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

from dashboards import (
    complaints_charts,
    complaints_selectors,
    csat_selectors,
    funnel_selectors,
    funnel_views,
    performers_selectors,
    performers_views,
    selectors,
    summary_selectors,
)
from dashboards.exports import FORMATS, Column, applied_filters, export_response
from dashboards.filters import DashboardFilterSet
from ratings import formula
from surveys.metrics import SKIP_REASONS
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


def _groups(groups: list, heading: str, figures: list[Column], previous: Callable, answered):
    """A table of groups (``selectors.Group``, ``csat_selectors.CsatGroup``): ``figures`` are
    the figure's columns, ``previous(figure)`` and ``answered(figure)`` read the comparison
    period's figure."""

    def difference(group, field):
        return None if group.difference is None else getattr(group.difference, field)

    return groups, [
        Column(heading, lambda g: g.name, width=24),
        *figures,
        Column(_("Previous period"), lambda g: g.previous and previous(g.previous)),
        Column(_("Previous answers"), lambda g: g.previous and answered(g.previous)),
        Column(_("Change"), lambda g: _one(difference(g, "difference")), width=10),
        Column(_("p-value"), lambda g: difference(g, "p_value"), width=10),
        Column(
            _("Significant"),
            lambda g: None if g.difference is None else g.difference.is_significant,
            width=12,
        ),
    ]


def _nps_groups(groups: list[selectors.Group], heading: str) -> tuple[list, list[Column]]:
    figures = [
        Column(_("NPS"), lambda g: _one(g.nps.score), width=8),
        Column(_("Margin of error"), lambda g: _one(g.nps.margin_of_error)),
        Column(_("Answers"), lambda g: g.nps.answered, width=10),
    ]
    return _groups(groups, heading, figures, lambda nps: _one(nps.score), lambda nps: nps.answered)


def nps_brands(page: selectors.NpsDashboard):
    return _nps_groups(page.by_brand, _("Brand"))


def nps_touchpoints(page: selectors.NpsDashboard):
    return _nps_groups(page.by_touchpoint, _("Touchpoint"))


def _scores(distribution: dict[int, int]):
    return list(distribution.items()), [
        Column(_("Score"), lambda item: item[0], width=8),
        Column(_("Answers"), lambda item: item[1], width=10),
    ]


def nps_distribution(page: selectors.NpsDashboard):
    return _scores(page.distribution)


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


# --- the CSAT and CES page --------------------------------------------------------------------


def _csat_columns(figure: Callable) -> list[Column]:
    """A CSAT's columns (``figure``: a row's ``metrics.Csat``)."""
    return [
        Column(_("CSAT (%)"), lambda row: _one(figure(row).percent), width=10),
        Column(_("Margin of error"), lambda row: _one(figure(row).margin_of_error)),
        Column(_("Mean (1–5)"), lambda row: figure(row).mean, width=10),
        Column(_("Answers"), lambda row: figure(row).whole, width=10),
    ]


def csat_trend(page: csat_selectors.CsatDashboard):
    return page.trend, [
        Column(_("From"), lambda p: p.period.start, width=12),
        Column(_("To"), lambda p: p.period.end, width=12),
        *_csat_columns(lambda p: p.csat),
    ]


def _csat_groups(groups: list[csat_selectors.CsatGroup], heading: str):
    figures = _csat_columns(lambda g: g.csat)
    return _groups(groups, heading, figures, lambda csat: _one(csat.percent), lambda c: c.whole)


def csat_brands(page: csat_selectors.CsatDashboard):
    return _csat_groups(page.by_brand, _("Brand"))


def csat_touchpoints(page: csat_selectors.CsatDashboard):
    return _csat_groups(page.by_touchpoint, _("Touchpoint"))


def csat_distribution(page: csat_selectors.CsatDashboard):
    return _scores(page.distribution)


def ces_trend(page: csat_selectors.CsatDashboard):
    return page.ces_trend, [
        Column(_("From"), lambda p: p.period.start, width=12),
        Column(_("To"), lambda p: p.period.end, width=12),
        Column(_("CES (mean, 1–7)"), lambda p: p.mean),
    ]


def ces_distribution(page: csat_selectors.CsatDashboard):
    return _scores(page.ces_distribution)


def csat_page(member, filters: DashboardFilterSet) -> csat_selectors.CsatDashboard:
    """The CSAT page's figures without its question breakdown (no chart: no table of it)."""
    return csat_selectors.csat_dashboard(member, filters, None)


# --- the programme summary --------------------------------------------------------------------


def summary_rate(page: summary_selectors.SummaryDashboard):
    rates = [(_("This period"), page.now.response_rate)]
    if page.previous is not None:
        rates.append((_("Previous period"), page.previous.response_rate))
    return rates, [
        Column(_("Period"), lambda item: item[0], width=18),
        Column(_("Answered"), lambda item: item[1].part, width=10),
        Column(_("Emails accepted"), lambda item: item[1].whole),
        Column(_("Queued"), lambda item: item[1].queued, width=10),
        Column(_("Failed"), lambda item: item[1].failed, width=10),
        Column(_("Response rate (%)"), lambda item: _one(item[1].percent)),
        Column(_("Norm: from (%)"), lambda _item: page.norms.response_rate_low),
        Column(_("Norm: to (%)"), lambda _item: page.norms.response_rate_high),
    ]


def summary_sample(page: summary_selectors.SummaryDashboard):
    coverage = page.now.coverage
    rows = [(_("Invited"), coverage.part)]
    rows += [(decision.label, coverage.skipped[decision.value]) for decision in SKIP_REASONS]
    rows.append((_("Relevant (a survey rule matched)"), coverage.whole))
    return rows, [
        Column(_("Decision"), lambda item: str(item[0]), width=32),
        Column(_("Service events"), lambda item: item[1]),
    ]


# --- the survey funnel ------------------------------------------------------------------------


def funnel_stages(page: funnel_selectors.FunnelDashboard):
    columns = [
        Column(_("Stage"), lambda s: str(funnel_views.STAGE_LABELS[s.key]), width=32),
        Column(_("Service events"), lambda s: s.count),
    ]
    if page.previous is not None:
        columns += [
            Column(_("Previous period"), lambda s: s.previous),
            Column(_("Change"), lambda s: s.change, width=10),
        ]
    return page.stages, columns


def funnel_reasons(page: funnel_selectors.FunnelDashboard):
    rows = [(_("Relevant, not invited"), reason) for reason in page.skips]
    rows += [(_("Outside the sample"), reason) for reason in page.outside]
    columns = [
        Column(_("Group"), lambda item: item[0], width=24),
        Column(_("Decision"), lambda item: item[1].label, width=32),
        Column(_("Service events"), lambda item: item[1].count),
    ]
    if page.previous is not None:
        columns.append(Column(_("Previous period"), lambda item: item[1].previous))
    return rows, columns


# --- the performers tab -----------------------------------------------------------------------


def performers_ratings(page: performers_selectors.PerformersDashboard):
    """The ranked performers, then those without enough data (no rank, no rating)."""
    columns = [
        Column(_("Rank"), lambda r: r.rank, width=8),
        Column(_("Performer"), lambda r: performers_views.performer_name(r.rating.performer)),
        Column(_("Department"), lambda r: getattr(r.rating.performer.department, "name", "")),
        Column(_("Rating (%)"), lambda r: _one(r.rating.value), width=10),
        Column(_("Since the previous period"), lambda r: _one(r.movement), width=12),
        Column(_("Answers"), lambda r: r.answers, width=10),
    ]
    for index, kind in enumerate(formula.COMPONENTS):

        def normalised(r, index=index):
            component = performers_views.components_of(r.rating)[index]
            return _one(component["normalised"]) if component and component["has_enough"] else None

        columns.append(Column(_("%(component)s (%%)") % {"component": kind.label}, normalised))
    return page.ranked + page.unranked, columns


def performers_departments(page: performers_selectors.PerformersDashboard):
    return page.department_ratings, [
        Column(_("Department"), lambda r: r.department.name, width=24),
        Column(_("Rating (%)"), lambda r: _one(r.value), width=10),
        Column(_("Answers"), lambda r: r.inputs.get("answers"), width=10),
    ]


# --- the registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A dashboard page: its selector (``(member, filters) -> data``), its tables, each a
    function ``data -> (rows, columns)``, and its filters (``request -> filters``; the
    dashboards' by default)."""

    load: Callable
    tables: dict[str, Callable]
    filters: Callable = DashboardFilterSet.from_request


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
    "csat": Page(
        load=csat_page,
        tables={
            "trend": csat_trend,
            "brands": csat_brands,
            "touchpoints": csat_touchpoints,
            "distribution": csat_distribution,
            "ces-trend": ces_trend,
            "ces-distribution": ces_distribution,
        },
    ),
    "summary": Page(
        load=summary_selectors.summary_dashboard,
        tables={"rate": summary_rate, "sample": summary_sample},
    ),
    "funnel": Page(
        load=funnel_selectors.funnel_dashboard,
        tables={"stages": funnel_stages, "reasons": funnel_reasons},
    ),
    "performers": Page(
        load=performers_selectors.performers_dashboard,
        tables={"ratings": performers_ratings, "departments": performers_departments},
        filters=performers_selectors.PerformersFilters.from_request,
    ),
}


@require_GET
@member_required(Action.VIEW_DASHBOARDS)
def dashboard_table_export(request, page, table, fmt):
    filters = PAGES[page].filters(request)
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
