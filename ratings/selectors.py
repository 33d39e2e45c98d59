"""What the rating pages read: a member's stored ratings, their team's medians, and the
responses and complaints behind a period's rating (each a fixed number of queries)."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from complaints.models import Complaint
from ratings import formula
from ratings.models import Dispute, NormsAcknowledgement, Rating, RatingPeriod, RatingScheme
from ratings.periods import local_day, period_bounds, period_instants, previous_start
from surveys.models import Invitation, Response
from tenants.models import Department, Membership
from tenants.permissions import rated_among

TREND_PERIODS = 12


def today_of(tenant) -> date:
    return local_day(timezone.now(), tenant.time_zone)


def period_chosen(member: Membership, kind: str, start: date | None) -> RatingPeriod | None:
    """The stored period of ``kind`` starting at ``start`` (default: the current one), or None
    when nothing was computed for it yet."""
    if start is None:
        start, _end = period_bounds(kind, today_of(member.tenant))
    return RatingPeriod.objects.for_tenant(member.tenant_id).filter(kind=kind, start=start).first()


def periods_of(tenant_id: int, kind: str) -> QuerySet[RatingPeriod]:
    """The tenant's stored periods of ``kind``, newest first (the period picker)."""
    return RatingPeriod.objects.for_tenant(tenant_id).filter(kind=kind).order_by("-start")[:36]


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


def response_of(member: Membership, response_id: int) -> Response | None:
    """A response about one of the member's interactions (what they may dispute), or None."""
    return (
        Response.objects.for_tenant(member.tenant_id)
        .select_related("interaction__customer")
        .filter(pk=response_id, interaction__performer=member)
        .first()
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


# --- norms and who has read them ------------------------------------------------------------


def norms_acknowledged(member: Membership, scheme: RatingScheme) -> bool:
    return (
        NormsAcknowledgement.objects.for_tenant(member.tenant_id)
        .filter(scheme=scheme, performer=member)
        .exists()
    )


def norms_readers(tenant_id: int, scheme: RatingScheme) -> QuerySet[Membership]:
    """The tenant's active rated members, each with ``acknowledged_at`` of this version's
    norms (None: not yet), the ones who have not read them first. One query."""
    acknowledged = NormsAcknowledgement.objects.for_tenant(tenant_id).filter(
        scheme=scheme, performer=OuterRef("pk")
    )
    return (
        rated_among(Membership.objects.for_tenant(tenant_id))
        .select_related("user", "department")
        .annotate(acknowledged_at=Subquery(acknowledged.values("acknowledged_at")[:1]))
        .order_by(F("acknowledged_at").asc(nulls_first=True), "user__last_name", "pk")
    )


# --- the leaderboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    """One performer on the leaderboard (``rank`` None: not enough data)."""

    rating: Rating
    rank: int | None
    movement: float | None  # points since the previous period (None: no rating there)
    answers: int


def _in_subtree(department: Department | None, prefix: str) -> Q:
    return Q(**{f"{prefix}__path__startswith": department.path}) if department else Q()


def leaderboard(
    tenant_id: int, period: RatingPeriod, department: Department | None
) -> tuple[list[BoardRow], list[BoardRow]]:
    """The period's performers of ``department``'s subtree (None: everyone), best first and
    ranked (equal values share a rank), and apart those without a rating; each with the
    movement since the previous period of the same kind. Two queries."""
    rows = list(
        Rating.objects.for_tenant(tenant_id)
        .filter(_in_subtree(department, "performer__department"), period=period)
        .filter(performer__isnull=False)
        .select_related("performer__user", "performer__department")
        .order_by(
            F("value").desc(nulls_last=True),
            "performer__user__last_name",
            "performer__user__first_name",
            "pk",
        )
    )
    before = dict(
        Rating.objects.for_tenant(tenant_id)
        .filter(
            period__kind=period.kind,
            period__start=previous_start(period.kind, period.start),
            performer_id__in=[row.performer_id for row in rows],
        )
        .values_list("performer_id", "value")
    )
    ranked, unranked = [], []
    rank, last_value = 0, None
    for position, row in enumerate(rows, start=1):
        earlier = before.get(row.performer_id)
        movement = None if row.value is None or earlier is None else row.value - earlier
        answers = row.inputs.get("answers", 0)
        if row.value is None:
            unranked.append(BoardRow(row, None, None, answers))
            continue
        if row.value != last_value:
            rank, last_value = position, row.value
        ranked.append(BoardRow(row, rank, movement, answers))
    return ranked, unranked


def department_ratings(
    tenant_id: int, period: RatingPeriod, department: Department | None
) -> QuerySet[Rating]:
    """The period's ratings of ``department`` and the departments below it, in tree order."""
    return (
        Rating.objects.for_tenant(tenant_id)
        .filter(_in_subtree(department, "department"), period=period, department__isnull=False)
        .select_related("department")
        .order_by("department__path")
    )
