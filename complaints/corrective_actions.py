"""Corrective actions: one function per transition of ``CorrectiveAction.status``, the only
writer of it.

An action is opened on a resolved complaint, then started, completed (with the outcome) or
cancelled, and a cancelled one may be reopened; done is final. The table is on the model
(django-fsm-2, with who may take each step); every function here checks the data, moves the
status with a compare-and-set (a concurrent change is refused, never overwritten) and writes
the audit entry in the same transaction.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from complaints.models import Complaint, CorrectiveAction
from tenants.audit import audit_record
from tenants.errors import ApplicationError, Conflict, NotAllowed
from tenants.models import Membership
from tenants.permissions import Action, can_see, member_can, require_visible


class ActionNotAvailable(Conflict):
    """The action is not in a status this step starts from."""

    code = "wrong_state"


@transaction.atomic
def corrective_action_open(
    *,
    complaint: Complaint,
    actor: Membership,
    description: str,
    owner: Membership,
    due_date,
) -> CorrectiveAction:
    """Open an improvement action on a resolved (or later) complaint."""
    require_visible(actor, complaint)
    if not member_can(actor, Action.HANDLE_COMPLAINTS):
        raise NotAllowed(_("Your role does not allow this."))
    if complaint.resolved_at is None:
        raise ApplicationError(_("Corrective actions follow a resolution: resolve it first."))
    errors = {}
    if not (description or "").strip():
        errors["description"] = [_("Say what will change.")]
    if not (can_see(actor, owner) and member_can(owner, Action.TAKE_ASSIGNMENTS)):
        errors["owner"] = [_("Choose an active member of this organisation.")]
    if due_date is None:
        errors["due_date"] = [_("Give a due date.")]
    if errors:
        raise ApplicationError(_("The action is incomplete."), fields=errors)
    action = CorrectiveAction.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
        created_by=actor,
    )
    audit_record(
        tenant=complaint.tenant,
        actor=actor.user,
        action="corrective_action.opened",
        target=action,
        changes={"complaint": [None, complaint.reference], "owner": [None, owner.pk]},
    )
    return action


def _move(
    action: CorrectiveAction,
    *,
    actor: Membership,
    name: str,
    event: str,
    fields: dict | None = None,
    note: str = "",
) -> CorrectiveAction:
    """Take transition ``name``: guard, compare-and-set the status, audit as ``event``."""
    method = getattr(action, name)
    before = action.status
    if not can_proceed(method):
        target = next(t.target for t in action.get_all_status_transitions() if t.name == name)
        raise ActionNotAvailable(
            _("A %(before)s action cannot become %(after)s.")
            % {
                "before": action.get_status_display().lower(),
                "after": CorrectiveAction.Status(target).label.lower(),
            },
            fields={"status": [_("Not from this status.")]},
        )
    if not has_transition_perm(method, actor):
        raise NotAllowed(_("Only its owner or a manager can update this action."))
    method()
    updated = (
        CorrectiveAction.objects.for_tenant(action.tenant_id)
        .filter(pk=action.pk, status=before)
        .update(status=action.status, **(fields or {}))
    )
    if updated != 1:
        action.refresh_from_db()  # undo the in-memory move
        raise Conflict(_("Someone changed this action meanwhile. Reload and try again."))
    action.refresh_from_db()
    audit_record(
        tenant=action.tenant,
        actor=actor.user,
        action=f"corrective_action.{event}",
        target=action,
        changes={"status": [before, action.status]},
        note=note,
    )
    return action


@transaction.atomic
def corrective_action_start(*, action: CorrectiveAction, actor: Membership) -> CorrectiveAction:
    """Work on the action has begun."""
    return _move(action, actor=actor, name="start", event="started")


@transaction.atomic
def corrective_action_complete(
    *, action: CorrectiveAction, actor: Membership, outcome: str
) -> CorrectiveAction:
    """Done, saying what was done; a done action stays done."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ApplicationError(
            _("Say what was done."), fields={"outcome": [_("Say what was done.")]}
        )
    return _move(
        action,
        actor=actor,
        name="complete",
        event="completed",
        fields={"outcome": outcome, "completed_at": timezone.now()},
        note=outcome,
    )


@transaction.atomic
def corrective_action_cancel(
    *, action: CorrectiveAction, actor: Membership, reason: str = ""
) -> CorrectiveAction:
    """It will not be done; the reason, if given, is kept as its outcome."""
    reason = (reason or "").strip()
    return _move(
        action,
        actor=actor,
        name="cancel",
        event="cancelled",
        fields={"outcome": reason} if reason else {},
        note=reason,
    )


@transaction.atomic
def corrective_action_reopen(*, action: CorrectiveAction, actor: Membership) -> CorrectiveAction:
    """A cancelled action is taken up again."""
    return _move(action, actor=actor, name="reopen", event="reopened")
