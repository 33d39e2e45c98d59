"""Who calls a critic back: a follow-up assigned by a manager, claimed by a member for
themself, or reassigned. Each change is audited and the people concerned hear of it in the app.

A follow-up may be given to an active member who may take assignments and who sees it (a member
sees the follow-ups of their department subtree, or all of them where their role may see all
survey data: the follow-up must not be a 404 on their own list), and only by a manager (who may
``SUPERVISE_COMPLAINTS``) to a member of their own subtree. A member claims only an unassigned
one. Only an open follow-up changes hands. Each change is a compare-and-set on the assignee:
of two at once, the second is told it changed meanwhile.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notification_create
from surveys.followups.notices import FOLLOW_UP_ASSIGNED, FOLLOW_UP_TAKEN_AWAY
from surveys.followups.selectors import follow_up_department
from surveys.models import FollowUp
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict, NotAllowed, NotFound
from tenants.events import MemberDeactivated
from tenants.models import Membership
from tenants.permissions import (
    Action,
    can_see,
    member_can,
    require_visible,
    roles_allowed,
    visible_to,
)


def may_take(member: Membership, follow_up: FollowUp) -> bool:
    """Whether ``member`` may be given (or claim) ``follow_up``: active, may take assignments,
    and sees it."""
    return (
        member.is_active
        and member.tenant_id == follow_up.tenant_id
        and member_can(member, Action.TAKE_ASSIGNMENTS)
        and can_see(
            member,
            follow_up,
            department=follow_up_department(follow_up),
            whole_tenant=Action.SEE_ALL_SURVEY_DATA,
        )
    )


def _check_open_and_visible(actor: Membership, follow_up: FollowUp) -> None:
    if follow_up.tenant_id != actor.tenant_id:
        raise NotFound(_("No such follow-up."))
    require_visible(
        actor,
        follow_up,
        department=follow_up_department(follow_up),
        whole_tenant=Action.SEE_ALL_SURVEY_DATA,
    )
    if follow_up.status != FollowUp.Status.OPEN:
        raise Conflict(_("This follow-up has already been completed."), code="completed")


def _hand_over(
    *, actor: Membership, follow_up: FollowUp, assignee: Membership, action: str
) -> FollowUp:
    """Compare-and-set the assignee, audit it and tell the new assignee (and the one it was
    taken from) in the app."""
    before = follow_up.assignee
    changed = (
        FollowUp.objects.for_tenant(follow_up.tenant_id)
        .filter(pk=follow_up.pk, status=FollowUp.Status.OPEN, assignee_id=follow_up.assignee_id)
        .update(assignee=assignee)
    )
    if changed != 1:
        raise Conflict(_("This follow-up changed since you opened it; look again."), code="changed")
    follow_up.assignee = assignee
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action=action,
        target=follow_up,
        changes={"assignee": [before and before.pk, assignee.pk]},
    )
    now = timezone.now()
    link = reverse(
        "follow-up-detail",
        kwargs={"tenant_slug": actor.tenant.slug, "follow_up_id": follow_up.pk},
    )
    customer = follow_up.response.interaction.customer.name
    key = f"follow-up:{follow_up.pk}:{now.isoformat()}"
    if assignee.pk != actor.pk:
        notification_create(
            recipient=assignee,
            message=FOLLOW_UP_ASSIGNED,
            params={"customer": customer, "due": follow_up.due_at.isoformat()},
            link=link,
            dedupe_key=f"{key}:to:{assignee.pk}",
        )
    if before is not None and before.pk not in (actor.pk, assignee.pk):
        notification_create(
            recipient=before,
            message=FOLLOW_UP_TAKEN_AWAY,
            params={"customer": customer, "assignee": _member_name(assignee)},
            link=link,
            dedupe_key=f"{key}:from:{before.pk}",
        )
    return follow_up


def _member_name(member: Membership) -> str:
    return member.user.get_full_name() or member.user.get_username()


@transaction.atomic
def follow_up_assign(*, actor: Membership, follow_up: FollowUp, assignee: Membership) -> FollowUp:
    """A manager gives an open follow-up to ``assignee`` (or gives it to someone else: a
    reassignment). Raises NotAllowed for a member who may not give out work, NotFound for a
    follow-up they do not see, Conflict for a completed one or one changed meanwhile, and
    ApplicationError (field ``assignee``) for someone who may not take it."""
    if not member_can(actor, Action.SUPERVISE_COMPLAINTS):
        raise NotAllowed(_("Only a manager gives a follow-up to someone."))
    _check_open_and_visible(actor, follow_up)
    in_reach = can_see(actor, assignee) if assignee.department_id else False
    if not (in_reach and may_take(assignee, follow_up)):
        message = _("Choose someone of your team who handles follow-ups of this department.")
        raise ApplicationError(message, fields={"assignee": [message]})
    if assignee.pk == follow_up.assignee_id:
        message = _("The follow-up is already theirs.")
        raise ApplicationError(message, fields={"assignee": [message]})
    action = "survey.follow_up_reassign" if follow_up.assignee_id else "survey.follow_up_assign"
    return _hand_over(actor=actor, follow_up=follow_up, assignee=assignee, action=action)


@transaction.atomic
def follow_up_claim(*, actor: Membership, follow_up: FollowUp) -> FollowUp:
    """A member takes an unassigned open follow-up for themself. Raises NotAllowed for a
    member who may not take it, NotFound for one they do not see, Conflict for a completed
    one or one someone has (a manager reassigns it)."""
    _check_open_and_visible(actor, follow_up)
    if not may_take(actor, follow_up):
        raise NotAllowed(_("Your role does not allow this."))
    if follow_up.assignee_id is not None:
        raise Conflict(
            _("Someone has this follow-up already; a manager can reassign it."),
            code="assigned",
        )
    return _hand_over(
        actor=actor, follow_up=follow_up, assignee=actor, action="survey.follow_up_claim"
    )


def follow_up_assignees(member: Membership, follow_up: FollowUp) -> list[Membership]:
    """Whom ``member`` (a manager) may give ``follow_up`` to: the members of their subtree
    who may take it, by name (one query)."""
    candidates = (
        visible_to(Membership.objects.all(), member)
        .filter(is_active=True, role__in=roles_allowed(Action.TAKE_ASSIGNMENTS))
        .exclude(department__isnull=True)
        .select_related("user", "department")
        .order_by("department__path", "user__first_name", "user__last_name", "pk")
    )
    return [candidate for candidate in candidates if may_take(candidate, follow_up)]


def follow_ups_hand_back(event: MemberDeactivated) -> int:
    """``MemberDeactivated``'s subscriber: the member's open follow-ups become unassigned (on
    the list for their department to claim), each audited with the deactivating admin as its
    actor. Returns how many."""
    actor = Membership.objects.for_tenant(event.tenant_id).select_related("user", "tenant")
    actor = actor.get(pk=event.actor_id)
    held = FollowUp.objects.for_tenant(event.tenant_id).filter(
        assignee_id=event.membership_id, status=FollowUp.Status.OPEN
    )
    rows = list(held.select_for_update().only("pk", "tenant_id"))
    FollowUp.objects.for_tenant(event.tenant_id).filter(pk__in=[row.pk for row in rows]).update(
        assignee=None
    )
    for row in rows:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="survey.follow_up_hand_back",
            target=row,
            changes={"assignee": [event.membership_id, None]},
        )
    return len(rows)
