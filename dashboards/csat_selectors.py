"""The CSAT and CES page's data: plain values, every figure from ``surveys.metrics``.

Like ``dashboards.selectors`` (the NPS page), nothing here computes a figure a second time: a
CSAT, its margin, a CES mean, a distribution, a choice's count or a difference is the metrics
module's (``metrics.csat``, ``csat_by``, ``csat_distribution``, ``csat_difference``, ``ces``,
``ces_by``, ``ces_distribution``, ``nps``, ``nps_difference``, ``choice_counts``), over the rows
``dashboards.filters`` lets through. This module picks the periods, names the ids, sorts, and
reads the comments and a survey's questions; ``dashboards.csat_charts`` draws it.

The question-level breakdown takes one survey's secondary questions (every question but the
primary one) of the kinds that have a figure — CSAT, NPS, CES and single choice; free text is
read in the comments — each version's questions apart (a new version may word a question
differently), newest version first.
"""

from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dashboards.filters import DashboardFilterSet, Period
from dashboards.selectors import (
    Comment,
    figure_groups,
    latest_comments,
    names_of,
    trend_unit,
    units_of,
)
from surveys import metrics, scoring
from surveys.models import (
    Question,
    Survey,
    SurveyVersion,
    localized,
)
from tenants.models import Brand, Membership, Touchpoint

QuestionKind = scoring.QuestionKind
BROKEN_DOWN = (QuestionKind.CSAT, QuestionKind.NPS, QuestionKind.CES, QuestionKind.CHOICE)


@dataclass(frozen=True)
class CsatPoint:
    """The CSAT of one week or month: ``period`` is its days within the page's period."""

    period: Period
    csat: metrics.Csat


@dataclass(frozen=True)
class CesPoint:
    period: Period
    mean: float | None  # None: no answers


@dataclass(frozen=True)
class CsatGroup:
    """One brand's or touchpoint's CSAT (``key`` None: no touchpoint), beside its CSAT in the
    comparison period and the two-proportion test of the change (None without a comparison)."""

    key: int | None
    name: str
    csat: metrics.Csat
    previous: metrics.Csat | None
    difference: metrics.Difference | None


@dataclass(frozen=True)
class QuestionFigure:
    """One secondary question's figure by its kind: a ``metrics.Csat`` or ``metrics.Nps`` (with
    the comparison period's and the test of the change), a CES mean (with the comparison
    period's), or single-choice counts ``[(label, count)]``."""

    question: Question
    version: int
    text: str
    kind: str
    current: object
    previous: object = None
    difference: metrics.Difference | metrics.Difference | None = None


@dataclass(frozen=True)
class CsatDashboard:
    period: Period
    compared_period: Period | None
    csat: metrics.Csat
    previous: metrics.Csat | None
    difference: metrics.Difference | None
    trend_unit: str  # "week" or "month"
    trend: list[CsatPoint]
    by_brand: list[CsatGroup]
    by_touchpoint: list[CsatGroup]
    distribution: dict[int, int]  # score 1–5 → answers
    comments: list[Comment]
    ces: float | None
    ces_previous: float | None
    ces_trend: list[CesPoint]
    ces_distribution: dict[int, int]  # score 1–7 → answers
    survey: Survey | None
    questions: list[QuestionFigure]

    @property
    def ces_answered(self) -> int:
        """The CES answers: those the distribution counts."""
        return sum(self.ces_distribution.values())


_NO_ANSWERS = metrics.Csat(part=0, whole=0)


def _by_unit(by_start: dict, period: Period, unit: str, zone: ZoneInfo, empty) -> list:
    """(days, figure) of each week or month of the period (``by_start``: by its first day),
    ``empty`` where nobody answered."""
    return [(days, by_start.get(first, empty)) for first, days in units_of(period, unit)]


# The groups of the period, highest CSAT first, each with its n (skipped only: last).
_groups = partial(
    figure_groups,
    group=CsatGroup,
    empty=_NO_ANSWERS,
    test=metrics.csat_difference,
    headline=lambda csat: csat.percent,
)


def _choice_label(question: Question, value: str, language: str) -> str:
    """The label of one of a question's choices in ``language`` (the value if no longer offered)."""
    for option in question.choices:
        if option["value"] == value:
            return localized(option.get("label", {}), language) or value
    return value


def question_breakdown(
    survey: Survey, answers: QuerySet, earlier: QuerySet | None
) -> list[QuestionFigure]:
    """Each secondary question of ``survey`` (of a kind with a figure) with its figure over
    ``answers``, and for CSAT, NPS and CES over ``earlier`` (the comparison period) too."""
    questions = (
        Question.objects.for_tenant(survey.tenant_id)
        .filter(version__survey=survey, is_primary=False, kind__in=BROKEN_DOWN)
        .exclude(version__status=SurveyVersion.Status.DRAFT)
        .select_related("version")
        .order_by("-version__number", "position")
    )
    language = get_language() or "en"
    figures = []
    for question in questions:
        row = {
            "question": question,
            "version": question.version.number,
            "text": question.text_in(language),
            "kind": question.kind,
        }
        if question.kind == QuestionKind.CHOICE:
            counts = metrics.choice_counts(answers, question=question)
            row["current"] = [
                (_choice_label(question, value, language), n) for value, n in counts.items()
            ]
        elif question.kind == QuestionKind.CES:
            row["current"] = metrics.ces(answers, question=question)
            if earlier is not None:
                row["previous"] = metrics.ces(earlier, question=question)
        else:
            figure = metrics.csat if question.kind == QuestionKind.CSAT else metrics.nps
            test = (
                metrics.csat_difference
                if question.kind == QuestionKind.CSAT
                else metrics.nps_difference
            )
            row["current"] = figure(answers, question=question)
            if earlier is not None:
                row["previous"] = figure(earlier, question=question)
                row["difference"] = test(row["current"], row["previous"])
        figures.append(QuestionFigure(**row))
    return figures


def csat_dashboard(
    member: Membership, filters: DashboardFilterSet, survey: Survey | None
) -> CsatDashboard:
    """Everything the CSAT and CES page shows, for the member, the (valid) filters and the
    survey whose questions are broken down: a fixed number of queries whatever the number of
    responses (one or two more per question of the survey)."""
    tenant = member.tenant
    zone = ZoneInfo(tenant.time_zone)
    period, compared = filters.period, filters.compared_period
    answers = filters.answer_days(period)
    earlier = filters.answer_days(compared) if compared is not None else None
    csat = metrics.csat(answers)
    previous = metrics.csat(earlier) if earlier is not None else None
    unit = trend_unit(period)

    def by(dimension: str) -> tuple[dict, dict | None]:
        now = metrics.csat_by(answers, dimension)
        return now, (metrics.csat_by(earlier, dimension) if earlier is not None else None)

    brands = names_of(Brand, tenant.pk)
    touchpoints = names_of(Touchpoint, tenant.pk)
    csat_weeks = _by_unit(
        metrics.csat_by(answers, unit, zone=zone), period, unit, zone, _NO_ANSWERS
    )
    ces_weeks = _by_unit(metrics.ces_by(answers, unit, zone=zone), period, unit, zone, None)
    return CsatDashboard(
        period=period,
        compared_period=compared,
        csat=csat,
        previous=previous,
        difference=metrics.csat_difference(csat, previous) if previous is not None else None,
        trend_unit=unit,
        trend=[CsatPoint(period=days, csat=figure) for days, figure in csat_weeks],
        by_brand=_groups(*by("brand"), brands, unnamed=""),
        by_touchpoint=_groups(*by("touchpoint"), touchpoints, unnamed=_("No touchpoint")),
        distribution=metrics.csat_distribution(answers),
        comments=latest_comments(
            filters.responses(period), QuestionKind.CSAT, filters.comment_band
        ),
        ces=metrics.ces(answers),
        ces_previous=metrics.ces(earlier) if earlier is not None else None,
        ces_trend=[CesPoint(period=days, mean=mean) for days, mean in ces_weeks],
        ces_distribution=metrics.ces_distribution(answers),
        survey=survey,
        questions=[] if survey is None else question_breakdown(survey, answers, earlier),
    )
