"""Complaint figures, computed in SQL: what every page, export and report shows.

This module is the definition of each complaint figure (the README's "Figures → Complaints"
says the same in words). Every function takes a queryset of complaints (or of corrective
actions) that the caller has already scoped and filtered — tenant, the member's visible
departments, brand, touchpoint, department, channel, category, received in the period — and
returns plain numbers, in one aggregate or GROUP BY query. Nothing loops over rows in Python,
with one exception said below (working hours need the business calendar, which is not in SQL).

* **Volume**: complaints received (``received_at``), by week or month in the tenant's time
  zone, and by category (the complaint's own node) or by channel. Every complaint counts,
  whatever became of it (rejected, withdrawn and merged ones too: they were received).
* **Resolved**: complaints whose (latest) resolution falls in the period, whenever they were
  received.
* **Root causes (Pareto)**: complaints that carry a root cause (chosen when resolved), per
  root cause, most frequent first (ties by the root cause's id), each with its share and the
  cumulative share of all complaints that carry one. Those without one yet are counted apart.
* **SLA compliance**, per clock — acknowledgement (``acknowledged_at``), first response
  (``first_responded_at``), resolution (``resolved_at``) against its stored due time:

  - *met*: the clock stopped at or before its due time;
  - *missed*: it stopped after its due time, or it is **overdue** now — the queue's one rule
    (``complaints.models.case.clock_overdue_q``: open, not paused while waiting on the
    customer, not stopped, past due);
  - compliance = met ÷ (met + missed). A clock still running within its time, a paused one,
    and one that never stopped because the complaint ended (rejected, withdrawn, merged) are
    not due and count nowhere. A reopened complaint's resolution clock is its current round's.

* **Backlog ageing**: complaints open now (any state but closed, rejected, withdrawn, merged:
  the queue's "open") by age in whole days in the tenant's time zone (today − the local day it
  was received): 0–1 days, 2–6, 7–29, 30 and more (``AGE_BUCKETS``).
* **Time to resolution** in working hours of the tenant's business calendar, from receipt to
  resolution (``tenants.business_time.business_time_between``, the function the ratings use),
  of the complaints resolved; the one figure read row by row (two columns each), then put in
  bands (``HOUR_BUCKETS``) with its median.
* **Repeat complainants**: customers with at least N complaints among those given, N being
  the tenant's ``repeat_threshold`` (the setting that flags repeat complainants at intake).
* **Corrective actions**: by status, and overdue (open or in progress past their due date).
* **Effectiveness of a completed action**: complaints received per month with the category,
  and with the root cause, of the complaint it was opened on, in the ``months`` full months
  before the month it was completed and the months after it (to the last full month);
  it worked when the mean per month after is below the mean before.
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, DateTimeField, F, Q, QuerySet
from django.db.models.functions import Trunc

from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint, CorrectiveAction
from complaints.models.case import CLOCKS, clock_overdue_q
from tenants.business_time import BusinessCalendar, business_time_between

UNITS = ("week", "month")
DIMENSIONS = {
    "category": "category_id",
    "channel": "channel",
    "brand": "brand_id",
    "department": "department_id",
}
# Ages of the backlog, in whole days: [low, high), the last one open-ended.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 2), (2, 7), (7, 30), (30, None))
# Working hours to resolution: [low, high), the last one open-ended (8 h ≈ a working day).
HOUR_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 8),
    (8, 24),
    (24, 40),
    (40, 80),
    (80, 120),
    (120, None),
)
MONTHS_AROUND = 6


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, as a percentage (None when there is no whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if not self.whole else 100 * self.part / self.whole


# --- volume ---------------------------------------------------------------------------------


def volume(complaints: QuerySet[Complaint]) -> int:
    """Complaints received."""
    return complaints.count()


def resolved(complaints: QuerySet[Complaint], start: datetime, end: datetime) -> int:
    """Complaints resolved from ``start`` to before ``end`` (``resolved_at``, the latest
    resolution: a reopened complaint counts once resolved again), whenever received: the
    caller passes every complaint received up to ``end``."""
    return complaints.filter(resolved_at__gte=start, resolved_at__lt=end).count()


def volume_by(
    complaints: QuerySet[Complaint], unit: str, dimension: str, *, zone: ZoneInfo
) -> dict[tuple[date, object], int]:
    """``{(first day of the week or month, category id or channel): complaints}``, one GROUP BY;
    weeks start on Monday, in ``zone``. Complaints without a category come under None."""
    if unit not in UNITS:
        raise ValueError(f"cannot count by {unit!r}")
    start = Trunc("received_at", unit, output_field=DateTimeField(), tzinfo=zone)
    rows = (
        complaints.annotate(start=start, key=F(DIMENSIONS[dimension]))
        .values("start", "key")
        .annotate(complaints=Count("pk"))
        .order_by()
    )
    return {(row["start"].astimezone(zone).date(), row["key"]): row["complaints"] for row in rows}


# --- root causes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParetoRow:
    root_cause_id: int
    complaints: int
    percent: float  # of the complaints with a root cause
    cumulative_percent: float


@dataclass(frozen=True)
class Pareto:
    rows: list[ParetoRow]
    with_root_cause: int
    without_root_cause: int


def root_cause_pareto(complaints: QuerySet[Complaint]) -> Pareto:
    """Root causes most frequent first, with their share and the cumulative share."""
    counts = list(
        complaints.filter(root_cause__isnull=False)
        .values("root_cause_id")
        .annotate(complaints=Count("pk"))
        .order_by("-complaints", "root_cause_id")
    )
    without = complaints.filter(root_cause__isnull=True).count()
    total = sum(row["complaints"] for row in counts)
    rows, running = [], 0
    for row in counts:
        running += row["complaints"]
        rows.append(
            ParetoRow(
                root_cause_id=row["root_cause_id"],
                complaints=row["complaints"],
                percent=100 * row["complaints"] / total,
                cumulative_percent=100 * running / total,
            )
        )
    return Pareto(rows=rows, with_root_cause=total, without_root_cause=without)


# --- SLA compliance -------------------------------------------------------------------------


@dataclass(frozen=True)
class Compliance:
    """One clock's due complaints: met by their due time, or missed."""

    met: int
    missed: int

    @property
    def due(self) -> int:
        return self.met + self.missed

    @property
    def percent(self) -> float | None:
        return Share(self.met, self.due).percent


def _compliance_counts(now: datetime) -> dict:
    counts = {}
    for clock, (due, done) in CLOCKS.items():
        stopped_in_time = Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)})
        stopped_late = Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)})
        counts[f"{clock}_met"] = Count("pk", filter=stopped_in_time)
        counts[f"{clock}_missed"] = Count("pk", filter=stopped_late | clock_overdue_q(clock, now))
    return counts


def _compliances(row: dict) -> dict[str, Compliance]:
    return {
        clock: Compliance(met=row[f"{clock}_met"], missed=row[f"{clock}_missed"])
        for clock in CLOCKS
    }


def sla_compliance(complaints: QuerySet[Complaint], *, now: datetime) -> dict[str, Compliance]:
    """``{"acknowledge" | "first_response" | "resolve": Compliance}``, one query."""
    return _compliances(complaints.aggregate(**_compliance_counts(now)))


def sla_compliance_by(
    complaints: QuerySet[Complaint], dimension: str, *, now: datetime
) -> dict[object, dict[str, Compliance]]:
    """The same per brand or per department (the complaint's own; None: no department)."""
    rows = (
        complaints.annotate(key=F(DIMENSIONS[dimension]))
        .values("key")
        .annotate(**_compliance_counts(now))
        .order_by()
    )
    return {row.pop("key"): _compliances(row) for row in rows}


# --- backlog --------------------------------------------------------------------------------


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def age_bucket_days(today: date, low: int, high: int | None) -> tuple[date | None, date]:
    """The days received of the complaints aged ``low`` to ``high`` − 1 days on ``today``:
    (first day or None, last day)."""
    first = None if high is None else today - timedelta(days=high - 1)
    return first, today - timedelta(days=low)


def backlog_ageing(
    complaints: QuerySet[Complaint], *, today: date, zone: ZoneInfo
) -> dict[tuple[int, int | None], int]:
    """``{(low, high): open complaints aged low to high − 1 whole days}``, one query."""
    counts = {}
    for index, (low, high) in enumerate(AGE_BUCKETS):
        first, last = age_bucket_days(today, low, high)
        received = Q(received_at__lt=local_midnight(last + timedelta(days=1), zone))
        if first is not None:
            received &= Q(received_at__gte=local_midnight(first, zone))
        counts[f"bucket_{index}"] = Count("pk", filter=received)
    row = complaints.filter(state__in=OPEN_STATES).aggregate(**counts)
    return {bucket: row[f"bucket_{i}"] for i, bucket in enumerate(AGE_BUCKETS)}


# --- time to resolution ---------------------------------------------------------------------


def resolution_hours(complaints: QuerySet[Complaint], calendar: BusinessCalendar) -> list[float]:
    """Working hours from receipt to resolution of each resolved complaint, shortest first.

    Row by row (two columns per complaint): working time needs the tenant's calendar, which is
    not in SQL; ``business_time_between`` is the one function that counts it (the ratings'
    resolution time uses it too)."""
    rows = complaints.filter(resolved_at__isnull=False).values_list("received_at", "resolved_at")
    return sorted(
        business_time_between(received, resolved, calendar).total_seconds() / 3600
        for received, resolved in rows.order_by()
    )


@dataclass(frozen=True)
class HoursDistribution:
    buckets: dict[tuple[int, int | None], int]
    resolved: int
    median: float | None


def hours_distribution(hours: Sequence[float]) -> HoursDistribution:
    """``hours`` (``resolution_hours``) in ``HOUR_BUCKETS``, with their median."""
    buckets = {
        (low, high): sum(1 for h in hours if h >= low and (high is None or h < high))
        for low, high in HOUR_BUCKETS
    }
    return HoursDistribution(
        buckets=buckets,
        resolved=len(hours),
        median=statistics.median(hours) if hours else None,
    )


# --- repeat complainants --------------------------------------------------------------------


def repeat_complainants(complaints: QuerySet[Complaint], *, threshold: int) -> dict[int, int]:
    """``{customer id: complaints}`` of the customers with ``threshold`` or more, most first."""
    rows = (
        complaints.values("customer_id")
        .annotate(complaints=Count("pk"))
        .filter(complaints__gte=threshold)
        .order_by("-complaints", "customer_id")
    )
    return {row["customer_id"]: row["complaints"] for row in rows}


# --- corrective actions ---------------------------------------------------------------------


def corrective_action_counts(actions: QuerySet[CorrectiveAction], *, today: date) -> dict[str, int]:
    """How many actions are in each status, and how many unfinished ones are past due."""
    statuses = CorrectiveAction.Status
    counts = {status.value: Count("pk", filter=Q(status=status.value)) for status in statuses}
    unfinished = Q(status__in=[statuses.OPEN, statuses.IN_PROGRESS])
    counts["overdue"] = Count("pk", filter=unfinished & Q(due_date__lt=today))
    return actions.aggregate(**counts)


def monthly_counts(
    complaints: QuerySet[Complaint], *, zone: ZoneInfo
) -> dict[tuple[date, int | None, int | None], int]:
    """``{(first day of the month, category id, root cause id): complaints received}``."""
    start = Trunc("received_at", "month", output_field=DateTimeField(), tzinfo=zone)
    rows = (
        complaints.annotate(month=start)
        .values("month", "category_id", "root_cause_id")
        .annotate(complaints=Count("pk"))
        .order_by()
    )
    return {
        (row["month"].astimezone(zone).date(), row["category_id"], row["root_cause_id"]): row[
            "complaints"
        ]
        for row in rows
    }


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthCount:
    month: date
    category: int
    root_cause: int


@dataclass(frozen=True)
class Effectiveness:
    before: list[MonthCount]
    completed_in: MonthCount
    after: list[MonthCount]

    @staticmethod
    def _mean(months: Iterable[MonthCount], field: str) -> float | None:
        values = [getattr(month, field) for month in months]
        return sum(values) / len(values) if values else None

    def mean(self, field: str, side: str) -> float | None:
        """The mean per month of ``field`` ("category", "root_cause") ``side`` ("before",
        "after")."""
        return self._mean(getattr(self, side), field)

    def dropped(self, field: str) -> bool | None:
        """Whether the mean per month after is below the mean before (None: no month after)."""
        before, after = self.mean(field, "before"), self.mean(field, "after")
        if before is None or after is None:
            return None
        return after < before


def effectiveness(
    counts: dict[tuple[date, int | None, int | None], int],
    *,
    category_id: int | None,
    root_cause_id: int | None,
    completed_month: date,
    current_month: date,
    months: int = MONTHS_AROUND,
) -> Effectiveness:
    """One action's months: ``months`` full months before the month it was completed, that
    month, and the full months after it (up to ``months``, before ``current_month``), each
    with the complaints of its category and of its root cause (``monthly_counts``)."""

    def month_count(month: date) -> MonthCount:
        of_category = of_cause = 0
        for (when, category, cause), n in counts.items():
            if when != month:
                continue
            if category_id is not None and category == category_id:
                of_category += n
            if root_cause_id is not None and cause == root_cause_id:
                of_cause += n
        return MonthCount(month=month, category=of_category, root_cause=of_cause)

    after = []
    for step in range(1, months + 1):
        month = add_months(completed_month, step)
        if month >= current_month:
            break
        after.append(month_count(month))
    return Effectiveness(
        before=[month_count(add_months(completed_month, -step)) for step in range(months, 0, -1)],
        completed_in=month_count(completed_month),
        after=after,
    )


def effectiveness_window(completed_months: Iterable[date], months: int = MONTHS_AROUND):
    """The first month before and the first month after every action's months: the complaints
    ``monthly_counts`` needs."""
    completed = list(completed_months)
    return add_months(min(completed), -months), add_months(max(completed), months + 1)
