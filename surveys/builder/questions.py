"""The survey builder's writes of questions: add, change, move and delete them in a draft.

Every function takes the acting membership, checks ``MANAGE_SURVEYS``, works under the
survey's lock on a version that is still a draft, and records the audit entry.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from surveys.builder.checks import clean_question
from surveys.builder.publishing import locked_draft, require_manager
from surveys.models import MAX_QUESTIONS, Question, SurveyVersion
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError
from tenants.models import Membership


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
    ``[{"label": {"en": "Price", "el": "Τιμή"}}, …]``, each value derived from its English
    label unless given (``{"value": "price", …}``: ``checks.choice_values_derive``).
    """
    require_manager(actor, version.tenant_id)
    version = locked_draft(version)
    fields = clean_question(
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
    version = locked_draft(question.version)
    question = Question.objects.for_tenant(question.tenant_id).get(pk=question.pk)
    fields = clean_question(
        kind=kind,
        text=text,
        is_primary=is_primary,
        is_required=is_required,
        choices=choices,
        scale_min=scale_min,
        scale_max=scale_max,
        previous_choices=question.choices,
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
    version = locked_draft(question.version)
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
    version = locked_draft(question.version)
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
