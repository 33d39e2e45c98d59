"""What the rating pages read: a member's stored ratings, their team's medians, and the
responses and complaints behind a period's rating (each a fixed number of queries)."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import QuerySet
from django.utils import timezone

from complaints.models import Complaint
from ratings import formula
from ratings.models import Dispute, Rating, RatingPeriod
from ratings.periods import local_day, period_bounds, period_instants
from surveys.models import Invitation, Response
from tenants.models import Membership

TREND_PERIODS = 12


def today_of(tenant) -> date:
    return local_day(timezone.now(), tenant.time_zone)


def period_chosen(member: Membership, kind: str, start: date | None) -> RatingPeriod | None:
    """The stored period of ``kind`` starting at ``start`` (default: the current one), or None
    when nothing was computed for it yet."""
    if start is None:
        start, _end = period_bounds(kind, today_of(member.tenant))
    return RatingPeriod.objects.for_tenant(member.tenant_id).filter(kind=kind, start=start).first()


def rating_of(member: Membership, period: RatingPeriod) -> Rating | None:
    return (
        Rating.objects.for_tenant(member.tenant_id)
        .select_related("scheme")
        .filter(period=period, performer=member)
        .first()
    )


def trend_of(member: Membership, kind: str) -> list[tuple[RatingPeriod, float | None]]:
    """The member's rating in the last ``TREND_PERIODS`` stored periods of ``kind``, oldest
    first (a period where they had no row is left out)."""
    rows = (
        Rating.objects.for_tenant(member.tenant_id)
        .filter(performer=member, period__kind=kind)
        .select_related("period")
        .order_by("-period__start")[:TREND_PERIODS]
    )
    return [(row.period, row.value) for row in reversed(rows)]


def team_medians(member: Membership, period: RatingPeriod) -> dict[str, float]:
    """``{component: median normalised score}`` over the period's rated members of the
    member's department (themself included), counting only components with enough data."""
    if member.department_id is None:
        return {}
    rows = Rating.objects.for_tenant(member.tenant_id).filter(
        period=period, performer__department_id=member.department_id
    )
    scores: dict[str, list[float]] = {}
    for components in rows.values_list("components", flat=True):
        for component in components:
            if component["has_enough"]:
                scores.setdefault(component["key"], []).append(component["normalised"])
    return {key: median(values) for key, values in scores.items()}


@dataclass(frozen=True)
class ComponentLine:
    """One row of the "My rating" table."""

    kind: formula.ComponentKind
    raw: float | None
    count: int
    floor: float
    target: float
    normalised: float | None
    weight: float
    has_enough: bool
    team_median: float | None


def component_lines(rating: Rating, medians: dict[str, float]) -> list[ComponentLine]:
    norms = rating.scheme.norms
    return [
        ComponentLine(
            kind=formula.COMPONENT_KINDS[component["key"]],
            raw=component["raw"],
            count=component["count"],
            floor=norms[component["key"]][0],
            target=norms[component["key"]][1],
            normalised=component["normalised"],
            weight=component["weight"],
            has_enough=component["has_enough"],
            team_median=medians.get(component["key"]),
        )
        for component in rating.components
    ]


def _instants(member: Membership, period: RatingPeriod):
    return period_instants(period.start, period.end, member.tenant.time_zone)


def responses_behind(member: Membership, period: RatingPeriod, kind: str) -> QuerySet[Response]:
    """The first responses of the customer-score kind about the member's interactions of the
    period, newest first, with their dispute (if any)."""
    start, end = _instants(member, period)
    return (
        Response.objects.for_tenant(member.tenant_id)
        .filter(
            interaction__performer=member,
            primary_kind=kind,
            invitation__purpose=Invitation.Purpose.FIRST,
            interaction__occurred_at__gte=start,
            interaction__occurred_at__lt=end,
        )
        .select_related("interaction__customer", "dispute")
        .order_by("-interaction__occurred_at", "-pk")
    )


def complaints_behind(member: Membership, period: RatingPeriod) -> QuerySet[Complaint]:
    """The complaints the member resolved in the period, latest first."""
    start, end = _instants(member, period)
    return (
        Complaint.objects.for_tenant(member.tenant_id)
        .filter(assignee=member, resolved_at__gte=start, resolved_at__lt=end)
        .order_by("-resolved_at")
    )


def open_disputes(disputes: QuerySet[Dispute]) -> QuerySet[Dispute]:
    return (
        disputes.filter(status=Dispute.Status.OPEN)
        .select_related("performer__user", "response")
        .order_by("created_at", "pk")
    )
