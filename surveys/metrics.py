"""Survey metrics, computed in SQL: NPS with its margin of error, CSAT, CES, response rate,
coverage and the closed loop's figure (critics who moved to good after a follow-up).

Every function takes a queryset the caller has already scoped and filtered (tenant, brand,
touchpoint, department, performer, period) and returns plain numbers; grouping by a dimension
is ``values(<dimension>)`` on the same querysets. Nothing loops over rows in Python.

NPS codes each answered score +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6).
With p and d the shares of promoters and detractors among the n answered scores:

    NPS = 100 · (p − d)        variance = p + d − (p − d)²        SE = √(variance / n)

and the 95 % margin of error is 1.96 · SE (in points: × 100). Skipped questions (no score)
are counted apart and are not in n.
"""

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from surveys.models import Answer, FollowUp, Interaction, Invitation, QuestionKind

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


def nps(answers: QuerySet[Answer]) -> Nps:
    """NPS of the NPS-question answers in ``answers``."""
    row = answers.filter(question__kind=QuestionKind.NPS).aggregate(
        answered=Count("pk", filter=Q(score__isnull=False)),
        skipped=Count("pk", filter=Q(score__isnull=True)),
        promoters=Count("pk", filter=Q(score__gte=9)),
        passives=Count("pk", filter=Q(score__in=(7, 8))),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    return Nps(**row)


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, as a percentage (None when there is no whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if not self.whole else 100 * self.part / self.whole


def csat(answers: QuerySet[Answer]) -> Share:
    """Share of 4–5 among the answered CSAT scores."""
    row = answers.filter(question__kind=QuestionKind.CSAT, score__isnull=False).aggregate(
        satisfied=Count("pk", filter=Q(score__gte=4)), answered=Count("pk")
    )
    return Share(part=row["satisfied"], whole=row["answered"])


def ces(answers: QuerySet[Answer]) -> float | None:
    """Mean customer-effort score (1–7) of the answered CES questions."""
    return answers.filter(question__kind=QuestionKind.CES, score__isnull=False).aggregate(
        mean=Avg("score")
    )["mean"]


def response_rate(invitations: QuerySet[Invitation]) -> Share:
    """Responses / delivered invitations (scheduled ones are not delivered yet)."""
    row = invitations.filter(sent_at__isnull=False).aggregate(
        delivered=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    return Share(part=row["answered"], whole=row["delivered"])


def coverage(interactions: QuerySet[Interaction]) -> Share:
    """Surveyed interactions / eligible ones (all but those no survey may follow)."""
    row = interactions.aggregate(
        eligible=Count("pk", filter=~Q(decision=Interaction.Decision.NOT_ELIGIBLE)),
        surveyed=Count("pk", filter=Q(decision=Interaction.Decision.INVITED)),
    )
    return Share(part=row["surveyed"], whole=row["eligible"])


def follow_up_recovery(follow_ups: QuerySet[FollowUp]) -> Share:
    """Of the critics re-surveyed after a follow-up, how many moved to good: CSAT from 1–3 to
    4–5, NPS from 0–6 to 7–10 (on the primary question)."""
    rerated = follow_ups.filter(rerate__primary_score__isnull=False)
    row = rerated.aggregate(
        rerated=Count("pk"),
        recovered=Count(
            "pk",
            filter=Q(response__primary_kind=QuestionKind.CSAT, rerate__primary_score__gte=4)
            | Q(response__primary_kind=QuestionKind.NPS, rerate__primary_score__gte=7),
        ),
    )
    return Share(part=row["recovered"], whole=row["rerated"])
