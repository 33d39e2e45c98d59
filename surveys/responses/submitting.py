"""The customer's answers and the closed loop: the score clicked in an email and held, the
response (whole, or partial when the person left after clicking), and the follow-up of a
critic. ``invitations`` sends the invitations; this module takes what comes back.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.followups.services import follow_up_complete, follow_up_open, follow_up_rerate_link
from surveys.invitations.status import invitation_mark_answered
from surveys.invitations.tokens import tokens_use
from surveys.models import (
    Answer,
    FollowUp,
    Interaction,
    Invitation,
    Question,
    Response,
    primary_question,
    survey_settings_for,
)
from surveys.rollups.services import answer_days_due
from surveys.scoring import QuestionKind, follow_up_required, is_critic
from tenants.errors import ApplicationError, Conflict

logger = logging.getLogger(__name__)

# A score clicked in the email and not followed by "Send" is kept as the answer this long after
# the click (or at the invitation's expiry, if sooner): the person has moved on.
HELD_SCORE_KEPT_AFTER = timedelta(hours=1)


# A partial response (only the kept score) that the person may still complete: not once a
# follow-up of it is done — the call was about that score, and its history must stay true.
COMPLETABLE = Q(is_partial=True) & ~Q(follow_up__status=FollowUp.Status.DONE)


def score_hold(*, invitation: Invitation, score: int | None, now: datetime | None = None) -> None:
    """Record the score the person clicked in the email, from their page (see ``public``).

    Not yet a response: the token stays usable and the person may still change the score or
    send the whole survey. Raises :class:`Conflict` when the invitation is answered or
    expired, :class:`ApplicationError` for a score off the primary question's scale (or none).
    """
    now = now or timezone.now()
    primary = primary_question(list(invitation.version.questions.all()))
    scale = primary.scale if primary else None
    if not scale or score is None or not scale[0] <= score <= scale[1]:
        raise ApplicationError(_("Choose a number on the scale."), code="off_scale")
    held = (
        Invitation.objects.for_tenant(invitation.tenant_id)
        .filter(pk=invitation.pk, status=Invitation.Status.SENT, expires_at__gt=now)
        .update(held_score=score, held_at=now)
    )
    if not held:
        raise Conflict(_("This survey cannot take answers any more."), code="closed")


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    answers: dict[int, object],
    now: datetime | None = None,
    partial: bool = False,
) -> Response:
    """Record the customer's answers (question id → score, choice value or text).

    Takes the invitation (SENT → ANSWERED, compare-and-set), so two submissions at once record
    one response; opens a follow-up for a critic (``scoring.follow_up_required``: always with a
    comment, without one as the tenant chose). ``partial``: only the score the person
    clicked before leaving (``invitations_settle``); questions they never saw are not demanded,
    and the link stays open for them to send the whole survey, which completes that response.
    Otherwise every token of the invitation is marked used. Raises :class:`Conflict` when the
    invitation is answered or expired, and :class:`ApplicationError` (fields keyed
    ``q<question id>``) for an answer out of range.
    """
    now = now or timezone.now()
    taken = invitation_mark_answered(invitation=invitation, now=now)
    questions = list(invitation.version.questions.all())
    if not taken:
        if not partial and (response := _partial_response_locked(invitation, now=now)):
            return _response_complete(response, questions, answers, now=now)
        invitations = Invitation.objects.for_tenant(invitation.tenant_id)
        if invitations.filter(pk=invitation.pk, status=Invitation.Status.ANSWERED).exists():
            raise Conflict(_("This survey has already been answered."), code="answered")
        raise Conflict(_("This survey link has expired."), code="expired")
    rows = _answer_rows(questions, answers, partial=partial)
    interaction = (
        Interaction.objects.for_tenant(invitation.tenant_id)
        .select_related("tenant", "touchpoint")
        .get(pk=invitation.interaction_id)
    )
    response = Response(
        tenant_id=invitation.tenant_id,
        invitation=invitation,
        version_id=invitation.version_id,
        interaction=interaction,
        is_partial=partial,
        submitted_at=now,
    )
    _response_fill(response, questions, rows)
    response.save()
    _answers_save(response, rows)
    # An answer to a re-rate invitation is the follow-up's "after" score.
    follow_up_rerate_link(response=response)
    if not partial:
        tokens_use(invitation, now=now)
    if _needs_follow_up(response, interaction.tenant):
        follow_up_open(response=response, interaction=interaction, now=now)
    return response


def _needs_follow_up(response: Response, tenant) -> bool:
    return follow_up_required(
        kind=response.primary_kind,
        score=response.primary_score,
        comment=response.comment,
        critics_without_comment=survey_settings_for(tenant).follow_up_critics_without_comment,
    )


def _partial_response_locked(invitation: Invitation, *, now: datetime) -> Response | None:
    """The invitation's partial response, locked, while its link is still open; else None."""
    return (
        Response.objects.for_tenant(invitation.tenant_id)
        .select_for_update(of=("self",))
        .select_related("interaction__tenant", "interaction__touchpoint")
        .filter(COMPLETABLE, invitation=invitation, invitation__expires_at__gt=now)
        .first()
    )


def _response_complete(
    response: Response, questions: list[Question], answers: dict, *, now: datetime
) -> Response:
    """The person came back and sent the survey: their answers replace the kept score."""
    rows = _answer_rows(questions, answers)
    response.answers.all().delete()
    response.is_partial = False
    _response_fill(response, questions, rows)
    response.save(update_fields=["primary_score", "comment", "is_critic", "is_partial"])
    _answers_save(response, rows)
    tokens_use(response.invitation, now=now)
    follow_up = (
        FollowUp.objects.for_tenant(response.tenant_id)
        .select_related("tenant")
        .filter(response=response)
        .first()
    )
    if follow_up is None and _needs_follow_up(response, response.interaction.tenant):
        follow_up_open(response=response, interaction=response.interaction, now=now)
    elif follow_up is not None and not response.is_critic:
        # Opened for the kept low score; the whole survey says otherwise: nobody should call.
        # (A follow-up already done keeps the response closed: see COMPLETABLE.)
        follow_up_complete(actor=None, follow_up=follow_up, now=now)
    return response


def _response_fill(response: Response, questions: list[Question], rows: list[Answer]) -> None:
    """The primary score, the comment and the critic flag, copied from the answers."""
    primary = primary_question(questions)
    response.primary_kind = primary.kind if primary else QuestionKind.TEXT
    response.primary_score = next((row.score for row in rows if row.question == primary), None)
    response.comment = "\n\n".join(row.text for row in rows if row.text)
    response.is_critic = is_critic(response.primary_kind, response.primary_score)


def _answers_save(response: Response, rows: list[Answer]) -> None:
    """The one writer of answers: saves them and marks their day's rollup due."""
    for row in rows:
        row.tenant_id = response.tenant_id
        row.response = response
    Answer.objects.bulk_create(rows)
    answer_days_due(tenant=response.interaction.tenant, moments=[response.submitted_at])


def _answer_rows(
    questions: list[Question], answers: dict[int, object], *, partial: bool = False
) -> list[Answer]:
    rows, errors = [], {}
    for question in questions:
        value = answers.get(question.pk)
        if value in (None, ""):
            if question.is_required and not partial:
                errors[f"q{question.pk}"] = [_("Please answer this question.")]
            continue
        scale = question.scale
        if scale:
            if not isinstance(value, int) or not scale[0] <= value <= scale[1]:
                errors[f"q{question.pk}"] = [
                    _("Choose a number from %(low)s to %(high)s.")
                    % {"low": scale[0], "high": scale[1]}
                ]
                continue
            rows.append(Answer(question=question, score=value))
        elif question.kind == QuestionKind.CHOICE:
            if value not in {choice["value"] for choice in question.choices}:
                errors[f"q{question.pk}"] = [_("Choose one of the answers.")]
                continue
            rows.append(Answer(question=question, choice=value))
        else:
            rows.append(Answer(question=question, text=str(value).strip()))
    if errors:
        raise ApplicationError(_("Some answers need your attention."), fields=errors)
    if not rows:
        raise ApplicationError(_("Please answer at least one question."))
    return rows


# --- the held score left unsent ---------------------------------------------------------------


def invitations_settle(*, now: datetime, limit: int) -> int:
    """Keep the clicked score of every person who left without pressing "Send" as their answer.

    Taken an hour after the click, or when the invitation expires, whichever comes first.
    """
    held = (
        Invitation.objects.unscoped()
        .filter(status=Invitation.Status.SENT, held_at__isnull=False)
        .filter(Q(held_at__lte=now - HELD_SCORE_KEPT_AFTER) | Q(expires_at__lte=now))
        .order_by("held_at")
        .values_list("tenant_id", "pk")[:limit]
    )
    return sum(invitation_settle(tenant_id=t, invitation_id=pk) for t, pk in list(held))


@transaction.atomic
def invitation_settle(*, tenant_id: int, invitation_id: int) -> bool:
    """The held score of one invitation becomes its response; True when this call made it.

    The invitation is locked, so a score the person changes meanwhile waits for this and is
    then refused (the invitation is answered): the score kept is the one the response has.
    """
    invitation = (
        Invitation.objects.for_tenant(tenant_id)
        .select_for_update(of=("self",))
        .select_related("version")
        .get(pk=invitation_id)
    )
    primary = primary_question(list(invitation.version.questions.all()))
    if invitation.held_score is None or primary is None:
        return False
    try:
        # Dated when the person clicked: that is when they answered.
        response_submit(
            invitation=invitation,
            answers={primary.pk: invitation.held_score},
            now=invitation.held_at,
            partial=True,
        )
    except Conflict:
        return False  # sent by the person meanwhile: their answers won
    return True
