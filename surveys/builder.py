"""The survey builder's writes: surveys, their versions and questions (rules: ``survey_rules``).

A published version is frozen, because customers' responses point at it. Editing after
publishing starts a new draft (version n+1) with a copy of the published questions; publishing
that draft retires the version before it. Every function here takes the acting membership,
checks ``MANAGE_SURVEYS``, validates, writes in one transaction and records the audit entry.

Builder writes of one survey are serialised by locking the survey row, so two managers cannot
both open a draft, or both add the fifth question.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import (
    MAX_QUESTIONS,
    SCALES,
    Question,
    QuestionKind,
    Survey,
    SurveyVersion,
)
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import Membership
from tenants.permissions import Action, require

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The source language: a survey page shows it where a translation is missing.
FALLBACK_LANGUAGE = "en"
TEXT_MAX_LENGTH = 500
NAME_MAX_LENGTH = 200
# A free scale is drawn as one button per point: 0–10 at most, like NPS.
SCALE_BOUNDS = (0, 10)
MIN_CHOICES, MAX_CHOICES = 2, 12
CHOICE_VALUE_MAX_LENGTH = 100  # Answer.choice


# --- checks shared by every write ---------------------------------------------------------


def require_manager(actor: Membership, tenant_id: int) -> None:
    """403 for a role that may not build surveys; 404 for a row of another tenant."""
    require(actor, Action.MANAGE_SURVEYS)
    if tenant_id != actor.tenant_id:
        raise NotFound(_("No such survey."))


def _lock_survey(survey_id: int, tenant_id: int) -> Survey:
    return Survey.objects.for_tenant(tenant_id).select_for_update().get(pk=survey_id)


def _locked_draft(version: SurveyVersion) -> SurveyVersion:
    """The version, re-read under its survey's lock; refused unless it is still a draft."""
    _lock_survey(version.survey_id, version.tenant_id)
    version = SurveyVersion.objects.for_tenant(version.tenant_id).get(pk=version.pk)
    if version.status != SurveyVersion.Status.DRAFT:
        raise Conflict(
            _("Version %(number)s is %(status)s and is never edited: start a new draft.")
            % {"number": version.number, "status": version.get_status_display().lower()},
            code="not_draft",
        )
    return version


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the survey a name."), fields={"name": [_("Needed.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("The name is too long."),
            fields={"name": [_("At most %(count)s characters.") % {"count": NAME_MAX_LENGTH}]},
        )
    return name


# --- surveys ------------------------------------------------------------------------------


@transaction.atomic
def survey_create(*, actor: Membership, name: str) -> Survey:
    """A new survey with version 1 as an empty draft."""
    require(actor, Action.MANAGE_SURVEYS)
    name = _clean_name(name)
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
    name = _clean_name(name)
    survey = _lock_survey(survey.pk, survey.tenant_id)
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
    survey = _lock_survey(survey.pk, survey.tenant_id)
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
            _clean_question(
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
    version = _locked_draft(version)
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


# --- questions ----------------------------------------------------------------------------


def _clean_texts(texts: dict, *, errors: dict, field: str) -> dict:
    """``{language: text}`` stripped, empty ones dropped; the English text is needed."""
    cleaned = {}
    for code, value in (texts or {}).items():
        if code not in LANGUAGE_CODES:
            errors.setdefault(field, []).append(
                _("%(code)s is not a survey language.") % {"code": code}
            )
            continue
        value = (value or "").strip()
        if len(value) > TEXT_MAX_LENGTH:
            errors.setdefault(f"{field}_{code}", []).append(
                _("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH}
            )
        if value:
            cleaned[code] = value
    if FALLBACK_LANGUAGE not in cleaned:
        errors.setdefault(f"{field}_{FALLBACK_LANGUAGE}", []).append(
            _("The English text is needed: it is shown where a translation is missing.")
        )
    return cleaned


def _clean_choices(choices: list, *, errors: dict) -> list[dict]:
    problems = []
    cleaned = []
    seen = set()
    for number, choice in enumerate(choices or [], start=1):
        value = str(choice.get("value") or "").strip()
        label_errors: dict = {}
        labels = _clean_texts(choice.get("label") or {}, errors=label_errors, field="label")
        if not value:
            problems.append(_("Choice %(number)s has no value.") % {"number": number})
        elif len(value) > CHOICE_VALUE_MAX_LENGTH:
            problems.append(
                _("Choice %(number)s: the value is longer than %(count)s characters.")
                % {"number": number, "count": CHOICE_VALUE_MAX_LENGTH}
            )
        elif value in seen:
            problems.append(
                _("Choice %(number)s: the value “%(value)s” is used twice.")
                % {"number": number, "value": value}
            )
        seen.add(value)
        if label_errors:
            problems.append(
                _("Choice %(number)s needs an English label of at most %(count)s characters.")
                % {"number": number, "count": TEXT_MAX_LENGTH}
            )
        cleaned.append({"value": value, "label": labels})
    if not MIN_CHOICES <= len(cleaned) <= MAX_CHOICES:
        problems.insert(
            0,
            _("Give between %(low)s and %(high)s choices.")
            % {"low": MIN_CHOICES, "high": MAX_CHOICES},
        )
    if problems:
        errors["choices"] = problems
    return cleaned


def _clean_question(
    *,
    kind: str,
    text: dict,
    is_primary: bool,
    is_required: bool,
    choices: list | None,
    scale_min: int | None,
    scale_max: int | None,
) -> dict:
    """The question's fields, normalised for its kind, or ApplicationError with every problem.

    Fields that do not apply to the kind are dropped (a scale's range on a text question);
    NPS, CSAT and CES always have their fixed range; the primary question is always required.
    """
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        raise ApplicationError(
            _("Choose the kind of question."), fields={"kind": [_("Unknown kind.")]}
        )
    cleaned = {
        "kind": kind,
        "text": _clean_texts(text, errors=errors, field="text"),
        "is_primary": bool(is_primary),
        "is_required": bool(is_required) or bool(is_primary),
        "choices": [],
        "scale_min": None,
        "scale_max": None,
    }
    if kind in SCALES:
        cleaned["scale_min"], cleaned["scale_max"] = SCALES[kind]
    elif kind == QuestionKind.SCALE:
        low, high = SCALE_BOUNDS
        for name, value in (("scale_min", scale_min), ("scale_max", scale_max)):
            if value is None:
                errors.setdefault(name, []).append(_("Needed for a scale."))
            elif not low <= value <= high:
                errors.setdefault(name, []).append(
                    _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
                )
        if scale_min is not None and scale_max is not None and scale_min >= scale_max:
            errors.setdefault("scale_max", []).append(_("Must be above the lowest point."))
        cleaned["scale_min"], cleaned["scale_max"] = scale_min, scale_max
    elif kind == QuestionKind.CHOICE:
        cleaned["choices"] = _clean_choices(choices, errors=errors)
    if is_primary and kind not in SCALES:
        errors.setdefault("is_primary", []).append(
            _(
                "Only an NPS, CSAT or CES question can be the primary one: it asks for the "
                "overall impression of the service."
            )
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, fields=errors)
    return cleaned


def _refuse_second_primary(version: SurveyVersion, *, is_primary: bool, exclude=None) -> None:
    if not is_primary:
        return
    others = version.questions.filter(is_primary=True)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    other = others.first()
    if other is not None:
        message = _("Question %(position)s is already the primary one; untick it there first.") % {
            "position": other.position
        }
        raise ApplicationError(message, code="two_primaries", fields={"is_primary": [message]})


def _question_state(question: Question) -> dict:
    return {
        "kind": question.kind,
        "text": question.text,
        "is_primary": question.is_primary,
        "is_required": question.is_required,
        "choices": question.choices,
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
    }


@transaction.atomic
def question_add(
    *,
    actor: Membership,
    version: SurveyVersion,
    kind: str,
    text: dict,
    is_primary: bool = False,
    is_required: bool = False,
    choices: list | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
) -> Question:
    """Add a question at the end of a draft (at most ``MAX_QUESTIONS``, one primary).

    ``text`` is ``{language: text}`` with English needed; ``choices`` (single choice only) is
    ``[{"value": "price", "label": {"en": "Price", "el": "Τιμή"}}, …]``.
    """
    require_manager(actor, version.tenant_id)
    version = _locked_draft(version)
    fields = _clean_question(
        kind=kind,
        text=text,
        is_primary=is_primary,
        is_required=is_required,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
    )
    count = version.questions.count()
    if count >= MAX_QUESTIONS:
        raise ApplicationError(
            _("A survey has at most %(count)s questions: remove one first.")
            % {"count": MAX_QUESTIONS},
            code="too_many_questions",
        )
    _refuse_second_primary(version, is_primary=fields["is_primary"])
    question = Question.objects.create(
        tenant_id=version.tenant_id, version=version, position=count + 1, **fields
    )
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="question.added",
        target=question,
        changes={
            "version": [None, version.number],
            "position": [None, question.position],
            **{name: [None, value] for name, value in _question_state(question).items()},
        },
    )
    return question


@transaction.atomic
def question_update(
    *,
    actor: Membership,
    question: Question,
    kind: str,
    text: dict,
    is_primary: bool = False,
    is_required: bool = False,
    choices: list | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
) -> Question:
    """Change a question of a draft; the arguments are those of ``question_add``."""
    require_manager(actor, question.tenant_id)
    version = _locked_draft(question.version)
    question = Question.objects.for_tenant(question.tenant_id).get(pk=question.pk)
    fields = _clean_question(
        kind=kind,
        text=text,
        is_primary=is_primary,
        is_required=is_required,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
    )
    _refuse_second_primary(version, is_primary=fields["is_primary"], exclude=question)
    changes = field_changes(_question_state(question), fields)
    if changes:
        Question.objects.for_tenant(question.tenant_id).filter(pk=question.pk).update(**fields)
        for name, value in fields.items():
            setattr(question, name, value)
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="question.changed",
            target=question,
            changes=changes,
        )
    return question


def _set_position(question: Question, position: int) -> None:
    Question.objects.for_tenant(question.tenant_id).filter(pk=question.pk).update(position=position)
    question.position = position


@transaction.atomic
def question_move(*, actor: Membership, question: Question, offset: int) -> Question:
    """Swap a draft's question with the one above (``offset=-1``) or below (``+1``) it."""
    require_manager(actor, question.tenant_id)
    if offset not in (-1, 1):
        raise ApplicationError(_("Move a question one place up or down."))
    version = _locked_draft(question.version)
    question = Question.objects.for_tenant(question.tenant_id).get(pk=question.pk)
    neighbour = version.questions.filter(position=question.position + offset).first()
    if neighbour is None:
        return question  # already first or last
    before = question.position
    # Positions are unique per version: park one question at 0 while the two swap.
    _set_position(question, 0)
    _set_position(neighbour, before)
    _set_position(question, before + offset)
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="question.moved",
        target=question,
        changes={"position": [before, question.position]},
    )
    return question


@transaction.atomic
def question_delete(*, actor: Membership, question: Question) -> None:
    """Remove a question from a draft; the ones below it move up."""
    require_manager(actor, question.tenant_id)
    version = _locked_draft(question.version)
    question = Question.objects.for_tenant(question.tenant_id).get(pk=question.pk)
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="question.deleted",
        target=question,
        changes={
            "version": [version.number, None],
            "position": [question.position, None],
            **{name: [value, None] for name, value in _question_state(question).items()},
        },
    )
    position = question.position
    version.questions.filter(pk=question.pk).delete()
    # One by one, top down, so no two questions ever share a position (unique constraint).
    for below in version.questions.filter(position__gt=position).order_by("position"):
        _set_position(below, below.position - 1)
