"""The survey builder's writes of surveys and versions: create, rename, draft and publish
(questions: ``questions``, rules: ``rules``, the checks they share: ``checks``).

A published version is frozen, because customers' responses point at it. Editing after
publishing starts a new draft (version n+1) with a copy of the published questions; publishing
that draft retires the version before it. Every function here takes the acting membership,
checks ``MANAGE_SURVEYS``, validates, writes in one transaction and records the audit entry.

Builder writes of one survey are serialised by locking the survey row, so two managers cannot
both open a draft, or both add the fifth question.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.builder.checks import clean_name, clean_question
from surveys.models import MAX_QUESTIONS, Question, Survey, SurveyVersion
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import Membership
from tenants.permissions import Action, require

# --- the survey's lock, shared by every write ---------------------------------------------


def require_manager(actor: Membership, tenant_id: int) -> None:
    """403 for a role that may not build surveys; 404 for a row of another tenant."""
    require(actor, Action.MANAGE_SURVEYS)
    if tenant_id != actor.tenant_id:
        raise NotFound(_("No such survey."))


def lock_survey(*, survey_id: int, tenant_id: int) -> Survey:
    """The survey row, locked: builder writes of one survey wait for each other."""
    return Survey.objects.for_tenant(tenant_id).select_for_update().get(pk=survey_id)


def locked_draft(version: SurveyVersion) -> SurveyVersion:
    """The version, re-read under its survey's lock; refused unless it is still a draft."""
    lock_survey(survey_id=version.survey_id, tenant_id=version.tenant_id)
    version = SurveyVersion.objects.for_tenant(version.tenant_id).get(pk=version.pk)
    if version.status != SurveyVersion.Status.DRAFT:
        raise Conflict(
            _("Version %(number)s is %(status)s and is never edited: start a new draft.")
            % {"number": version.number, "status": version.get_status_display().lower()},
            code="not_draft",
        )
    return version


# --- surveys ------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, actor: Membership, name: str) -> Survey:
    """A new survey with version 1 as an empty draft."""
    require(actor, Action.MANAGE_SURVEYS)
    name = clean_name(name)
    survey = Survey.objects.create(tenant_id=actor.tenant_id, name=name)
    version = SurveyVersion.objects.create(tenant_id=actor.tenant_id, survey=survey, number=1)
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey.created",
        target=survey,
        changes={"name": [None, name], "draft": [None, version.number]},
    )
    return survey


@transaction.atomic
def survey_update(*, actor: Membership, survey: Survey, name: str, is_active: bool) -> Survey:
    """Rename a survey, or switch it off (an inactive survey's rules send nothing)."""
    require_manager(actor, survey.tenant_id)
    name = clean_name(name)
    survey = lock_survey(survey_id=survey.pk, tenant_id=survey.tenant_id)
    before = {"name": survey.name, "is_active": survey.is_active}
    after = {"name": name, "is_active": bool(is_active)}
    changes = field_changes(before, after)
    if changes:
        Survey.objects.for_tenant(survey.tenant_id).filter(pk=survey.pk).update(**after)
        survey.name, survey.is_active = name, bool(is_active)
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="survey.changed",
            target=survey,
            changes=changes,
        )
    return survey


# --- versions -----------------------------------------------------------------------------


@transaction.atomic
def draft_open(*, actor: Membership, survey: Survey) -> SurveyVersion:
    """The survey's draft; when there is none, a new one (n+1) copying the published questions.

    A survey has at most one draft: opening it again returns the same one.
    """
    require_manager(actor, survey.tenant_id)
    survey = lock_survey(survey_id=survey.pk, tenant_id=survey.tenant_id)
    versions = SurveyVersion.objects.for_tenant(survey.tenant_id).filter(survey=survey)
    draft = versions.filter(status=SurveyVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    source = (
        versions.filter(status=SurveyVersion.Status.PUBLISHED).first()
        or versions.order_by("-number").first()
    )
    number = (versions.aggregate(last=Max("number"))["last"] or 0) + 1
    draft = SurveyVersion.objects.create(tenant_id=survey.tenant_id, survey=survey, number=number)
    copied = []
    if source is not None:
        copied = Question.objects.bulk_create(
            Question(
                tenant_id=survey.tenant_id,
                version=draft,
                position=question.position,
                kind=question.kind,
                is_primary=question.is_primary,
                is_required=question.is_required,
                text=dict(question.text),
                choices=[dict(choice) for choice in question.choices],
                scale_min=question.scale_min,
                scale_max=question.scale_max,
            )
            for question in source.questions.order_by("position")
        )
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey_version.drafted",
        target=draft,
        changes={"status": [None, draft.status], "number": [None, number]},
        note=(
            _("Copied %(count)s questions from version %(number)s.")
            % {"count": len(copied), "number": source.number}
            if source
            else ""
        ),
    )
    return draft


def publish_problems(questions: list[Question]) -> list[str]:
    """What keeps a version with these questions from being published (empty: nothing)."""
    problems = []
    if not questions:
        problems.append(_("Add at least one question."))
    if len(questions) > MAX_QUESTIONS:
        problems.append(_("A survey has at most %(count)s questions.") % {"count": MAX_QUESTIONS})
    primaries = [question for question in questions if question.is_primary]
    if questions and not primaries:
        problems.append(
            _("Mark one NPS, CSAT or CES question as the primary one (the overall impression).")
        )
    if len(primaries) > 1:
        problems.append(_("Only one question can be the primary one."))
    for question in questions:
        try:
            clean_question(
                kind=question.kind,
                text=question.text,
                is_primary=question.is_primary,
                is_required=question.is_required,
                choices=question.choices,
                scale_min=question.scale_min,
                scale_max=question.scale_max,
            )
        except ApplicationError as error:
            problems.append(
                _("Question %(position)s: %(problem)s")
                % {"position": question.position, "problem": error.message}
            )
    return problems


@transaction.atomic
def version_publish(*, actor: Membership, version: SurveyVersion) -> SurveyVersion:
    """Publish a valid draft; the version published before it is retired.

    Responses keep pointing at the version they answered; new invitations use this one.
    """
    require_manager(actor, version.tenant_id)
    version = locked_draft(version)
    problems = publish_problems(list(version.questions.order_by("position")))
    if problems:
        raise ApplicationError(
            _("Version %(number)s cannot be published yet.") % {"number": version.number},
            code="not_publishable",
            fields={"__all__": problems},
        )
    versions = SurveyVersion.objects.for_tenant(version.tenant_id).filter(survey=version.survey_id)
    for retired in versions.filter(status=SurveyVersion.Status.PUBLISHED):
        versions.filter(pk=retired.pk).update(status=SurveyVersion.Status.RETIRED)
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="survey_version.retired",
            target=retired,
            changes={"status": [retired.status, SurveyVersion.Status.RETIRED]},
            note=_("Replaced by version %(number)s.") % {"number": version.number},
        )
    now = timezone.now()
    updated = versions.filter(pk=version.pk, status=SurveyVersion.Status.DRAFT).update(
        status=SurveyVersion.Status.PUBLISHED, published_at=now
    )
    if updated != 1:  # the survey lock makes this unreachable; kept as the compare-and-set
        raise Conflict(_("Someone else changed this version first."))
    version.status, version.published_at = SurveyVersion.Status.PUBLISHED, now
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey_version.published",
        target=version,
        changes={"status": [SurveyVersion.Status.DRAFT, SurveyVersion.Status.PUBLISHED]},
    )
    return version
