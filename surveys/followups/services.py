"""The closed loop's writes: a critic's follow-up opened, completed, and the re-rate linked.

A critic's follow-up is opened by ``responses.submitting`` when the answer comes in. Someone
who handles complaints (or manages surveys) calls the customer back, records what came of it
and completes it; they may ask the customer to rate the service again. That re-rate is an
ordinary invitation with purpose RERATE (``invitations.scheduling``), sent by the sender's
minute like any other, and its answer is linked back to the follow-up
(``follow_up_rerate_link``).
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.followups.selectors import may_complete
from surveys.invitations.scheduling import invitation_rerate_schedule
from surveys.models import FollowUp, Interaction, Invitation, Response
from tenants.audit import audit_record
from tenants.business_time import add_business_time
from tenants.calendar import calendar_for
from tenants.errors import ApplicationError, Conflict, NotFound
from tenants.models import Department, Membership, Role, Touchpoint
from tenants.permissions import Action

logger = logging.getLogger(__name__)


# Two working days of the tenant's business calendar (the complaint SLA's: hours, weekends,
# public holidays, closures), counted as two 8-hour days of working time.
FOLLOW_UP_WITHIN = timedelta(hours=16)


def follow_up_open(response: Response, interaction: Interaction, *, now: datetime) -> FollowUp:
    """A critic is called back within two working days, by a manager of the department that
    owns the touchpoint (see ``follow_up_owner``; unassigned when there is none: the
    follow-up list shows it)."""
    tenant = interaction.tenant
    try:
        calendar = calendar_for(tenant)
        due_at = add_business_time(now, FOLLOW_UP_WITHIN, calendar)
    except ValueError:
        # A calendar with no working time is misconfigured; the customer still gets a call.
        logger.warning("tenant %s has no working time; follow-up due in 48 h", tenant.pk)
        due_at = now + timedelta(hours=48)
    return FollowUp.objects.create(
        tenant=tenant,
        response=response,
        assignee=follow_up_owner(interaction.touchpoint),
        due_at=due_at,
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
    chain = [int(pk) for pk in owner.path.strip("/").split("/")]
    managers = Membership.objects.for_tenant(touchpoint.tenant_id).filter(
        role=Role.MANAGER, is_active=True, department_id__in=chain
    )
    nearest = {}
    for manager in managers.order_by("pk").only("pk", "department_id"):
        nearest.setdefault(manager.department_id, manager)
    return next((nearest[pk] for pk in reversed(chain) if pk in nearest), None)


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
    invitation = invitation_rerate_schedule(follow_up, now=now) if invite_rerate else None
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="survey.follow_up_complete",
        target=follow_up,
        changes={"status": [FollowUp.Status.OPEN, FollowUp.Status.DONE], "outcome": ["", outcome]},
        note=_("The customer is asked to rate the service again.") if invitation else "",
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
