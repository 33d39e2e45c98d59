"""The Complaints dashboard's data: plain values, every figure from ``complaints.metrics``.

Nothing here computes a figure a second time: it picks the rows (``DashboardFilterSet.complaints``:
the queue's visibility rule, the page's filters, received in the period), calls the metrics
module, puts names on ids and lays the weeks or months out. ``dashboards.complaints_charts``
draws it; ``complaint_queue_url`` is the queue behind a figure.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import metrics
from complaints.models import Category, Channel, CorrectiveAction, RootCause
from complaints.selectors import complaint_settings, visible_corrective_actions
from customers.models import Customer
from dashboards.filters import EARLIEST, DashboardFilterSet, Period
from dashboards.selectors import names_of, trend_unit, units_of
from ratings.periods import local_day
from tenants.calendar import calendar_for
from tenants.models import Brand, Department, Membership

# How many completed actions the effectiveness table shows (the latest completed first).
ACTIONS_SHOWN = 10
# The queue's filters the dashboard's have too, under the same names; it has no channel,
# department or root-cause filter, so a link to it cannot carry those.
QUEUE_NAMES = ("brand", "touchpoint", "category")
NOT_IN_QUEUE = ("department", "channel")


@dataclass(frozen=True)
class Series:
    """One category's or channel's complaints per week or month (``counts`` in ``units``'
    order); ``key`` None: no category."""

    key: object
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Named:
    key: object
    name: str
    value: object


@dataclass(frozen=True)
class AgeBucket:
    low: int
    high: int | None
    first_day: date | None  # received from (None: any time before)
    last_day: date
    complaints: int


@dataclass(frozen=True)
class RepeatComplainant:
    customer_id: int
    name: str
    email: str
    complaints: int


@dataclass(frozen=True)
class ActionEffect:
    action_id: int
    description: str
    reference: str
    completed_on: date
    category: str | None
    root_cause: str | None
    effect: metrics.Effectiveness

    @property
    def summary(self) -> dict[str, tuple]:
        """Per series ("category", "root_cause"): (mean per month before, after, dropped)."""
        effect = self.effect
        return {
            field: (
                effect.mean(field, "before"),
                effect.mean(field, "after"),
                effect.dropped(field),
            )
            for field in ("category", "root_cause")
        }


@dataclass(frozen=True)
class ComplaintsDashboard:
    period: Period
    compared_period: Period | None
    received: int
    previous_received: int | None
    trend_unit: str
    units: list[Period]
    by_category: list[Series]
    by_channel: list[Series]
    pareto: list[Named]  # value: metrics.ParetoRow
    pareto_totals: metrics.Pareto
    sla: dict[str, metrics.Compliance]
    sla_by_brand: list[Named]  # value: {clock: Compliance}
    sla_by_department: list[Named]
    backlog: list[AgeBucket]
    resolution: metrics.HoursDistribution
    repeat_threshold: int
    repeat: list[RepeatComplainant]
    actions: dict[str, int]
    effects: list[ActionEffect]


def _series(counts: dict, units: list[tuple[date, Period]], names: dict, unnamed: str) -> list:
    keys = {key for _start, key in counts}
    rows = [
        Series(
            key=key,
            name=names.get(key, unnamed) if key is not None else unnamed,
            counts=[counts.get((first, key), 0) for first, _days in units],
        )
        for key in keys
    ]
    return sorted(rows, key=lambda s: (-s.total, s.name))


def action_effects(member: Membership, filters: DashboardFilterSet, today: date, zone: ZoneInfo):
    """The latest completed actions (completed in the period, on complaints the member sees)
    and their complaints' category and root cause per month around completion."""
    first, after = filters.period.instants(member.tenant.time_zone)
    actions = list(
        visible_corrective_actions(member)
        .filter(
            status=CorrectiveAction.Status.DONE,
            completed_at__gte=first,
            completed_at__lt=after,
        )
        .order_by("-completed_at", "-pk")
        .values(
            "pk",
            "description",
            "completed_at",
            "complaint__reference",
            "complaint__category_id",
            "complaint__category__name",
            "complaint__root_cause_id",
            "complaint__root_cause__name",
        )[:ACTIONS_SHOWN]
    )
    if not actions:
        return []
    for action in actions:
        action["month"] = action["completed_at"].astimezone(zone).date().replace(day=1)
    since, until = metrics.effectiveness_window(action["month"] for action in actions)
    around = filters.complaints(Period(since, min(until - timedelta(days=1), today)))
    counts = metrics.monthly_counts(around, zone=zone)
    current = today.replace(day=1)
    return [
        ActionEffect(
            action_id=action["pk"],
            description=action["description"],
            reference=action["complaint__reference"],
            completed_on=action["completed_at"].astimezone(zone).date(),
            category=action["complaint__category__name"],
            root_cause=action["complaint__root_cause__name"],
            effect=metrics.effectiveness(
                counts,
                category_id=action["complaint__category_id"],
                root_cause_id=action["complaint__root_cause_id"],
                completed_month=action["month"],
                current_month=current,
            ),
        )
        for action in actions
    ]


def complaints_dashboard(member: Membership, filters: DashboardFilterSet) -> ComplaintsDashboard:
    """Everything the Complaints page shows, for the member and the (valid) filters: a fixed
    number of queries whatever the number of complaints."""
    tenant = member.tenant
    zone = ZoneInfo(tenant.time_zone)
    now = timezone.now()
    today = local_day(now, tenant.time_zone)
    period, compared = filters.period, filters.compared_period
    complaints = filters.complaints(period)
    unit = trend_unit(period)
    units = units_of(period, unit)
    categories = names_of(Category, tenant.pk)
    brands = names_of(Brand, tenant.pk)
    departments = names_of(Department, tenant.pk)
    causes = names_of(RootCause, tenant.pk)
    pareto = metrics.root_cause_pareto(complaints)

    def by(dimension: str, names: dict, unnamed: str) -> list[Named]:
        grouped = metrics.sla_compliance_by(complaints, dimension, now=now)
        rows = [
            Named(key, names.get(key, unnamed) if key is not None else unnamed, value)
            for key, value in grouped.items()
        ]
        return sorted(rows, key=lambda row: row.name)

    # The backlog is what is open now, whenever it came in: every filter but the period.
    open_now = filters.complaints(Period(EARLIEST, today))
    ages = metrics.backlog_ageing(open_now, today=today, zone=zone)
    threshold = complaint_settings(tenant.pk).repeat_threshold
    repeat = metrics.repeat_complainants(complaints, threshold=threshold)
    customers = {
        row[0]: row[1:]
        for row in Customer.objects.for_tenant(tenant.pk)
        .filter(pk__in=list(repeat))
        .values_list("pk", "name", "email")
    }
    actions = visible_corrective_actions(member).filter(complaint__in=complaints)
    return ComplaintsDashboard(
        period=period,
        compared_period=compared,
        received=metrics.volume(complaints),
        previous_received=(
            metrics.volume(filters.complaints(compared)) if compared is not None else None
        ),
        trend_unit=unit,
        units=[days for _first, days in units],
        by_category=_series(
            metrics.volume_by(complaints, unit, "category", zone=zone),
            units,
            categories,
            unnamed=_("No category"),
        ),
        by_channel=_series(
            metrics.volume_by(complaints, unit, "channel", zone=zone),
            units,
            dict(Channel.choices),
            unnamed="",
        ),
        pareto=[
            Named(row.root_cause_id, causes.get(row.root_cause_id, ""), row) for row in pareto.rows
        ],
        pareto_totals=pareto,
        sla=metrics.sla_compliance(complaints, now=now),
        sla_by_brand=by("brand", brands, unnamed=""),
        sla_by_department=by("department", departments, unnamed=_("No department")),
        backlog=[
            AgeBucket(low, high, *metrics.age_bucket_days(today, low, high), complaints=count)
            for (low, high), count in ages.items()
        ],
        resolution=metrics.hours_distribution(
            metrics.resolution_hours(complaints, calendar_for(tenant))
        ),
        repeat_threshold=threshold,
        repeat=[
            RepeatComplainant(customer_id, *customers.get(customer_id, ("", "")), complaints=n)
            for customer_id, n in repeat.items()
        ],
        actions=metrics.corrective_action_counts(actions, today=today),
        effects=action_effects(member, filters, today, zone),
    )


# --- the queue behind a figure ----------------------------------------------------------------


def complaint_queue_url(
    filters: DashboardFilterSet,
    *,
    queue: str = "all",
    first: date | None = None,
    last: date | None = None,
    period: Period | None = None,
    **narrower,
) -> str:
    """The complaint queue showing the complaints behind a figure: the ``queue`` tab ("all":
    every state; "department": open ones; "overdue"), received from ``first`` to ``last`` (the
    page's period by default), with the page's brand, touchpoint and category unless
    ``narrower`` names another (``category=<id>``; ``q=<text>`` searches)."""
    period = period or filters.period
    data = filters.form.cleaned_data
    query = {"queue": queue}
    if first is not None or last is not None:
        if first is not None:
            query["received_from"] = first.isoformat()
        if last is not None:
            query["received_to"] = last.isoformat()
    else:
        query["received_from"] = period.start.isoformat()
        query["received_to"] = period.end.isoformat()
    for name in QUEUE_NAMES:
        chosen = narrower.pop(name, data.get(name))
        if chosen is not None:
            query[name] = getattr(chosen, "pk", chosen)
    query.update(narrower)
    url = reverse("complaint-queue", kwargs={"tenant_slug": filters.request.tenant.slug})
    return f"{url}?{urlencode(query)}"


def not_in_queue(filters: DashboardFilterSet) -> list[str]:
    """The labels of the filters in use that the queue cannot narrow by."""
    data = filters.form.cleaned_data
    return [str(filters.filters[name].label) for name in NOT_IN_QUEUE if data.get(name)]
