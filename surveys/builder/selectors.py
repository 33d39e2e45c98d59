"""Tenant-scoped reads of the survey builder: surveys, versions, questions, rules, previews.

Surveys are not held by a department: every member who may see surveys sees all the tenant's.
"""

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from surveys.builder.checks import FALLBACK_LANGUAGE, LANGUAGE_CODES
from surveys.models import Question, Survey, SurveyRule, SurveyVersion, localized
from surveys.scoring import SCALE_ENDS, QuestionKind
from tenants.models import Membership
from tenants.permissions import get_visible_or_404, visible_to

LIVE_STATUSES = (SurveyVersion.Status.DRAFT, SurveyVersion.Status.PUBLISHED)


def current_versions(versions: list[SurveyVersion]) -> tuple:
    """(published, draft) among ``versions``; either may be None."""
    published = next((v for v in versions if v.status == SurveyVersion.Status.PUBLISHED), None)
    draft = next((v for v in versions if v.status == SurveyVersion.Status.DRAFT), None)
    return published, draft


def surveys_overview(member: Membership) -> list[Survey]:
    """The tenant's surveys by name, each with ``published`` and ``draft`` (a version or None,
    with ``question_count``) and ``rule_list`` (brand and touchpoint loaded). Three queries."""
    tenant_id = member.tenant_id
    versions = (
        SurveyVersion.objects.for_tenant(tenant_id)
        .filter(status__in=LIVE_STATUSES)
        .annotate(question_count=Count("questions"))
        .order_by("number")
    )
    rules = (
        SurveyRule.objects.for_tenant(tenant_id)
        .select_related("brand", "touchpoint")
        .order_by("order", "id")
    )
    surveys = list(
        visible_to(Survey.objects.all(), member, department_field=None)
        .order_by("name", "id")
        .prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="live_versions"),
            Prefetch("rules", queryset=rules, to_attr="rule_list"),
        )
    )
    for survey in surveys:
        survey.published, survey.draft = current_versions(survey.live_versions)
    return surveys


def survey_for_member_or_404(member: Membership, survey_id: int) -> Survey:
    """One survey of the member's tenant, or the 404 of a survey that does not exist."""
    return get_visible_or_404(Survey.objects.all(), member, department_field=None, pk=survey_id)


def survey_versions(survey: Survey) -> list[SurveyVersion]:
    """Every version of the survey, newest first, with ``question_count``."""
    return list(survey.versions.annotate(question_count=Count("questions")).order_by("-number"))


def draft_of(survey: Survey) -> SurveyVersion | None:
    """The survey's draft, if it has one (never more than one: see ``builder.draft_open``)."""
    return survey.versions.filter(status=SurveyVersion.Status.DRAFT).first()


def version_or_404(survey: Survey, number: int) -> SurveyVersion:
    try:
        return survey.versions.get(number=number)
    except SurveyVersion.DoesNotExist as missing:
        raise Http404("No survey version matches the given query.") from missing


def question_or_404(survey: Survey, question_id: int) -> Question:
    """A question of any version of ``survey`` (so of the member's tenant), with its version."""
    try:
        return (
            Question.objects.for_tenant(survey.tenant_id)
            .select_related("version")
            .get(pk=question_id, version__survey=survey)
        )
    except Question.DoesNotExist as missing:
        raise Http404("No question matches the given query.") from missing


def questions_of(version: SurveyVersion) -> list[Question]:
    return list(version.questions.order_by("position"))


def rules_overview(member: Membership, *, survey: Survey | None = None) -> QuerySet[SurveyRule]:
    """The tenant's rules in the order they are tried, with their survey, brand and touchpoint
    and ``published_number``: the survey's published version (None: the rule sends nothing).
    With ``survey``, that survey's rules only."""
    published = SurveyVersion.objects.for_tenant(member.tenant_id).filter(
        survey=OuterRef("survey"), status=SurveyVersion.Status.PUBLISHED
    )
    rules = (
        visible_to(SurveyRule.objects.all(), member, department_field=None)
        .select_related("survey", "brand", "touchpoint")
        .annotate(published_number=Subquery(published.values("number")[:1]))
        .order_by("order", "id")
    )
    return rules if survey is None else rules.filter(survey=survey)


def rule_for_member_or_404(member: Membership, rule_id: int) -> SurveyRule:
    return get_visible_or_404(
        SurveyRule.objects.select_related("survey"), member, department_field=None, pk=rule_id
    )


# --- preview ------------------------------------------------------------------------------


@dataclass
class PreviewQuestion:
    position: int
    kind: str
    text: str
    is_fallback: bool
    is_primary: bool
    is_required: bool
    points: list[int] = field(default_factory=list)
    # What the lowest and highest points mean (NPS, CSAT, CES), in the preview's language.
    ends: tuple | None = None
    # (value, label, label_is_fallback)
    choices: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def is_scale(self) -> bool:
        return bool(self.points)

    @property
    def is_choice(self) -> bool:
        return self.kind == QuestionKind.CHOICE

    @property
    def is_text(self) -> bool:
        return self.kind == QuestionKind.TEXT


def preview_language(requested: str | None, default: str) -> str:
    if requested in LANGUAGE_CODES:
        return requested
    return default if default in LANGUAGE_CODES else FALLBACK_LANGUAGE


def survey_preview(
    version: SurveyVersion, language: str, default_language: str = FALLBACK_LANGUAGE
) -> list[PreviewQuestion]:
    """The version's questions as a customer reading ``language`` would see them.

    A missing translation falls back like the survey page does (``surveys.models.localized``:
    the tenant's language, then English); ``is_fallback`` marks it for the manager.
    """
    preview = []
    for question in questions_of(version):
        points = []
        if question.scale_min is not None and question.scale_max is not None:
            points = list(range(question.scale_min, question.scale_max + 1))
        choices = []
        for choice in question.choices:
            labels = choice.get("label") or {}
            label = localized(labels, language, default_language)
            choices.append((choice["value"], label, not labels.get(language)))
        preview.append(
            PreviewQuestion(
                position=question.position,
                kind=question.kind,
                text=localized(question.text, language, default_language),
                is_fallback=not question.text.get(language),
                is_primary=question.is_primary,
                is_required=question.is_required,
                points=points,
                ends=SCALE_ENDS.get(question.kind),
                choices=choices,
            )
        )
    return preview
