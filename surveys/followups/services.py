"""The closed loop's writes: a critic's follow-up opened, completed, and the re-rate linked.

A critic's follow-up is opened by ``responses.submitting`` when the answer comes in. Someone
who handles complaints (or manages surveys) calls the customer back, records what came of it
and completes it; they may ask the customer to rate the service again. That re-rate is an
ordinary invitation with purpose RERATE (``invitations.scheduling``), sent by the sender's
minute like any other, and its answer is linked back to the follow-up
(``follow_up_rerate_link``).

``FollowUp.status`` is a state machine (``surveys.models.FollowUp``: OPEN → DONE); this module
has the one function per transition, and nothing else moves it.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from surveys.followups.selectors import follow_up_department
from surveys.invitations.scheduling import invitation_rerate_schedule
from surveys.models import FollowUp, Interaction, Invitation, Response, may_complete_follow_up
from tenants.audit import audit_record
from tenants.business_time import BusinessCalendar, add_business_time
from tenants.calendar import calendar_for, working_day
from tenants.errors import ApplicationError, Conflict, NotAllowed, NotFound
from tenants.models import Department, Membership, Tenant, Touchpoint
from tenants.permissions import Action, managers_among, require_visible
from tenants.trees import tree_path_ids

logger = logging.getLogger(__name__)


# A critic is called back within this many working days of the tenant's business calendar
# (the complaint SLA's: hours, weekends, public holidays, closures); a working day is the
# calendar's longest (``tenants.calendar.working_day``), as for the complaints' resolution days.
FOLLOW_UP_WORKING_DAYS = 2
# Where the tenant's working hours leave no working time at all (misconfigured): the customer
# still gets a call, within these hours of the clock.
FOLLOW_UP_FALLBACK = timedelta(hours=48)


def follow_up_due(
    *, tenant: Tenant, answered_at: datetime, calendar: BusinessCalendar | None = None
) -> datetime:
    """When a follow-up of an answer given at ``answered_at`` is due: two working days later
    on ``tenant``'s business calendar (``calendar``, when the caller has it already), or 48 h
    later when that calendar has no working time."""
    try:
        calendar = calendar or calendar_for(tenant)
        within = FOLLOW_UP_WORKING_DAYS * working_day(calendar)
        return add_business_time(answered_at, within, calendar)
    except ValueError:
        logger.warning("tenant %s has no working time; follow-up due in 48 h", tenant.pk)
        return answered_at + FOLLOW_UP_FALLBACK


def follow_up_open(*, response: Response, interaction: Interaction, now: datetime) -> FollowUp:
    """A critic is called back within two working days (:func:`follow_up_due`), by a manager
    of the department that owns the touchpoint (see ``follow_up_owner``; unassigned when there
    is none: the follow-up list shows it)."""
    tenant = interaction.tenant
    return FollowUp.objects.create(
        tenant=tenant,
        response=response,
        assignee=follow_up_owner(interaction.touchpoint),
        due_at=follow_up_due(tenant=tenant, answered_at=now),
    )


def follow_up_owner(touchpoint: Touchpoint | None) -> Membership | None:
    """A manager of the touchpoint's owner department; where it has none, of the nearest
    department above it (a head office without a manager of its own passes calls down to
    nobody, so they go up). None without a touchpoint or an owner."""
    if touchpoint is None or touchpoint.owner_department_id is None:
        return None
    owner = Department.objects.for_tenant(touchpoint.tenant_id).get(
        pk=touchpoint.owner_department_id
    )
    # The owner and its ancestors: their ids are the owner's materialised path.
    chain = tree_path_ids(owner.path)
    managers = managers_among(Membership.objects.for_tenant(touchpoint.tenant_id)).filter(
        department_id__in=chain
    )
    nearest = {}
    for manager in managers.order_by("pk").only("pk", "department_id"):
        nearest.setdefault(manager.department_id, manager)
    return next((nearest[pk] for pk in reversed(chain) if pk in nearest), None)


# Who completed a follow-up when no member did, in its audit entry's note: the customer, by
# sending the whole survey after the score they had clicked and left (see ``submitting``).
BY_CUSTOMER_RERATE = "customer re-rate"


def closed_by_the_customer(tenant) -> str:
    """The outcome of a follow-up the customer's own answers closed, in the tenant's language
    (it is read by the tenant's staff, not by the customer)."""
    with translation.override(tenant.default_language):
        return _("Closed by itself: the customer sent the whole survey, and it is not a critic's.")


@transaction.atomic
def follow_up_complete(
    *,
    actor: Membership | None,
    follow_up: FollowUp,
    outcome: str = "",
    invite_rerate: bool = False,
    now: datetime | None = None,
) -> Invitation | None:
    """Record what came of the call-back and close the follow-up (OPEN → DONE).

    The one completion, for both ways a follow-up ends:

    * a member (``actor``) called the customer back and says what came of it; with
      ``invite_rerate``, a RERATE invitation for the same interaction and survey version is
      scheduled now (and returned), and the sender emails it within its minute;
    * ``actor=None``: no member acted — the customer sent the whole survey after a kept low
      score and it is not a critic's any more. The outcome says so in the tenant's language
      and the audit entry, without an actor, names "customer re-rate".

    Compare-and-set on the status: of two completions only the first counts; the second gets
    :class:`Conflict`. Raises NotAllowed for a role that may not handle follow-ups,
    NotFound for another tenant's follow-up or one outside the actor's department subtree
    (``selectors.follow_up_department``) and ApplicationError (field ``outcome``) for an
    empty outcome.
    """
    # The transition's own permission (``may_complete_follow_up``), asked whatever the state,
    # so a role that may not complete is told so even about a follow-up already done.
    if not may_complete_follow_up(follow_up, actor):
        raise NotAllowed(_("Your role does not allow this."))
    if actor is not None and follow_up.tenant_id != actor.tenant_id:
        raise NotFound(_("No such follow-up."))
    if actor is not None:
        # Only the subtree the follow-up belongs to (or who sees all survey data) completes
        # it; for anyone else it does not exist, as on its page.
        require_visible(
            actor,
            follow_up,
            department=follow_up_department(follow_up),
            whole_tenant=Action.SEE_ALL_SURVEY_DATA,
        )
    tenant = actor.tenant if actor is not None else follow_up.tenant
    if actor is None:
        if invite_rerate:
            raise ValueError("only a member who called the customer asks for a re-rate")
        outcome = outcome or closed_by_the_customer(tenant)
    outcome = outcome.strip()
    if not outcome:
        raise ApplicationError(
            _("Say what came of the follow-up."),
            fields={"outcome": [_("Say what came of the follow-up.")]},
        )
    already = Conflict(_("This follow-up has already been completed."), code="completed")
    if not can_proceed(follow_up.complete):
        raise already
    source = follow_up.status
    now = now or timezone.now()
    follow_up.complete()
    completed = (
        FollowUp.objects.for_tenant(follow_up.tenant_id)
        .filter(pk=follow_up.pk, status=source)
        .update(status=follow_up.status, outcome=outcome, completed_at=now)
    )
    if completed != 1:
        follow_up.refresh_from_db()  # undo the move in memory: another completion won
        raise already
    follow_up.outcome, follow_up.completed_at = outcome, now
    invitation = invitation_rerate_schedule(follow_up=follow_up, now=now) if invite_rerate else None
    if actor is None:
        note = BY_CUSTOMER_RERATE
    else:
        note = _("The customer is asked to rate the service again.") if invitation else ""
    audit_record(
        tenant=tenant,
        actor=actor.user if actor is not None else None,
        action="survey.follow_up_complete",
        target=follow_up,
        changes={"status": [source, follow_up.status], "outcome": ["", outcome]},
        note=note,
    )
    return invitation


def follow_up_rerate_link(*, response: Response) -> bool:
    """Link a re-rate answer to the follow-up that asked for it; True when this call did.

    Called by ``responses.submitting.response_submit`` for every response (it ignores answers
    to a first invitation). Idempotent: a linked follow-up is not relinked.
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


def follow_up_built(*, is_done: bool, **fields) -> FollowUp:
    """An unsaved follow-up in its final state (done or open), for code that writes history in
    bulk (the demo): it is created so (:func:`follow_ups_history_create`), never moved."""
    status = FollowUp.Status.DONE if is_done else FollowUp.Status.OPEN
    return FollowUp(status=status, **fields)


def follow_ups_history_create(*, follow_ups: list[FollowUp], batch_size: int = 500) -> None:
    """Insert follow-ups built by :func:`follow_up_built`, in one statement per batch."""
    FollowUp.objects.bulk_create(follow_ups, batch_size=batch_size)
