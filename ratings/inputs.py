"""What a period's ratings are computed from, read in SQL: one GROUP BY query per indicator,
per member, for one tenant and one period (``start`` ≤ moment < ``end``).

* Customer answers: the primary question's score of each first response of the tenant's chosen
  kind (CSAT 1–5, or NPS counted +100 promoter / 0 passive / −100 detractor, so their mean is
  the NPS), about an interaction of the period (by when it happened), under its performer —
  the answers ``surveys.metrics`` counts (primary question, re-rates are history), less those
  a manager took out by accepting the performer's dispute.
* Complaints resolved in the period, under their handler (assignee): how many, how many by
  their resolution due time, how many were ever reopened, and the working hours from receipt
  to resolution in the tenant's business calendar (the one figure read row by row: the
  calendar is not in SQL).
* Follow-ups due in the period, under their assignee: how many, and how many were done by
  their due time.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When

from complaints.models import Complaint, Transition
from ratings.models import CustomerScoreKind, Dispute
from surveys.models import FollowUp, Invitation, Response
from surveys.scoring import QuestionKind, detractor_q, promoter_q
from tenants.business_time import BusinessCalendar, business_time_between


@dataclass
class Inputs:
    """One performer's (or, summed over a subtree, one department's) raw inputs."""

    score_total: float = 0
    answers: int = 0
    resolved: int = 0
    resolved_in_time: int = 0
    reopened: int = 0
    resolution_hours: list[float] = field(default_factory=list)
    follow_ups_due: int = 0
    follow_ups_in_time: int = 0

    def add(self, other: "Inputs") -> None:
        self.score_total += other.score_total
        self.answers += other.answers
        self.resolved += other.resolved
        self.resolved_in_time += other.resolved_in_time
        self.reopened += other.reopened
        self.resolution_hours.extend(other.resolution_hours)
        self.follow_ups_due += other.follow_ups_due
        self.follow_ups_in_time += other.follow_ups_in_time

    def as_dict(self) -> dict:
        return {
            "score_total": self.score_total,
            "answers": self.answers,
            "resolved": self.resolved,
            "resolved_in_time": self.resolved_in_time,
            "reopened": self.reopened,
            "resolution_hours": sorted(round(hours, 2) for hours in self.resolution_hours),
            "follow_ups_due": self.follow_ups_due,
            "follow_ups_in_time": self.follow_ups_in_time,
        }


def _score(kind: str):
    """A response's contribution to the sum: the CSAT score, or the NPS ±100/0."""
    if kind == CustomerScoreKind.NPS:
        return Case(
            When(promoter_q("primary_score"), then=Value(100)),
            When(detractor_q("primary_score"), then=Value(-100)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return F("primary_score")


def customer_answers(
    tenant_id: int, kind: str, start: datetime, end: datetime
) -> tuple[dict[int, tuple[float, int]], tuple[float, int]]:
    """``{performer id: (sum, count)}`` and the tenant's ``(sum, count)`` over every answer of
    the period (with or without a performer), for its mean."""
    responses = (
        Response.objects.for_tenant(tenant_id)
        .filter(
            primary_kind=QuestionKind.CSAT if kind == CustomerScoreKind.CSAT else QuestionKind.NPS,
            primary_score__isnull=False,
            invitation__purpose=Invitation.Purpose.FIRST,
            interaction__occurred_at__gte=start,
            interaction__occurred_at__lt=end,
        )
        .exclude(dispute__status=Dispute.Status.ACCEPTED)
    )
    sums = {"total": Sum(_score(kind)), "count": Count("pk")}
    by_performer = {
        row["interaction__performer"]: (float(row["total"]), row["count"])
        for row in responses.filter(interaction__performer__isnull=False)
        .values("interaction__performer")
        .annotate(**sums)
        .order_by()
    }
    tenant = responses.aggregate(**sums)
    return by_performer, (float(tenant["total"] or 0), tenant["count"])


def _resolved(tenant_id: int, start: datetime, end: datetime):
    return Complaint.objects.for_tenant(tenant_id).filter(
        assignee__isnull=False, resolved_at__gte=start, resolved_at__lt=end
    )


def resolved_complaints(tenant_id: int, start: datetime, end: datetime) -> dict[int, tuple]:
    """``{handler id: (resolved, resolved by their due time, ever reopened)}``."""
    reopened = Transition.objects.for_tenant(tenant_id).filter(
        complaint=OuterRef("pk"), name="reopen"
    )
    rows = (
        _resolved(tenant_id, start, end)
        .annotate(was_reopened=Exists(reopened))
        .values("assignee")
        .annotate(
            resolved=Count("pk"),
            in_time=Count("pk", filter=Q(resolved_at__lte=F("resolve_due_at"))),
            reopened=Count("pk", filter=Q(was_reopened=True)),
        )
        .order_by()
    )
    return {row["assignee"]: (row["resolved"], row["in_time"], row["reopened"]) for row in rows}


def resolution_hours(
    tenant_id: int, start: datetime, end: datetime, calendar: BusinessCalendar
) -> dict[int, list[float]]:
    """``{handler id: [working hours from receipt to resolution, one per complaint]}``."""
    hours: dict[int, list[float]] = defaultdict(list)
    rows = _resolved(tenant_id, start, end).values_list("assignee", "received_at", "resolved_at")
    for assignee, received_at, resolved_at in rows.order_by("pk"):
        elapsed = business_time_between(received_at, resolved_at, calendar)
        hours[assignee].append(elapsed.total_seconds() / 3600)
    return dict(hours)


def follow_ups_due(tenant_id: int, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """``{assignee id: (follow-ups due in the period, done by their due time)}``."""
    rows = (
        FollowUp.objects.for_tenant(tenant_id)
        .filter(assignee__isnull=False, due_at__gte=start, due_at__lt=end)
        .values("assignee")
        .annotate(
            due=Count("pk"),
            in_time=Count(
                "pk", filter=Q(completed_at__isnull=False, completed_at__lte=F("due_at"))
            ),
        )
        .order_by()
    )
    return {row["assignee"]: (row["due"], row["in_time"]) for row in rows}


def period_inputs(
    tenant_id: int, kind: str, start: datetime, end: datetime, calendar: BusinessCalendar
) -> tuple[dict[int, Inputs], tuple[float, int]]:
    """Every member's inputs for the period (members with none left out), and the tenant's
    customer answers ``(sum, count)``."""
    members: dict[int, Inputs] = defaultdict(Inputs)
    answers, tenant_answers = customer_answers(tenant_id, kind, start, end)
    for member_id, (total, count) in answers.items():
        members[member_id].score_total, members[member_id].answers = total, count
    for member_id, (resolved, in_time, reopened) in resolved_complaints(
        tenant_id, start, end
    ).items():
        inputs = members[member_id]
        inputs.resolved, inputs.resolved_in_time, inputs.reopened = resolved, in_time, reopened
    for member_id, hours in resolution_hours(tenant_id, start, end, calendar).items():
        members[member_id].resolution_hours = hours
    for member_id, (due, in_time) in follow_ups_due(tenant_id, start, end).items():
        members[member_id].follow_ups_due, members[member_id].follow_ups_in_time = due, in_time
    return dict(members), tenant_answers
