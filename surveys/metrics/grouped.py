"""The survey figures by brand, touchpoint, department, performer or period: each the figure
of ``surveys.metrics.figures`` in one GROUP BY, from the same filters and counts."""

from collections.abc import Callable
from datetime import tzinfo

from django.db.models import DateField, DateTimeField, F, QuerySet
from django.db.models.functions import Trunc

from surveys.metrics.figures import (
    _COVERAGE_COUNTS,
    _RECOVERY_COUNTS,
    _RESPONSE_COUNTS,
    Csat,
    NamedQuestion,
    Nps,
    ResponseRate,
    Share,
    _answers_of,
    _ces_mean,
    _coverage,
    _csat_counts,
    _invitations_of,
    _nps_counts,
    _rerated_critics,
)
from surveys.models import Answer, AnswerDay, FollowUp, Interaction, Invitation
from surveys.scoring import QuestionKind

# --- the same figures by brand, touchpoint, department, performer or period ------------------

# Every measured table reaches the interaction it is about, and has the time it belongs to.
_TO_INTERACTION = {
    Answer: "response__interaction__",
    AnswerDay: "",  # the rollup keeps the interaction's brand, touchpoint and performer
    Invitation: "interaction__",
    Interaction: "",
    FollowUp: "response__interaction__",
}
_WHEN = {
    Answer: "response__submitted_at",
    AnswerDay: "day",  # already the tenant's day: its weeks and months are dates
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
        if model is AnswerDay:
            key = Trunc(_WHEN[model], by, output_field=DateField())
        else:
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
    return _grouped(rows, by, _nps_counts(rows.model), Nps, zone)


def csat_by(
    answers: QuerySet[Answer],
    by: str,
    *,
    zone: tzinfo | None = None,
    question: NamedQuestion = None,
    after_follow_up: bool = False,
) -> dict:
    rows = _answers_of(answers, QuestionKind.CSAT, question, after_follow_up)
    return _grouped(rows, by, _csat_counts(rows.model), Csat, zone)


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
    return _grouped(rows, by, _ces_mean(rows.model), lambda mean: mean, zone)


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
