"""The dashboards' data: plain values for the pages, every figure from ``surveys.metrics``.

Nothing here computes a figure a second time: an NPS, its margin, a share or a difference is
the metrics module's (``metrics.nps``, ``nps_by``, ``nps_distribution``, ``nps_difference``,
``Share``), over the rows ``dashboards.filters`` lets through. This module only picks the
periods, puts names on ids, sorts, and reads the comments. ``dashboards.charts`` draws it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dashboards.filters import (
    COMMENT_BANDS,
    DETRACTOR,
    PASSIVE,
    PROMOTER,
    DashboardFilterSet,
    Period,
)
from surveys import metrics, scoring
from surveys.models import FollowUp, Invitation, Response
from tenants.models import Brand, Membership, Touchpoint

# A period up to this long is drawn by week, a longer one by month.
LONGEST_BY_WEEK = 184
COMMENTS = 20


@dataclass(frozen=True)
class TrendPoint:
    """The NPS of one week or month: ``period`` is its days within the page's period."""

    period: Period
    nps: metrics.Nps


@dataclass(frozen=True)
class Group:
    """One brand's or touchpoint's NPS (``key`` None: no touchpoint), beside its own NPS in the
    comparison period and the test of the difference (None without a comparison)."""

    key: int | None
    name: str
    nps: metrics.Nps
    previous: metrics.Nps | None
    difference: metrics.Difference | None


@dataclass(frozen=True)
class BandCount:
    band: str  # filters.DETRACTOR, PASSIVE or PROMOTER
    share: metrics.Share  # of the answered


@dataclass(frozen=True)
class Comment:
    response_id: int
    submitted_at: datetime
    score: int | None
    band: str  # scoring's: "low", "middle", "high" or "none"
    text: str
    brand: str
    touchpoint: str | None
    follow_up_id: int | None
    follow_up_status: str | None


@dataclass(frozen=True)
class NpsDashboard:
    period: Period
    compared_period: Period | None
    nps: metrics.Nps
    previous: metrics.Nps | None
    difference: metrics.Difference | None
    trend_unit: str  # "week" or "month"
    trend: list[TrendPoint]
    by_brand: list[Group]
    by_touchpoint: list[Group]
    distribution: dict[int, int]  # score 0–10 → answers
    bands: list[BandCount]
    comments: list[Comment]


# --- periods --------------------------------------------------------------------------------


def trend_unit(period: Period) -> str:
    return "week" if period.days <= LONGEST_BY_WEEK else "month"


def _unit_start(day: date, unit: str) -> date:
    """The first day of the week (Monday, as PostgreSQL's ``date_trunc``) or month of ``day``."""
    return day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)


def _next_unit(first: date, unit: str) -> date:
    if unit == "week":
        return first + timedelta(days=7)
    return (first + timedelta(days=32)).replace(day=1)


def units_of(period: Period, unit: str) -> list[tuple[date, Period]]:
    """Each week or month that ``period`` touches: its first day, and its days within it."""
    found = []
    first = _unit_start(period.start, unit)
    while first <= period.end:
        following = _next_unit(first, unit)
        days = Period(max(first, period.start), min(following - timedelta(days=1), period.end))
        found.append((first, days))
        first = following
    return found


def _trend(answers, period: Period, time_zone: str) -> tuple[str, list[TrendPoint]]:
    """The NPS of each week or month of the period, those without answers included (empty)."""
    unit = trend_unit(period)
    zone = ZoneInfo(time_zone)
    by_start = metrics.nps_by(answers, unit, zone=zone)  # the rollup's: first days
    points = [
        TrendPoint(period=days, nps=by_start.get(first, _NO_ANSWERS))
        for first, days in units_of(period, unit)
    ]
    return unit, points


_NO_ANSWERS = metrics.Nps(answered=0, skipped=0, promoters=0, passives=0, detractors=0)


# --- groups ---------------------------------------------------------------------------------


def figure_groups(
    current: dict,
    previous: dict | None,
    names: dict,
    unnamed: str,
    *,
    group: Callable,
    empty,
    test: Callable,
    headline: Callable,
) -> list:
    """The groups (brands, touchpoints) of the period from a metrics module's ``{key: figure}``
    (and the comparison period's, or None), each made as ``group(key, name, figure, previous
    figure, test of the change)`` (``Group``, ``csat_selectors.CsatGroup``): ``empty`` stands
    for a group without answers before, ``test`` is the metrics module's difference, and the
    highest ``headline(figure)`` comes first (those without one last, by name)."""
    rows = []
    for key, figure in current.items():
        before = None if previous is None else previous.get(key, empty)
        name = names.get(key, unnamed) if key is not None else unnamed
        made = group(key, name, figure, before, None if before is None else test(figure, before))
        rows.append((headline(figure), name, made))
    rows.sort(key=lambda row: (row[0] is None, -(row[0] or 0), row[1]))
    return [made for _value, _name, made in rows]


# Highest NPS first (those with skipped answers only last).
_groups = partial(
    figure_groups,
    group=Group,
    empty=_NO_ANSWERS,
    test=metrics.nps_difference,
    headline=lambda nps: nps.score,
)


def names_of(model, tenant_id: int, *, label: str = "name") -> dict:
    """``{pk: name}`` of the tenant's rows of ``model`` (a chart's labels)."""
    return dict(model.objects.for_tenant(tenant_id).values_list("pk", label))


# --- comments -------------------------------------------------------------------------------


def latest_comments(responses: QuerySet[Response], kind: str, band: str | None) -> list[Comment]:
    """The latest comments on the surveys whose primary question is of ``kind``, first answers
    (as the figures), of one band (``filters.COMMENT_BANDS``) or every one."""
    rows = responses.filter(
        primary_kind=kind, invitation__purpose=Invitation.Purpose.FIRST
    ).exclude(comment="")
    if band is not None:
        rows = rows.filter(scoring.band_q(COMMENT_BANDS[band]))
    rows = rows.order_by("-submitted_at", "-pk").values(
        "pk",
        "submitted_at",
        "primary_score",
        "comment",
        "interaction__brand__name",
        "interaction__touchpoint__name",
        "follow_up__pk",
        "follow_up__status",
    )
    return [
        Comment(
            response_id=row["pk"],
            submitted_at=row["submitted_at"],
            score=row["primary_score"],
            band=scoring.band_of(kind, row["primary_score"]),
            text=row["comment"],
            brand=row["interaction__brand__name"],
            touchpoint=row["interaction__touchpoint__name"],
            follow_up_id=row["follow_up__pk"],
            follow_up_status=(
                FollowUp.Status(row["follow_up__status"]).label
                if row["follow_up__status"]
                else None
            ),
        )
        for row in rows[:COMMENTS]
    ]


# --- the NPS page ---------------------------------------------------------------------------


def nps_dashboard(member: Membership, filters: DashboardFilterSet) -> NpsDashboard:
    """Everything the NPS page shows, for the member and the (valid) filters: a fixed number
    of queries whatever the number of responses."""
    tenant = member.tenant
    period, compared = filters.period, filters.compared_period
    answers = filters.answer_days(period)
    earlier = filters.answer_days(compared) if compared is not None else None
    nps = metrics.nps(answers)
    previous = metrics.nps(earlier) if earlier is not None else None
    unit, trend = _trend(answers, period, tenant.time_zone)

    def by(dimension: str) -> tuple[dict, dict | None]:
        now = metrics.nps_by(answers, dimension)
        return now, (metrics.nps_by(earlier, dimension) if earlier is not None else None)

    brands = names_of(Brand, tenant.pk)
    touchpoints = names_of(Touchpoint, tenant.pk)
    counts = {DETRACTOR: nps.detractors, PASSIVE: nps.passives, PROMOTER: nps.promoters}
    return NpsDashboard(
        period=period,
        compared_period=compared,
        nps=nps,
        previous=previous,
        difference=metrics.nps_difference(nps, previous) if previous is not None else None,
        trend_unit=unit,
        trend=trend,
        by_brand=_groups(*by("brand"), brands, unnamed=""),
        by_touchpoint=_groups(*by("touchpoint"), touchpoints, unnamed=_("No touchpoint")),
        distribution=metrics.nps_distribution(answers),
        bands=[
            BandCount(band=band, share=metrics.Share(part=count, whole=nps.answered))
            for band, count in counts.items()
        ],
        comments=latest_comments(
            filters.responses(period), scoring.QuestionKind.NPS, filters.comment_band
        ),
    )
