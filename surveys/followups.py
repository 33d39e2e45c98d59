"""The closed loop: the follow-up queue, completing a follow-up, and the customer's re-rate.

A critic's follow-up is opened by ``responding.response_submit``. Someone who handles complaints
(or manages surveys) calls the customer back, records what came of it and completes it; they
may ask the customer to rate the service again. That re-rate is an ordinary invitation with
purpose RERATE, sent by the sender's minute (``services.invitations_run``) like any other, and
its answer is linked back to the follow-up (``follow_up_rerate_link``).

Follow-ups are not held by a department: like surveys, every member who may see surveys sees
all the tenant's.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

# A module import, not names: responding.py imports this module back (the re-rate hook).
from surveys import services
from surveys.models import Answer, FollowUp, Invitation, Response, localized
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import Membership
from tenants.permissions import Action, get_visible_or_404, member_can, visible_to

QUEUE_LIMIT = 200  # rows on the queue page; open ones come first, so none is hidden by done ones


# --- reads ---------------------------------------------------------------------------------


def follow_up_queue(
    member: Membership,
    *,
    status: str = "",
    is_mine: bool = False,
    now: datetime | None = None,
) -> list[FollowUp]:
    """The tenant's follow-ups: open ones by due time, then done ones, latest first.

    ``status`` ("open"/"done") and ``is_mine`` (assigned to ``member``) narrow it. Each row has
    its response, interaction, customer, brand, touchpoint and assignee loaded (one query) and
    ``is_overdue``.
    """
    now = now or timezone.now()
    follow_ups = visible_to(FollowUp.objects.all(), member, department_field=None)
    if status in FollowUp.Status.values:
        follow_ups = follow_ups.filter(status=status)
    if is_mine:
        follow_ups = follow_ups.filter(assignee=member)
    is_open = Case(
        When(status=FollowUp.Status.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    open_due = Case(When(status=FollowUp.Status.OPEN, then=F("due_at")))
    rows = list(
        follow_ups.select_related(
            "response__interaction__customer",
            "response__interaction__brand",
            "response__interaction__touchpoint",
            "assignee__user",
        ).order_by(
            is_open,
            open_due.asc(nulls_last=True),
            F("completed_at").desc(nulls_last=True),
            "pk",
        )[:QUEUE_LIMIT]
    )
    for follow_up in rows:
        follow_up.is_overdue = follow_up.status == FollowUp.Status.OPEN and follow_up.due_at < now
    return rows


def follow_up_for_member_or_404(member: Membership, follow_up_id: int) -> FollowUp:
    """One follow-up of the member's tenant with its response and interaction, or the 404 of
    a follow-up that does not exist."""
    return get_visible_or_404(
        FollowUp.objects.select_related(
            "response__invitation",
            "response__interaction__customer",
            "response__interaction__brand",
            "response__interaction__touchpoint",
            "response__interaction__performer__user",
            "response__interaction__complaint",
            "assignee__user",
            "rerate",
        ),
        member,
        department_field=None,
        pk=follow_up_id,
    )


@dataclass
class AnswerLine:
    question: str
    value: str
    is_primary: bool


def response_answers(response: Response, *, default_language: str = "en") -> list[AnswerLine]:
    """The response's answers in question order, as the customer's language showed them."""
    language = response.invitation.language
    answers = (
        Answer.objects.for_tenant(response.tenant_id)
        .filter(response=response)
        .select_related("question")
        .order_by("question__position")
    )
    lines = []
    for answer in answers:
        question = answer.question
        if answer.score is not None:
            value = str(answer.score)
        elif answer.choice:
            labels = next(
                (c.get("label") or {} for c in question.choices if c["value"] == answer.choice),
                {},
            )
            value = localized(labels, language, default_language) or answer.choice
        else:
            value = answer.text
        lines.append(
            AnswerLine(
                question=question.text_in(language, default_language),
                value=value,
                is_primary=question.is_primary,
            )
        )
    return lines


def rerate_invitation_of(follow_up: FollowUp) -> Invitation | None:
    """The re-rate invitation of the follow-up's interaction, if one was scheduled."""
    return (
        Invitation.objects.for_tenant(follow_up.tenant_id)
        .filter(
            interaction_id=follow_up.response.interaction_id,
            purpose=Invitation.Purpose.RERATE,
        )
        .first()
    )


def may_complete(member: Membership) -> bool:
    return member_can(member, Action.HANDLE_COMPLAINTS) or member_can(member, Action.MANAGE_SURVEYS)


# --- writes --------------------------------------------------------------------------------


@transaction.atomic
def follow_up_complete(
    *,
    actor: Membership,
    follow_up: FollowUp,
    outcome: str,
    invite_rerate: bool,
    now: datetime | None = None,
) -> Invitation | None:
    """Record what came of the call-back and close the follow-up (OPEN → DONE).

    Compare-and-set on the status: of two completions only the first counts; the second gets
    :class:`Conflict`. With ``invite_rerate``, a RERATE invitation for the same interaction and
    survey version is scheduled now (and returned); the sender emails it within its minute.
    Raises PermissionDenied for a role that may not handle follow-ups, NotFound for another
    tenant's follow-up and ApplicationError (field ``outcome``) for an empty outcome.
    """
    if not may_complete(actor):
        raise PermissionDenied(Action.HANDLE_COMPLAINTS)
    if follow_up.tenant_id != actor.tenant_id:
        raise NotFound(_("No such follow-up."))
    outcome = outcome.strip()
    if not outcome:
        raise ApplicationError(
            _("Say what came of the follow-up."),
            fields={"outcome": [_("Say what came of the follow-up.")]},
        )
    now = now or timezone.now()
    completed = (
        FollowUp.objects.for_tenant(actor.tenant_id)
        .filter(pk=follow_up.pk, status=FollowUp.Status.OPEN)
        .update(status=FollowUp.Status.DONE, outcome=outcome, completed_at=now)
    )
    if completed != 1:
        raise Conflict(_("This follow-up has already been completed."), code="completed")
    follow_up.status, follow_up.outcome, follow_up.completed_at = (
        FollowUp.Status.DONE,
        outcome,
        now,
    )
    invitation = _rerate_schedule(follow_up, now=now) if invite_rerate else None
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey.follow_up_complete",
        target=follow_up,
        changes={"status": [FollowUp.Status.OPEN, FollowUp.Status.DONE], "outcome": ["", outcome]},
        note=_("The customer is asked to rate the service again.") if invitation else "",
    )
    return invitation


def _rerate_schedule(follow_up: FollowUp, *, now: datetime) -> Invitation:
    """A RERATE invitation to send now, on the first one's version, expiring like it does.

    ``services._decide`` creates the first invitation inline, together with the rule match,
    throttle and sample, so there is no scheduling function to call; this uses the same
    validity (``services.INVITATION_VALID_FOR``). No throttle: the customer was just called
    and asked. One per interaction (unique ``invitation_once``): a second re-rate of the same
    interaction returns the existing one. A customer who opted out meanwhile is not written
    to: ``services.invitation_send`` cancels it.
    """
    response = follow_up.response
    first = response.invitation
    invitation, _created = Invitation.objects.get_or_create(
        tenant_id=follow_up.tenant_id,
        interaction_id=response.interaction_id,
        purpose=Invitation.Purpose.RERATE,
        defaults={
            "version_id": response.version_id,
            "customer_id": first.customer_id,
            "language": first.language,
            "send_at": now,
            "expires_at": now + services.INVITATION_VALID_FOR,
        },
    )
    return invitation


def follow_up_rerate_link(*, response: Response) -> bool:
    """Link a re-rate answer to the follow-up that asked for it; True when this call did.

    To be called by ``responding.response_submit`` for every response (it ignores answers to a
    first invitation). Idempotent: a linked follow-up is not relinked.
    """
    if response.invitation.purpose != Invitation.Purpose.RERATE:
        return False
    linked = (
        FollowUp.objects.for_tenant(response.tenant_id)
        .filter(
            response__interaction_id=response.interaction_id,
            response__invitation__purpose=Invitation.Purpose.FIRST,
            rerate__isnull=True,
        )
        .update(rerate=response)
    )
    return linked == 1
