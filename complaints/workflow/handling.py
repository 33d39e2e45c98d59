"""The handling steps: acknowledge, assess, route (assign, transfer), investigate, and the
questions to the complainant and their answers; and the first reply, which stops the
first-response clock."""

import copy

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import notify, sla, transfers
from complaints.attachments import store_files, validate_files
from complaints.lifecycle import OPEN_STATES, is_handler
from complaints.models import Category, Complaint, Level, Message, Severity
from complaints.selectors import complaint_settings
from complaints.workflow.moves import TransitionNotAllowed, guard, move, require_text
from tenants.errors import ApplicationError
from tenants.events import MemberDeactivated
from tenants.models import Department, Membership
from tenants.permissions import Action, can_see, member_can


@transaction.atomic
def complaint_acknowledge(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    """Acknowledge receipt to the complainant, with the reference and what happens next."""
    complaint = move(
        complaint,
        actor=actor,
        name="acknowledge",
        fields={"acknowledged_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "acknowledged")
    return complaint


@transaction.atomic
def complaint_assess(
    *,
    complaint: Complaint,
    actor: Membership,
    severity: str,
    impact: str,
    complexity: str,
    is_in_scope: bool,
    category: Category | None = None,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """Verify the complaint: severity, impact, complexity and scope, by whom."""
    errors = {}
    if severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if impact not in Level.values:
        errors["impact"] = [_("Choose the impact.")]
    if complexity not in Level.values:
        errors["complexity"] = [_("Choose the complexity.")]
    if category is not None and category.tenant_id != complaint.tenant_id:
        errors["category"] = [_("Choose a category of this organisation.")]
    if errors:
        raise ApplicationError(_("The assessment is incomplete."), fields=errors)
    if not is_in_scope:
        raise ApplicationError(
            _("A complaint out of scope is rejected, with the reason, not assessed."),
            fields={"is_in_scope": [_("Reject it instead, with the reason.")]},
        )
    settings = complaint_settings(complaint.tenant_id)
    # The SLA policy may depend on what the assessment found.
    assessed = copy.copy(complaint)
    assessed.severity, assessed.category = severity, category or complaint.category
    sla_fields = sla.retarget_fields(assessed, settings=settings)
    return move(
        complaint,
        actor=actor,
        name="assess",
        fields={
            **sla_fields,
            "severity": severity,
            "impact": impact,
            "complexity": complexity,
            "is_in_scope": True,
            "assessed_by": actor,
            "category": category or complaint.category,
            "priority": settings.priority_for(severity, complaint.customer.segment),
        },
        note=note,
        data={"severity": severity, "impact": impact, "complexity": complexity},
        expected_version=expected_version,
    )


def _check_department(complaint: Complaint, actor: Membership, department: Department) -> None:
    if actor is None:  # the complainant (the status page's actor) routes nothing
        raise TransitionNotAllowed(_("Your role does not allow this step on this complaint."))
    if department.tenant_id != complaint.tenant_id:
        raise ApplicationError(
            _("Choose a department of this organisation."),
            fields={"department": [_("Unknown department.")]},
        )
    if not can_see(actor, department):
        raise TransitionNotAllowed(_("You can only route to your department or below it."))
    _check_open(complaint, department)


def _check_open(complaint: Complaint, department: Department) -> None:
    if not department.is_active and department.pk != complaint.department_id:
        message = _("That department is closed: it receives no complaints.")
        raise ApplicationError(message, fields={"department": [message]})


def _check_assignee(
    complaint: Complaint, actor: Membership, department: Department, assignee: Membership
) -> None:
    if (
        assignee.tenant_id != complaint.tenant_id
        or not member_can(assignee, Action.TAKE_ASSIGNMENTS)
        or not (assignee.department and department.contains(assignee.department))
    ):
        raise ApplicationError(
            _("The handler must be an active agent or manager of that department."),
            fields={"assignee": [_("Not a handler of that department.")]},
        )
    if not member_can(actor, Action.SUPERVISE_COMPLAINTS) and assignee.pk != actor.pk:
        raise TransitionNotAllowed(_("Agents can take a complaint, not give it to others."))


@transaction.atomic
def complaint_assign(
    *,
    complaint: Complaint,
    actor: Membership,
    department: Department,
    assignee: Membership | None = None,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """Route an assessed complaint to a department and, if given, a handler."""
    _check_department(complaint, actor, department)
    if assignee is not None:
        _check_assignee(complaint, actor, department, assignee)
    return move(
        complaint,
        actor=actor,
        name="assign",
        fields={
            "department": department,
            "assignee": assignee,
            "assigned_at": timezone.now() if assignee else None,
        },
        note=note,
        data={"department": department.code, "assignee": assignee and assignee.pk},
        expected_version=expected_version,
    )


@transaction.atomic
def complaint_transfer(
    *,
    complaint: Complaint,
    actor: Membership,
    department: Department,
    assignee: Membership | None = None,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """Move an open complaint to another department or handler, keeping its state.

    Its handler or a manager may transfer it, to a department ``complaints.transfers`` allows
    (their own, below, above, and sideways where the tenant allows it); a handler only in a
    department they see, a manager anyone who handles complaints there, an agent only
    themselves. The form offers the same (``transfers.transfer_departments``).
    """
    guard(
        complaint,
        actor=actor,
        name="transfer",
        unavailable=_("A finished complaint cannot be transferred."),
        not_allowed=_("Only its handler or a manager can transfer a complaint."),
    )
    if department.tenant_id != complaint.tenant_id:
        raise ApplicationError(
            _("Choose a department of this organisation."),
            fields={"department": [_("Unknown department.")]},
        )
    _check_open(complaint, department)
    sideways = complaint_settings(complaint.tenant_id).transfer_sideways
    if not transfers.may_transfer_to(actor, department, sideways=sideways):
        message = _("You can hand a complaint to your department, one above it or one below it.")
        raise TransitionNotAllowed(message, fields={"department": [message]})
    if assignee is not None:
        _check_department(complaint, actor, department)
        _check_assignee(complaint, actor, department, assignee)
    return move(
        complaint,
        actor=actor,
        name="transfer",
        fields={
            "department": department,
            "assignee": assignee,
            "assigned_at": timezone.now() if assignee else None,
        },
        note=note,
        data={"department": department.code, "assignee": assignee and assignee.pk},
        expected_version=expected_version,
    )


@transaction.atomic
def complaint_start_investigation(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    return move(
        complaint,
        actor=actor,
        name="start_investigation",
        note=note,
        expected_version=expected_version,
    )


@transaction.atomic
def complaint_request_information(
    *, complaint: Complaint, actor: Membership, question: str, expected_version=None
) -> Complaint:
    """Pause the complaint and ask the complainant for more; they answer on the status page."""
    question = require_text(question, "question", _("Write what you need from the complainant."))
    source = complaint.state
    complaint = move(
        complaint,
        actor=actor,
        name="request_information",
        fields={"state_before_waiting": source, **sla.pause_fields(timezone.now())},
        note=question,
        expected_version=expected_version,
    )
    message = Message.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        kind=Message.Kind.REPLY,
        author=actor,
        body=question,
    )
    notify.customer(
        complaint, "information_requested", key=f"message-{message.pk}", question=question
    )
    return complaint


@transaction.atomic
def complaint_receive_information(
    *,
    complaint: Complaint,
    actor: Membership | None,
    body: str,
    files: list | None = None,
    expected_version=None,
) -> Complaint:
    """The complainant's answer, with any files (or an agent recording it); it resumes."""
    body = require_text(body, "body", _("Write your answer."))
    files = files or []
    settings = complaint_settings(complaint.tenant_id)
    validate_files(files, max_mb=settings.max_attachment_mb)
    complaint = move(
        complaint,
        actor=actor,
        name="receive_information",
        fields={
            "state_before_waiting": "",
            **sla.resume_fields(complaint, settings=settings, now=timezone.now()),
        },
        expected_version=expected_version,
    )
    message = Message.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        kind=Message.Kind.CUSTOMER,
        author=actor,
        body=body,
    )
    store_files(complaint, files, uploaded_by=actor, message=message)
    return complaint


@transaction.atomic
def complaint_record_first_response(*, complaint: Complaint, actor: Membership) -> bool:
    """A reply to the complainant stops the first-response clock, the first time only; whether
    this one did.

    Not a step: the state and the version stay, so a form open on the case page stays valid.
    The compare-and-set on the empty field makes two replies at once stop it once.
    """
    if not is_handler(complaint, actor):
        raise TransitionNotAllowed(_("Only its handler or a manager can write on this complaint."))
    now = timezone.now()
    stopped = (
        Complaint.objects.for_tenant(complaint.tenant_id)
        .filter(pk=complaint.pk, first_responded_at__isnull=True)
        .update(first_responded_at=now)
    )
    if stopped:
        complaint.first_responded_at = now
        sla.sync_next_check(complaint)
    return stopped == 1


def complaints_hand_back(*, member: Membership, actor: Membership) -> int:
    """Hand every open complaint assigned to ``member`` back to its department, unassigned
    (a transfer by ``actor``, on each complaint's timeline), when they leave the workspace.
    Returns how many."""
    held = Complaint.objects.for_tenant(member.tenant_id).filter(
        assignee=member, state__in=OPEN_STATES
    )
    note = _("Handed back to the department: %(name)s no longer works here.") % {
        "name": member.user.get_full_name() or member.user.get_username()
    }
    count = 0
    for complaint in held.select_related("department").order_by("pk"):
        complaint_transfer(
            complaint=complaint, actor=actor, department=complaint.department, note=note
        )
        count += 1
    return count


def on_member_deactivated(event: MemberDeactivated) -> None:
    """``MemberDeactivated``'s subscriber, in the deactivation's transaction."""
    members = Membership.objects.for_tenant(event.tenant_id).select_related("user", "tenant")
    complaints_hand_back(
        member=members.get(pk=event.membership_id), actor=members.get(pk=event.actor_id)
    )
