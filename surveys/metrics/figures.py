"""The survey figures over a whole queryset, and which rows each counts (the package's doc
defines them)."""

import math
from dataclasses import dataclass, field

from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, NullIf

from notifications.models import Delivery
from surveys.models import Answer, AnswerDay, FollowUp, Interaction, Invitation, Question
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

    @property
    def standard_error(self) -> float | None:
        """√(p · (1 − p) / n), in points like the percentage; None without answers."""
        if not self.whole:
            return None
        p = self.part / self.whole
        return 100 * math.sqrt(p * (1 - p) / self.whole)

    @property
    def margin_of_error(self) -> float | None:
        """Half the 95 % confidence interval of the percentage, in points."""
        error = self.standard_error
        return None if error is None else Z_95 * error


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
    answers = answers.filter(question__kind=kind, **{_PURPOSE[answers.model]: purpose})
    if question is None:
        return answers.filter(question__is_primary=True)
    if isinstance(question, Question):
        if question.kind != kind:
            raise ValueError(f"question {question.pk} is not a {kind} question")
        return answers.filter(question=question)
    return answers.filter(question__in=question)


# The answers are counted from the raw rows (one per answer) or from the daily rollup
# (``surveys.rollups``: one per day and everything it is filtered by, with its count): the same
# figure either way, which a test checks.
_PURPOSE = {Answer: "response__invitation__purpose", AnswerDay: "purpose"}
_SCORED = Q(score__isnull=False)


def _count(model, condition: Q | None = None):
    """How many answers (of ``condition``) among the rows of ``model``."""
    if model is AnswerDay:
        return Sum("answers", filter=condition, default=0)
    return Count("pk", filter=condition)


def _mean(model):
    """The mean score of the scored answers among the rows of ``model``."""
    if model is AnswerDay:
        total = Cast(Sum(F("score") * F("answers"), filter=_SCORED), FloatField())
        return total / NullIf(Sum("answers", filter=_SCORED), 0)
    return Avg("score")


def _nps_counts(model) -> dict:
    return {
        "answered": _count(model, _SCORED),
        "skipped": _count(model, Q(score__isnull=True)),
        "promoters": _count(model, promoter_q()),
        "passives": _count(model, passive_q()),
        "detractors": _count(model, detractor_q()),
    }


def _csat_counts(model) -> dict:
    return {
        "part": _count(model, satisfied_q()),
        "whole": _count(model, _SCORED),
        "mean": _mean(model),
    }


def _ces_mean(model) -> dict:
    return {"mean": _mean(model)}


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
    return Nps(**rows.aggregate(**_nps_counts(rows.model)))


def nps_distribution(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> dict[int, int]:
    """How many answers gave each score 0–10 (every score a key, 0 where nobody gave it), over
    the rows :func:`nps` counts; skipped questions are in none."""
    low, high = SCALES[QuestionKind.NPS]
    counts = dict.fromkeys(range(low, high + 1), 0)
    rows = _answers_of(answers, QuestionKind.NPS, question, after_follow_up)
    grouped = rows.filter(_SCORED).values("score").annotate(n=_count(rows.model))
    counts.update({row["score"]: row["n"] for row in grouped.order_by("score")})
    return counts


def csat(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> Csat:
    """Share of 4–5, and the mean, of the primary (or named) CSAT question's scores."""
    rows = _answers_of(answers, QuestionKind.CSAT, question, after_follow_up)
    return Csat(**rows.aggregate(**_csat_counts(rows.model)))


def ces(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> float | None:
    """Mean customer-effort score (1–7) of the primary (or named) CES question."""
    rows = _answers_of(answers, QuestionKind.CES, question, after_follow_up)
    return rows.filter(_SCORED).aggregate(**_ces_mean(rows.model))["mean"]


def _score_counts(
    answers: QuerySet[Answer], kind: str, question: NamedQuestion, after_follow_up: bool
) -> dict[int, int]:
    """Answers of each score of ``kind``'s scale (0 where nobody gave it), skipped ones in none."""
    low, high = SCALES[kind]
    counts = dict.fromkeys(range(low, high + 1), 0)
    rows = _answers_of(answers, kind, question, after_follow_up).filter(_SCORED)
    grouped = rows.values("score").annotate(n=_count(rows.model)).order_by("score")
    counts.update({row["score"]: row["n"] for row in grouped})
    return counts


def csat_distribution(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> dict[int, int]:
    """How many answers gave each score 1–5, over the rows :func:`csat` counts."""
    return _score_counts(answers, QuestionKind.CSAT, question, after_follow_up)


def ces_distribution(
    answers: QuerySet[Answer], *, question: NamedQuestion = None, after_follow_up: bool = False
) -> dict[int, int]:
    """How many answers gave each score 1–7, over the rows :func:`ces` averages."""
    return _score_counts(answers, QuestionKind.CES, question, after_follow_up)


def choice_counts(
    answers: QuerySet[Answer], *, question: Question, after_follow_up: bool = False
) -> dict[str, int]:
    """How many answers chose each of a single-choice question's values (each value a key, in
    the question's order, 0 where nobody chose it; a value no longer offered after it); an
    answer without a choice is in none."""
    rows = _answers_of(answers, QuestionKind.CHOICE, question, after_follow_up).exclude(choice="")
    counts = dict.fromkeys((option["value"] for option in question.choices), 0)
    grouped = rows.values("choice").annotate(n=_count(rows.model)).order_by("choice")
    counts.update({row["choice"]: row["n"] for row in grouped})
    return counts


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


@dataclass(frozen=True)
class Funnel:
    """Interactions → in the sample → invited → email accepted → answered (see :func:`funnel`).

    ``outside`` counts the interactions outside the sample by decision (no rule, not eligible,
    not decided yet); ``coverage`` is :func:`coverage` and ``response_rate``
    :func:`response_rate` over the same rows."""

    interactions: int
    outside: dict
    coverage: Coverage
    response_rate: ResponseRate

    @property
    def sample(self) -> int:
        return self.coverage.whole

    @property
    def invited(self) -> int:
        return self.coverage.part

    @property
    def accepted(self) -> int:
        return self.response_rate.whole

    @property
    def answered(self) -> int:
        return self.response_rate.part


_DECISION_COUNTS = {
    "interactions": Count("pk"),
    **_COVERAGE_COUNTS,
    **{reason.value: Count("pk", filter=Q(decision=reason)) for reason in OUTSIDE_THE_SAMPLE},
}


def funnel(interactions: QuerySet[Interaction], invitations: QuerySet[Invitation]) -> Funnel:
    """The survey funnel of ``interactions``: every one of them, those outside the sample by
    reason, :func:`coverage` (invited / the sample, every skip beside it) and
    :func:`response_rate` of ``invitations`` — which the caller narrows to the invitations of
    the same interactions (``interaction__in``), so each stage is part of the one before.
    Two queries."""
    counts = interactions.aggregate(**_DECISION_COUNTS)
    total = counts.pop("interactions")
    outside = {reason.value: counts.pop(reason.value) for reason in OUTSIDE_THE_SAMPLE}
    return Funnel(
        interactions=total,
        outside=outside,
        coverage=_coverage(**counts),
        response_rate=response_rate(invitations),
    )
