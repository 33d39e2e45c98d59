"""Survey metrics, computed in SQL: NPS with its margin of error, CSAT, CES, response rate,
coverage and the closed loop's figure (critics who moved to good after a follow-up).

Every function takes a queryset the caller has already scoped and filtered (tenant, brand,
touchpoint, department, performer, period) and returns plain numbers; each has a ``*_by``
twin that returns the same figure per brand, touchpoint, department, performer or period, in
one GROUP BY. Nothing loops over rows in Python.

NPS codes each answered score +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6).
With p and d the shares of promoters and detractors among the n answered scores:

    NPS = 100 · (p − d)        variance = p + d − (p − d)²        SE = √(variance / n)

and the 95 % margin of error is 1.96 · SE (in points: × 100). Skipped questions (no score)
are counted apart and are not in n.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from django.db.models import Avg, Count, DateTimeField, F, Q, QuerySet
from django.db.models.functions import Trunc

from surveys.models import Answer, FollowUp, Interaction, Invitation
from surveys.scoring import QuestionKind

Z_95 = 1.96


@dataclass(frozen=True)
class Nps:
    answered: int
    skipped: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        """−100 … 100, or None with no answers."""
        if not self.answered:
            return None
        return 100 * (self.promoters - self.detractors) / self.answered

    @property
    def standard_error(self) -> float | None:
        """In points (0–100 scale), like the score."""
        if not self.answered:
            return None
        p = self.promoters / self.answered
        d = self.detractors / self.answered
        variance = p + d - (p - d) ** 2
        return 100 * math.sqrt(variance / self.answered)

    @property
    def margin_of_error(self) -> float | None:
        """Half the 95 % confidence interval, in points."""
        error = self.standard_error
        return None if error is None else Z_95 * error


def _nps_answers(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.filter(question__kind=QuestionKind.NPS)


_NPS_COUNTS = {
    "answered": Count("pk", filter=Q(score__isnull=False)),
    "skipped": Count("pk", filter=Q(score__isnull=True)),
    "promoters": Count("pk", filter=Q(score__gte=9)),
    "passives": Count("pk", filter=Q(score__in=(7, 8))),
    "detractors": Count("pk", filter=Q(score__lte=6)),
}


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, as a percentage (None when there is no whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if not self.whole else 100 * self.part / self.whole


def _csat_answers(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.filter(question__kind=QuestionKind.CSAT, score__isnull=False)


_CSAT_COUNTS = {"part": Count("pk", filter=Q(score__gte=4)), "whole": Count("pk")}


def _ces_answers(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.filter(question__kind=QuestionKind.CES, score__isnull=False)


def _delivered(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.filter(sent_at__isnull=False)


_RESPONSE_COUNTS = {
    "part": Count("pk", filter=Q(answered_at__isnull=False)),
    "whole": Count("pk"),
}
_COVERAGE_COUNTS = {
    "part": Count("pk", filter=Q(decision=Interaction.Decision.INVITED)),
    "whole": Count("pk", filter=~Q(decision=Interaction.Decision.NOT_ELIGIBLE)),
}


def _rerated(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return follow_ups.filter(rerate__primary_score__isnull=False)


_RECOVERY_COUNTS = {
    "part": Count(
        "pk",
        filter=Q(response__primary_kind=QuestionKind.CSAT, rerate__primary_score__gte=4)
        | Q(response__primary_kind=QuestionKind.NPS, rerate__primary_score__gte=7),
    ),
    "whole": Count("pk"),
}


# --- one figure over the whole queryset ------------------------------------------------------


def nps(answers: QuerySet[Answer]) -> Nps:
    """NPS of the NPS-question answers in ``answers``."""
    return Nps(**_nps_answers(answers).aggregate(**_NPS_COUNTS))


def csat(answers: QuerySet[Answer]) -> Share:
    """Share of 4–5 among the answered CSAT scores."""
    return Share(**_csat_answers(answers).aggregate(**_CSAT_COUNTS))


def ces(answers: QuerySet[Answer]) -> float | None:
    """Mean customer-effort score (1–7) of the answered CES questions."""
    return _ces_answers(answers).aggregate(mean=Avg("score"))["mean"]


def response_rate(invitations: QuerySet[Invitation]) -> Share:
    """Responses / delivered invitations (scheduled ones are not delivered yet)."""
    return Share(**_delivered(invitations).aggregate(**_RESPONSE_COUNTS))


def coverage(interactions: QuerySet[Interaction]) -> Share:
    """Surveyed interactions / eligible ones (all but those no survey may follow)."""
    return Share(**interactions.aggregate(**_COVERAGE_COUNTS))


def follow_up_recovery(follow_ups: QuerySet[FollowUp]) -> Share:
    """Of the critics re-surveyed after a follow-up, how many moved to good: CSAT from 1–3 to
    4–5, NPS from 0–6 to 7–10 (on the primary question)."""
    return Share(**_rerated(follow_ups).aggregate(**_RECOVERY_COUNTS))


# --- the same figures by brand, touchpoint, department, performer or period ------------------

# Every measured table reaches the interaction it is about, and has the time it belongs to.
_TO_INTERACTION = {
    Answer: "response__interaction__",
    Invitation: "interaction__",
    Interaction: "",
    FollowUp: "response__interaction__",
}
_WHEN = {
    Answer: "response__submitted_at",
    Invitation: "sent_at",
    Interaction: "occurred_at",
    FollowUp: "response__submitted_at",  # when the critic answered
}
# The department is the performer's: where the service was given.
DIMENSIONS = {
    "brand": "brand_id",
    "touchpoint": "touchpoint_id",
    "performer": "performer_id",
    "department": "performer__department_id",
}
PERIODS = ("day", "week", "month", "quarter", "year")


def _grouped(
    rows: QuerySet, by: str, aggregates: dict, build: Callable, zone: tzinfo | None
) -> dict:
    """``{key: figure}`` for each value of ``by`` (a dimension's id, or a period's start in
    ``zone``) that has rows; one GROUP BY query. Rows without the dimension come under None."""
    model = rows.model
    if by in PERIODS:
        if zone is None:
            raise ValueError("a period needs the tenant's time zone")  # else the active one
        key = Trunc(_WHEN[model], by, output_field=DateTimeField(), tzinfo=zone)
    elif by in DIMENSIONS:
        key = F(_TO_INTERACTION[model] + DIMENSIONS[by])
    else:
        raise ValueError(f"cannot group by {by!r}")
    grouped = rows.annotate(key=key).values("key").annotate(**aggregates).order_by("key")
    return {row.pop("key"): build(**row) for row in grouped}


def nps_by(answers: QuerySet[Answer], by: str, *, zone: tzinfo | None = None) -> dict:
    return _grouped(_nps_answers(answers), by, _NPS_COUNTS, Nps, zone)


def csat_by(answers: QuerySet[Answer], by: str, *, zone: tzinfo | None = None) -> dict:
    return _grouped(_csat_answers(answers), by, _CSAT_COUNTS, Share, zone)


def ces_by(answers: QuerySet[Answer], by: str, *, zone: tzinfo | None = None) -> dict:
    return _grouped(_ces_answers(answers), by, {"mean": Avg("score")}, lambda mean: mean, zone)


def response_rate_by(
    invitations: QuerySet[Invitation], by: str, *, zone: tzinfo | None = None
) -> dict:
    return _grouped(_delivered(invitations), by, _RESPONSE_COUNTS, Share, zone)


def coverage_by(interactions: QuerySet[Interaction], by: str, *, zone: tzinfo | None = None):
    return _grouped(interactions, by, _COVERAGE_COUNTS, Share, zone)


def follow_up_recovery_by(
    follow_ups: QuerySet[FollowUp], by: str, *, zone: tzinfo | None = None
) -> dict:
    return _grouped(_rerated(follow_ups), by, _RECOVERY_COUNTS, Share, zone)
