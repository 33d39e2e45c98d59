"""Marking days due and recomputing them (``surveys.rollups`` says how and why)."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from surveys.models import Answer, AnswerDay, AnswerDayDue, Response
from tenants import rls
from tenants.models import Tenant

# Days recomputed in one transaction: a month of a large tenant's answers.
BATCH_DAYS = 31

# Where an answer's rollup columns come from.
_SOURCES = {
    "question_id": "question_id",
    "purpose": "response__invitation__purpose",
    "brand_id": "response__interaction__brand_id",
    "touchpoint_id": "response__interaction__touchpoint_id",
    "performer_id": "response__interaction__performer_id",
    "complaint_id": "response__interaction__complaint_id",
    "score": "score",
    "choice": "choice",
}


def answer_days_due(*, tenant: Tenant, moments: Iterable[datetime]) -> None:
    """Mark the days of ``moments`` (in the tenant's time zone) due. An upsert: it holds the
    mark's row lock until the caller's transaction ends, so a refresh running meanwhile waits
    for these answers to be committed (call it last in the transaction)."""
    zone = ZoneInfo(tenant.time_zone)
    days = sorted({moment.astimezone(zone).date() for moment in moments})
    now = timezone.now()
    AnswerDayDue.objects.bulk_create(
        [AnswerDayDue(tenant=tenant, day=day, marked_at=now) for day in days],
        update_conflicts=True,
        unique_fields=["tenant", "day"],
        update_fields=["marked_at"],
    )


def answer_days_refresh(
    *, tenant: Tenant, first: date | None = None, last: date | None = None
) -> int:
    """Recompute the tenant's due days (those from ``first`` to ``last`` if given), a batch
    of :data:`BATCH_DAYS` per transaction; returns how many."""
    due = AnswerDayDue.objects.for_tenant(tenant)
    if first is not None:
        due = due.filter(day__gte=first)
    if last is not None:
        due = due.filter(day__lte=last)
    if not due.exists():  # the usual case: one query
        return 0
    done = picked = BATCH_DAYS
    while picked == BATCH_DAYS:  # a batch short of full was the last
        picked = _refresh_batch(tenant, due)
        done += picked
    return done - BATCH_DAYS


def _refresh_batch(tenant: Tenant, due: QuerySet[AnswerDayDue]) -> int:
    with transaction.atomic():
        # Waits for the writers that marked these days (their answers are then committed).
        locked = due.select_for_update().order_by("day")
        days = list(locked.values_list("day", flat=True)[:BATCH_DAYS])
        if not days:
            return 0
        AnswerDay.objects.for_tenant(tenant).filter(day__in=days).delete()
        AnswerDay.objects.bulk_create(
            [
                AnswerDay(
                    tenant=tenant,
                    day=row["day"],
                    answers=row["answers"],
                    **{column: row[source] for column, source in _SOURCES.items()},
                )
                for row in _day_rows(tenant, days)
            ],
            batch_size=2000,
        )
        AnswerDayDue.objects.for_tenant(tenant).filter(day__in=days).delete()
    return len(days)


def _day_rows(tenant: Tenant, days: list[date]) -> QuerySet:
    """The raw answers of ``days`` counted by every rollup column: one GROUP BY."""
    zone = ZoneInfo(tenant.time_zone)
    return (
        Answer.objects.for_tenant(tenant)
        .filter(
            response__submitted_at__gte=datetime.combine(days[0], time(), zone),
            response__submitted_at__lt=datetime.combine(days[-1] + timedelta(days=1), time(), zone),
        )
        .annotate(day=TruncDate("response__submitted_at", tzinfo=zone))
        .filter(day__in=days)
        .values("day", *_SOURCES.values())
        .annotate(answers=Count("pk"))
        .order_by()
    )


def answer_days_rebuild(*, tenant: Tenant) -> int:
    """Recompute every day of the tenant that has answers or rollup rows (after a bulk load,
    or to check nothing drifted); returns how many."""
    zone = ZoneInfo(tenant.time_zone)
    answered = (
        Response.objects.for_tenant(tenant)
        .annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .values_list("day", flat=True)
        .distinct()
    )
    kept = AnswerDay.objects.for_tenant(tenant).values_list("day", flat=True).distinct()
    days = {*answered.order_by(), *kept.order_by()}
    now = timezone.now()
    AnswerDayDue.objects.bulk_create(
        [AnswerDayDue(tenant=tenant, day=day, marked_at=now) for day in sorted(days)],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return answer_days_refresh(tenant=tenant)


def answer_days_catch_up() -> int:
    """The beat's catch-up: every tenant's due days; returns how many."""
    with rls.all_tenants():
        tenant_ids = list(
            AnswerDayDue.objects.unscoped().values_list("tenant_id", flat=True).distinct()
        )
    done = 0
    for tenant in Tenant.objects.filter(pk__in=tenant_ids).order_by("pk"):
        with rls.tenant(tenant):
            done += answer_days_refresh(tenant=tenant)
    return done
