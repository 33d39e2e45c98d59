"""Survey figures, computed in SQL: what every page, export and API shows.

The README's "Figures" section defines each in words; this module is that definition. Every
function takes a queryset the caller has already scoped and filtered (tenant, brand,
touchpoint, department, performer, period) and returns plain numbers; each has a ``*_by`` twin
that returns the same figure per brand, touchpoint, department, performer or period, in one
GROUP BY, from the same filters and counts. Nothing loops over rows in Python. The score
thresholds come from ``surveys.scoring``.

* **Which answers.** NPS, CSAT and CES are computed over the survey's *primary* question (the
  overall impression; every published version has exactly one) unless ``question`` names
  another question (or a queryset of questions). A secondary NPS question in a CSAT survey is
  therefore not in the NPS unless it is named.
* **Re-rates are history.** The answer to a re-rate invitation (purpose RERATE, sent after a
  critic's follow-up) is never counted a second time: the figures take first answers only,
  and ``after_follow_up=True`` gives the same figure over the re-rates alone.
* **NPS** codes each answered score +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor,
  0–6). With p and d the shares of promoters and detractors among the n answered scores:

      NPS = 100 · (p − d)        variance = p + d − (p − d)²        SE = √(variance / n)

  and the 95 % margin of error is 1.96 · SE (in points: × 100). Skipped questions (no score)
  are counted apart and are not in n. ``nps_distribution`` counts the answers of each score
  0–10 over the same rows.
* **Two NPS compared** (two periods, two brands: independent samples): ``nps_difference``
  takes D = NPS_a − NPS_b with SE_D = √(SE_a² + SE_b²), z = D / SE_D and the two-sided
  p-value erfc(|z| / √2); the difference is significant when p < 0.05. Either side without
  answers, or no spread at all on both (SE_D = 0), leaves it untested (None).
* **CSAT** is the share of 4–5 among the answered scores, and their mean (1–5).
* **CES** is the mean effort score (1–7, higher is easier).
* **Response rate** = answered / invitations whose first email the SMTP server accepted
  (``accepted_at``, stamped when its outbox row reached "sent"); invitations merely queued
  (``sent_at`` set) and those whose email failed for good are counted beside it.
* **Coverage** = invited / the sample: the interactions that matched a survey rule (every
  decision but "no rule", "not eligible" and "not decided yet"), with each skip reason counted
  beside it, so invited + skips = sample.
* **Recovery**: of the critics re-rated after a follow-up, the share no longer critics.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo

from django.db.models import Avg, Count, DateTimeField, F, Q, QuerySet
from django.db.models.functions import Trunc

from notifications.models import Delivery
from surveys.models import Answer, FollowUp, Interaction, Invitation, Question
from surveys.scoring import (
    HIGH,
    MIDDLE,
    SCALES,
    QuestionKind,
    band_q,
    critic_q,
    detractor_q,
    passive_q,
    promoter_q,
    satisfied_q,
)

Z_95 = 1.96
SIGNIFICANCE = 0.05  # two-sided p below this: a significant difference

Decision = Interaction.Decision
# The interactions that matched a survey rule and were invited, or skipped for one of these
# reasons; the rest are outside the sample (nothing to survey them with, or not yet decided).
SKIP_REASONS = (
    Decision.OPTED_OUT,
    Decision.NO_EMAIL,
    Decision.TOO_OLD,
    Decision.THROTTLED,
    Decision.NOT_SAMPLED,
)
OUTSIDE_THE_SAMPLE = (Decision.NO_RULE, Decision.NOT_ELIGIBLE, Decision.PENDING)

# A named question: one Question, or a queryset of them (e.g. the NPS question of each version).
NamedQuestion = Question | QuerySet[Question] | None


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


@dataclass(frozen=True)
class NpsDifference:
    """NPS ``a`` minus NPS ``b``, in points, with the two-sample test of that difference (the
    samples independent: two periods, or two brands). None where it cannot be tested."""

    difference: float | None
    standard_error: float | None
    z: float | None
    p_value: float | None

    @property
    def is_significant(self) -> bool:
        """Whether the difference is significant at 95 % (two-sided p < 0.05)."""
        return self.p_value is not None and self.p_value < SIGNIFICANCE


def nps_difference(a: Nps, b: Nps) -> NpsDifference:
    """The difference ``a`` − ``b`` and whether it is significant: z = D / √(SE_a² + SE_b²),
    p = erfc(|z| / √2). No answers on either side: nothing to compare (all None). Both sides
    without spread (every answer the same kind, SE 0): the difference, but no test (the normal
    approximation says nothing there)."""
    if not a.answered or not b.answered:
        return NpsDifference(difference=None, standard_error=None, z=None, p_value=None)
    difference = a.score - b.score
    error = math.hypot(a.standard_error, b.standard_error)
    if error == 0:
        return NpsDifference(difference=difference, standard_error=0.0, z=None, p_value=None)
    z = difference / error
    return NpsDifference(
        difference=difference,
        standard_error=error,
        z=z,
        p_value=math.erfc(abs(z) / math.sqrt(2)),
    )


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole``, as a percentage (None when there is no whole)."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return None if not self.whole else 100 * self.part / self.whole


@dataclass(frozen=True)
class Csat(Share):
    """Satisfied (4–5) answers of all answered, and the mean score (1–5; None without any)."""

    mean: float | None = None


@dataclass(frozen=True)
class ResponseRate(Share):
    """Answered (``part``) of the invitations whose first email the SMTP server accepted
    (``whole``); beside it, how many were queued at all and how many failed for good."""

    queued: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Coverage(Share):
    """Invited (``part``) of the sample (``whole``), and the sample's skips by reason: the
    invited and the skips add up to the sample."""

    skipped: dict = field(default_factory=dict)


# --- which rows each figure counts ---------------------------------------------------------------


def _answers_of(
    answers: QuerySet[Answer], kind: str, question: NamedQuestion, after_follow_up: bool
) -> QuerySet[Answer]:
    """The answers of ``kind`` to the primary (or the named) question, first answers only or
    (``after_follow_up``) re-rates only."""
    purpose = Invitation.Purpose.RERATE if after_follow_up else Invitation.Purpose.FIRST
    answers = answers.filter(question__kind=kind, response__invitation__purpose=purpose)
    if question is None:
        return answers.filter(question__is_primary=True)
    if isinstance(question, Question):
        if question.kind != kind:
            raise ValueError(f"question {question.pk} is not a {kind} question")
        return answers.filter(question=question)
    return answers.filter(question__in=question)


_NPS_COUNTS = {
    "answered": Count("pk", filter=Q(score__isnull=False)),
    "skipped": Count("pk", filter=Q(score__isnull=True)),
    "promoters": Count("pk", filter=promoter_q()),
    "passives": Count("pk", filter=passive_q()),
    "detractors": Count("pk", filter=detractor_q()),
}
_CSAT_COUNTS = {
    "part": Count("pk", filter=satisfied_q()),
    "whole": Count("pk", filter=Q(score__isnull=False)),
    "mean": Avg("score"),
}
_CES_MEAN = {"mean": Avg("score")}


def _invitations_of(invitations: QuerySet[Invitation], after_follow_up: bool):
    """Invitations whose first email was queued, first ones or (``after_follow_up``) re-rates."""
    purpose = Invitation.Purpose.RERATE if after_follow_up else Invitation.Purpose.FIRST
    return invitations.filter(purpose=purpose, sent_at__isnull=False)


_ACCEPTED = Q(accepted_at__isnull=False)
_RESPONSE_COUNTS = {
    "part": Count("pk", filter=_ACCEPTED & Q(answered_at__isnull=False)),
    "whole": Count("pk", filter=_ACCEPTED),
    "queued": Count("pk"),
    "failed": Count("pk", filter=Q(delivery__status=Delivery.Status.FAILED)),
}

_COVERAGE_COUNTS = {
    "invited": Count("pk", filter=Q(decision=Decision.INVITED)),
    **{reason.value: Count("pk", filter=Q(decision=reason)) for reason in SKIP_REASONS},
}


def _coverage(*, invited: int, **skips: int) -> Coverage:
    return Coverage(part=invited, whole=invited + sum(skips.values()), skipped=skips)


def _rerated_critics(follow_ups: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return follow_ups.filter(
        critic_q(kind="response__primary_kind", score="response__primary_score"),
        rerate__primary_score__isnull=False,
    )


_RECOVERY_COUNTS = {
    "part": Count(
        "pk",
        filter=band_q(MIDDLE, kind="rerate__primary_kind", score="rerate__primary_score")
        | band_q(HIGH, kind="rerate__primary_kind", score="rerate__primary_score"),
    ),
    "whole": Count("pk"),
}


# --- one figure over the whole queryset ------------------------------------------------------


def nps(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> Nps:
    """NPS of the primary (or named) NPS question among ``answers``."""
    rows = _answers_of(answers, QuestionKind.NPS, question, after_follow_up)
    return Nps(**rows.aggregate(**_NPS_COUNTS))


def nps_distribution(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> dict[int, int]:
    """How many answers gave each score 0–10 (every score a key, 0 where nobody gave it), over
    the rows :func:`nps` counts; skipped questions are in none."""
    low, high = SCALES[QuestionKind.NPS]
    counts = dict.fromkeys(range(low, high + 1), 0)
    rows = _answers_of(answers, QuestionKind.NPS, question, after_follow_up)
    grouped = rows.filter(score__isnull=False).values("score").annotate(n=Count("pk"))
    counts.update({row["score"]: row["n"] for row in grouped.order_by("score")})
    return counts


def csat(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> Csat:
    """Share of 4–5, and the mean, of the primary (or named) CSAT question's scores."""
    rows = _answers_of(answers, QuestionKind.CSAT, question, after_follow_up)
    return Csat(**rows.aggregate(**_CSAT_COUNTS))


def ces(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> float | None:
    """Mean customer-effort score (1–7) of the primary (or named) CES question."""
    rows = _answers_of(answers, QuestionKind.CES, question, after_follow_up)
    return rows.filter(score__isnull=False).aggregate(**_CES_MEAN)["mean"]


def response_rate(
    invitations: QuerySet[Invitation], *, after_follow_up: bool = False
) -> ResponseRate:
    """Answered / invitations whose first email the SMTP server accepted, with the queued
    and failed counts beside it."""
    return ResponseRate(
        **_invitations_of(invitations, after_follow_up).aggregate(**_RESPONSE_COUNTS)
    )


def coverage(interactions: QuerySet[Interaction]) -> Coverage:
    """Invited / the interactions that matched a rule, with every skip reason counted."""
    return _coverage(**interactions.aggregate(**_COVERAGE_COUNTS))


def follow_up_recovery(follow_ups: QuerySet[FollowUp]) -> Share:
    """Of the critics re-rated after a follow-up, how many are no longer critics: NPS 7–10,
    CSAT 4–5, CES 4–7 on the re-rate's primary question."""
    return Share(**_rerated_critics(follow_ups).aggregate(**_RECOVERY_COUNTS))


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


def nps_by(
    answers: QuerySet[Answer],
    by: str,
    *,
    zone: tzinfo | None = None,
    question: NamedQuestion = None,
    after_follow_up: bool = False,
) -> dict:
    rows = _answers_of(answers, QuestionKind.NPS, question, after_follow_up)
    return _grouped(rows, by, _NPS_COUNTS, Nps, zone)


def csat_by(
    answers: QuerySet[Answer],
    by: str,
    *,
    zone: tzinfo | None = None,
    question: NamedQuestion = None,
    after_follow_up: bool = False,
) -> dict:
    rows = _answers_of(answers, QuestionKind.CSAT, question, after_follow_up)
    return _grouped(rows, by, _CSAT_COUNTS, Csat, zone)


def ces_by(
    answers: QuerySet[Answer],
    by: str,
    *,
    zone: tzinfo | None = None,
    question: NamedQuestion = None,
    after_follow_up: bool = False,
) -> dict:
    rows = _answers_of(answers, QuestionKind.CES, question, after_follow_up)
    rows = rows.filter(score__isnull=False)
    return _grouped(rows, by, _CES_MEAN, lambda mean: mean, zone)


def response_rate_by(
    invitations: QuerySet[Invitation],
    by: str,
    *,
    zone: tzinfo | None = None,
    after_follow_up: bool = False,
) -> dict:
    rows = _invitations_of(invitations, after_follow_up)
    return _grouped(rows, by, _RESPONSE_COUNTS, ResponseRate, zone)


def coverage_by(
    interactions: QuerySet[Interaction], by: str, *, zone: tzinfo | None = None
) -> dict:
    return _grouped(interactions, by, _COVERAGE_COUNTS, _coverage, zone)


def follow_up_recovery_by(
    follow_ups: QuerySet[FollowUp], by: str, *, zone: tzinfo | None = None
) -> dict:
    return _grouped(_rerated_critics(follow_ups), by, _RECOVERY_COUNTS, Share, zone)
