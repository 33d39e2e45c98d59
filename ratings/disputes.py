"""Disputes: a performer objects to a response behind their rating, performer and manager
discuss it in a thread, a manager accepts it (the response leaves the customer score) or
rejects it with a reason. The one writer of a dispute's status; every step audited and told in
the app to the other side.

Who sees a dispute: its performer, and members who may read ratings and see the performer (a
manager of their department or one above it; admins and analysts). Anyone else gets a 404, as
for a dispute that does not exist. Who decides: a member who may ``DECIDE_DISPUTES`` and sees
the performer, never the performer themself.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.messages import message_register
from notifications.services import notification_create
from ratings.models import Dispute, DisputeComment, RatingPeriod
from ratings.periods import local_day
from ratings.services import period_for, ratings_compute
from surveys.models import Invitation, Response
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict, NotAllowed, NotFound
from tenants.models import Membership
from tenants.permissions import (
    Action,
    can_see,
    managers_among,
    member_can,
    roles_allowed,
    visible_to,
)
from tenants.trees import tree_path_ids

DISPUTE_OPENED = "dispute.opened"
DISPUTE_COMMENTED = "dispute.commented"
DISPUTE_DECIDED = "dispute.decided"
BODY_MAX_LENGTH = 5000


def register_messages() -> None:
    message_register(
        DISPUTE_OPENED, gettext_lazy("%(performer)s disputes a customer's answer: decide it.")
    )
    message_register(DISPUTE_COMMENTED, gettext_lazy("%(author)s wrote on a dispute."))
    message_register(
        DISPUTE_DECIDED,
        gettext_lazy("Your dispute is %(status)s."),
        labels={
            "status": {
                Dispute.Status.ACCEPTED: gettext_lazy("accepted: the answer leaves your score"),
                Dispute.Status.REJECTED: gettext_lazy("rejected"),
            }
        },
    )


def may_see(member: Membership, dispute: Dispute) -> bool:
    if member.tenant_id != dispute.tenant_id or not member.is_active:
        return False
    if dispute.performer_id == member.pk:
        return True
    return member_can(member, Action.VIEW_RATINGS) and can_see(member, dispute.performer)


def may_decide(member: Membership, dispute: Dispute) -> bool:
    return (
        dispute.performer_id != member.pk
        and member_can(member, Action.DECIDE_DISPUTES)
        and can_see(member, dispute.performer)
    )


def may_write(member: Membership, dispute: Dispute) -> bool:
    """Its performer and the managers who may decide it write on its thread."""
    return dispute.performer_id == member.pk or may_decide(member, dispute)


def disputes_visible(member: Membership) -> QuerySet[Dispute]:
    """The disputes the member sees: their own, and those of the performers they see."""
    disputes = Dispute.objects.for_tenant(member.tenant_id)
    if not member_can(member, Action.VIEW_RATINGS):
        return disputes.filter(performer=member)
    seen = visible_to(
        Membership.objects.for_tenant(member.tenant_id), member, department_field="department"
    )
    return disputes.filter(performer__in=seen) | disputes.filter(performer=member)


def _check_visible(actor: Membership, dispute: Dispute) -> None:
    if not may_see(actor, dispute):
        raise NotFound(_("No such dispute."))


def _link(dispute: Dispute, tenant_slug: str) -> str:
    return reverse("dispute-detail", kwargs={"tenant_slug": tenant_slug, "dispute_id": dispute.pk})


def _name(member: Membership) -> str:
    return member.user.get_full_name() or member.user.get_username()


def _deciders(performer: Membership) -> list[Membership]:
    """Who hears of a new dispute: the active managers of the performer's department and those
    above it; where there are none, the tenant's admins."""
    members = Membership.objects.for_tenant(performer.tenant_id).exclude(pk=performer.pk)
    chain = tree_path_ids(performer.department.path) if performer.department_id else []
    managers = list(managers_among(members).filter(department_id__in=chain))
    if managers:
        return managers
    admins = members.filter(role__in=roles_allowed(Action.MANAGE_TENANT), is_active=True)
    return list(admins)


def _notify(recipient: Membership, message: str, params: dict, dispute: Dispute, key: str):
    notification_create(
        recipient=recipient,
        message=message,
        params=params,
        link=_link(dispute, recipient.tenant.slug),
        dedupe_key=f"dispute:{dispute.pk}:{key}:to:{recipient.pk}",
    )


def _body(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write a few words."), fields={field: [_("Write a few words.")]})
    if len(text) > BODY_MAX_LENGTH:
        message = _("At most %(count)s characters.") % {"count": BODY_MAX_LENGTH}
        raise ApplicationError(message, fields={field: [message]})
    return text


@transaction.atomic
def dispute_open(*, actor: Membership, response: Response, reason: str, text: str) -> Dispute:
    """The performer disputes a first response about one of their own interactions: the
    thread starts with their text, the managers above them are told. One dispute per
    response."""
    if not member_can(actor, Action.VIEW_OWN_RATING):
        raise NotAllowed(_("Your role does not allow this."))
    response = (
        Response.objects.for_tenant(actor.tenant_id)
        .select_related("interaction", "invitation")
        .filter(pk=response.pk)
        .first()
    )
    if response is None or response.interaction.performer_id != actor.pk:
        raise NotFound(_("No such response behind your rating."))
    if response.invitation.purpose != Invitation.Purpose.FIRST:
        raise Conflict(_("A re-rate is not in your rating."), code="rerate")
    if reason not in Dispute.Reason.values:
        raise ApplicationError(_("Choose a reason."), fields={"reason": [_("Choose a reason.")]})
    text = _body(text, "text")
    if Dispute.objects.for_tenant(actor.tenant_id).filter(response=response).exists():
        raise Conflict(_("This answer is disputed already."), code="disputed")
    dispute = Dispute.objects.create(
        tenant_id=actor.tenant_id, response=response, performer=actor, reason=reason
    )
    DisputeComment.objects.create(
        tenant_id=actor.tenant_id, dispute=dispute, author=actor, body=text
    )
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="dispute.opened",
        target=dispute,
        changes={"status": [None, Dispute.Status.OPEN], "reason": [None, reason]},
    )
    for manager in _deciders(actor):
        _notify(manager, DISPUTE_OPENED, {"performer": _name(actor)}, dispute, "opened")
    return dispute


@transaction.atomic
def dispute_comment(*, actor: Membership, dispute: Dispute, body: str) -> DisputeComment:
    """Write on an open dispute's thread (its performer or a manager who may decide it); the
    other side is told."""
    _check_visible(actor, dispute)
    if not may_write(actor, dispute):
        raise NotAllowed(_("Only the performer and the managers who decide write here."))
    dispute = Dispute.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise Conflict(_("This dispute is decided."), code="decided")
    comment = DisputeComment.objects.create(
        tenant_id=actor.tenant_id, dispute=dispute, author=actor, body=_body(body, "body")
    )
    audit_record(tenant=actor.tenant, actor=actor.user, action="dispute.commented", target=dispute)
    recipients = (
        _deciders(dispute.performer) if actor.pk == dispute.performer_id else [dispute.performer]
    )
    for recipient in recipients:
        _notify(recipient, DISPUTE_COMMENTED, {"author": _name(actor)}, dispute, f"c{comment.pk}")
    return comment


@transaction.atomic
def dispute_decide(
    *, actor: Membership, dispute: Dispute, is_accepted: bool, note: str = ""
) -> Dispute:
    """A manager accepts the dispute (the response leaves the customer score from the next
    computation of an open period) or rejects it, with a reason; the performer is told."""
    _check_visible(actor, dispute)
    if not may_decide(actor, dispute):
        raise NotAllowed(_("Only a manager above the performer decides a dispute."))
    dispute = Dispute.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise Conflict(_("This dispute is decided."), code="decided")
    note = (note or "").strip()
    if not is_accepted and not note:
        message = _("Say why the dispute is rejected.")
        raise ApplicationError(message, fields={"note": [message]})
    status = Dispute.Status.ACCEPTED if is_accepted else Dispute.Status.REJECTED
    dispute.status = status
    dispute.decided_by = actor
    dispute.decided_at, dispute.decision_note = timezone.now(), note[:BODY_MAX_LENGTH]
    dispute.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action=f"dispute.{status}",
        target=dispute,
        changes={"status": [Dispute.Status.OPEN, status]},
        note=note,
    )
    _notify(dispute.performer, DISPUTE_DECIDED, {"status": status}, dispute, "decided")
    if is_accepted:
        _recompute_periods_of(dispute)
    return dispute


def _recompute_periods_of(dispute: Dispute) -> None:
    """The open periods holding the disputed interaction are recomputed at once, so the
    performer's score leaves the answer out as soon as the decision is made."""
    tenant = dispute.performer.tenant
    occurred = dispute.response.interaction.occurred_at
    day = local_day(occurred, tenant.time_zone)
    for kind in RatingPeriod.Kind.values:
        period = period_for(tenant, kind, day)
        if not period.is_closed:
            ratings_compute(period=period)
