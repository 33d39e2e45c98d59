"""One function per complaint transition: check, move the state, record, audit, notify.

Every function takes the acting membership (``None`` for the complainant acting on the public
status page), runs in one transaction, writes the state with a compare-and-set on ``version``
(so a concurrent change is refused, never overwritten), writes a :class:`Transition` row and
queues customer messages in the outbox. The table of who may go from where to where is
``complaints.lifecycle``.
"""

import copy
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from complaints import events, notify, sla
from complaints.attachments import store_files, validate_files
from complaints.lifecycle import OPEN_STATES, is_handler
from complaints.models import (
    Category,
    Complaint,
    Level,
    Message,
    RootCause,
    Severity,
    Transition,
)
from complaints.selectors import complaint_settings
from tenants.errors import ApplicationError, Conflict
from tenants.models import Department, Membership
from tenants.permissions import sees_whole_tenant


class TransitionNotAllowed(ApplicationError):
    """The member's role (or assignment) does not allow this step."""

    status = 403
    code = "not_allowed"


class TransitionNotAvailable(Conflict):
    """The complaint is not in a state this step starts from."""

    code = "wrong_state"


class StaleComplaint(Conflict):
    code = "stale"


CUSTOMER = "customer"


def available_transitions(complaint: Complaint, member: Membership | None) -> list[str]:
    """Names of the steps ``member`` may take on ``complaint`` now (the detail page's buttons)."""
    return [
        name
        for name in TRANSITION_NAMES
        if can_proceed(getattr(complaint, name))
        and has_transition_perm(getattr(complaint, name), member)
    ]


# Steps that answer the complainant for the first time (stop the first-response clock).
FIRST_RESPONSES = {"request_information", "send_response", "reject"}

TRANSITION_NAMES = [
    "acknowledge",
    "assess",
    "assign",
    "start_investigation",
    "request_information",
    "receive_information",
    "resolve",
    "send_response",
    "accept_decision",
    "request_review",
    "complete_review",
    "close",
    "reopen",
    "reject",
    "withdraw",
    "merge",
]


def _move(
    complaint: Complaint,
    *,
    actor: Membership | None,
    name: str,
    fields: dict | None = None,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Take transition ``name``: guard, compare-and-set the row, write the Transition row."""
    method = getattr(complaint, name)
    source = complaint.state
    if not can_proceed(method):
        raise TransitionNotAvailable(
            _("This complaint is now “%(state)s”: that step is no longer possible.")
            % {"state": complaint.get_state_display()}
        )
    if not has_transition_perm(method, actor):
        raise TransitionNotAllowed(_("Your role does not allow this step on this complaint."))
    version = expected_version if expected_version is not None else complaint.version
    method()
    now = timezone.now()
    fields = {**(fields or {}), "state": complaint.state, "updated_at": now}
    if name in FIRST_RESPONSES and complaint.first_responded_at is None:
        fields["first_responded_at"] = now
    updated = (
        Complaint.objects.for_tenant(complaint.tenant_id)
        .filter(pk=complaint.pk, version=version, state=source)
        .update(version=F("version") + 1, **fields)
    )
    if updated != 1:
        complaint.refresh_from_db()  # undo the in-memory move
        raise StaleComplaint(
            _(
                "Someone changed this complaint while you were looking at it. "
                "Reload the page to see their change, then try again."
            )
        )
    complaint.refresh_from_db()
    sla.sync_next_check(complaint)
    Transition.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        name=name,
        source=source,
        target=complaint.state,
        actor=actor,
        actor_label="" if actor else CUSTOMER,
        note=note,
        data=data or {},
    )
    return complaint


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, fields={field: [message]})
    return value


@transaction.atomic
def complaint_acknowledge(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    """Acknowledge receipt to the complainant, with the reference and what happens next."""
    complaint = _move(
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
    return _move(
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


def _check_assignment(
    complaint: Complaint, actor: Membership, department: Department, assignee: Membership | None
) -> None:
    if actor is None:  # the complainant (the status page's actor) routes nothing
        raise TransitionNotAllowed(_("Your role does not allow this step on this complaint."))
    if department.tenant_id != complaint.tenant_id:
        raise ApplicationError(
            _("Choose a department of this organisation."),
            fields={"department": [_("Unknown department.")]},
        )
    if not sees_whole_tenant(actor) and not actor.department.contains(department):
        raise TransitionNotAllowed(_("You can only route to your department or below it."))
    if assignee is None:
        return
    if (
        assignee.tenant_id != complaint.tenant_id
        or not assignee.is_active
        or assignee.role not in ("admin", "manager", "agent")
        or not (assignee.department and department.contains(assignee.department))
    ):
        raise ApplicationError(
            _("The handler must be an active agent or manager of that department."),
            fields={"assignee": [_("Not a handler of that department.")]},
        )
    if actor.role == "agent" and assignee.pk != actor.pk:
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
    _check_assignment(complaint, actor, department, assignee)
    return _move(
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
    """Move an open complaint to another department or handler, keeping its state."""
    if complaint.state not in OPEN_STATES:
        raise TransitionNotAvailable(_("A finished complaint cannot be transferred."))
    is_own = actor.role == "agent" and complaint.assignee_id == actor.pk
    if not is_handler(complaint, actor) or (actor.role not in ("admin", "manager") and not is_own):
        raise TransitionNotAllowed(_("Only its handler or a manager can transfer a complaint."))
    if not (actor.role == "agent" and assignee is None):
        _check_assignment(complaint, actor, department, assignee)
    elif department.tenant_id != complaint.tenant_id:
        raise ApplicationError(_("Choose a department of this organisation."))
    version = expected_version if expected_version is not None else complaint.version
    now = timezone.now()
    updated = (
        Complaint.objects.for_tenant(complaint.tenant_id)
        .filter(pk=complaint.pk, version=version)
        .update(
            department=department,
            assignee=assignee,
            assigned_at=now if assignee else None,
            version=F("version") + 1,
            updated_at=now,
        )
    )
    if updated != 1:
        raise StaleComplaint(
            _("Someone changed this complaint while you were looking at it. Reload and retry.")
        )
    complaint.refresh_from_db()
    sla.sync_next_check(complaint)
    Transition.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        name="transfer",
        source=complaint.state,
        target=complaint.state,
        actor=actor,
        note=note,
        data={"department": department.code, "assignee": assignee and assignee.pk},
    )
    return complaint


@transaction.atomic
def complaint_start_investigation(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    return _move(
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
    question = _require_text(question, "question", _("Write what you need from the complainant."))
    source = complaint.state
    complaint = _move(
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
    body = _require_text(body, "body", _("Write your answer."))
    files = files or []
    settings = complaint_settings(complaint.tenant_id)
    validate_files(files, max_mb=settings.max_attachment_mb)
    complaint = _move(
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
def complaint_resolve(
    *,
    complaint: Complaint,
    actor: Membership,
    root_cause: RootCause | None,
    resolution: str,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """Record the root cause (from the tenant's list) and the response to the complainant."""
    errors = {}
    if (
        root_cause is None
        or root_cause.tenant_id != complaint.tenant_id
        or not root_cause.is_active
    ):
        errors["root_cause"] = [_("Choose the root cause.")]
    if not (resolution or "").strip():
        errors["resolution"] = [_("Write the response to the complainant.")]
    if errors:
        raise ApplicationError(_("A resolution needs a root cause and a response."), fields=errors)
    return _move(
        complaint,
        actor=actor,
        name="resolve",
        fields={
            "root_cause": root_cause,
            "resolution": resolution.strip(),
            "resolved_at": timezone.now(),
        },
        note=note,
        data={"root_cause": root_cause.code},
        expected_version=expected_version,
    )


def default_recourse(complaint: Complaint) -> str:
    settings = complaint_settings(complaint.tenant_id)
    return _(
        "%(internal)s If you are still not satisfied, you may refer your complaint to %(external)s."
    ) % {"internal": settings.internal_review.strip(), "external": settings.external_body}


@transaction.atomic
def complaint_send_response(
    *, complaint: Complaint, actor: Membership, recourse: str = "", expected_version=None
) -> Complaint:
    """Send the decision, with the recourse offered, and ask whether it is accepted."""
    complaint = _move(
        complaint,
        actor=actor,
        name="send_response",
        fields={
            "recourse": (recourse or "").strip() or default_recourse(complaint),
            "response_sent_at": timezone.now(),
        },
        expected_version=expected_version,
    )
    notify.customer(complaint, "decision", key=f"decision-v{complaint.version}")
    return complaint


def _close(complaint: Complaint, **move) -> Complaint:
    complaint = _move(complaint, **move)
    events.publish(
        events.ComplaintClosed(
            tenant_id=complaint.tenant_id,
            complaint_id=complaint.pk,
            closed_at=complaint.closed_at,
            customer_accepted=complaint.customer_accepted,
        )
    )
    return complaint


@transaction.atomic
def complaint_accept_decision(
    *, complaint: Complaint, actor: Membership | None, note: str = "", expected_version=None
) -> Complaint:
    """The complainant accepts the decision: the complaint closes."""
    complaint = _close(
        complaint,
        actor=actor,
        name="accept_decision",
        fields={"customer_accepted": True, "closed_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "closed")
    return complaint


@transaction.atomic
def complaint_request_review(
    *, complaint: Complaint, actor: Membership | None, reason: str, expected_version=None
) -> Complaint:
    """The complainant does not accept the decision: it goes to internal review."""
    reason = _require_text(reason, "reason", _("Tell us what you disagree with."))
    complaint = _move(
        complaint,
        actor=actor,
        name="request_review",
        fields={"customer_accepted": False},
        note=reason,
        expected_version=expected_version,
    )
    Message.objects.create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        kind=Message.Kind.CUSTOMER,
        author=actor,
        body=reason,
    )
    notify.customer(complaint, "review_requested", key=f"review-v{complaint.version}")
    return complaint


@transaction.atomic
def complaint_complete_review(
    *,
    complaint: Complaint,
    actor: Membership,
    resolution: str,
    note: str = "",
    expected_version=None,
) -> Complaint:
    """The reviewer confirms or revises the decision; it is sent again."""
    resolution = _require_text(resolution, "resolution", _("Write the reviewed decision."))
    complaint = _move(
        complaint,
        actor=actor,
        name="complete_review",
        fields={
            "resolution": resolution,
            "customer_accepted": None,
            "response_sent_at": timezone.now(),
        },
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "decision", key=f"decision-v{complaint.version}")
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, actor: Membership, note: str = "", expected_version=None
) -> Complaint:
    """Close after the response without the complainant's answer."""
    complaint = _close(
        complaint,
        actor=actor,
        name="close",
        fields={"closed_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )
    notify.customer(complaint, "closed")
    return complaint


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, actor: Membership, reason: str, expected_version=None
) -> Complaint:
    """Back into investigation, within the tenant's reopen window after closing."""
    reason = _require_text(reason, "reason", _("Say why it is reopened."))
    window = timedelta(days=complaint_settings(complaint.tenant_id).reopen_window_days)
    if complaint.closed_at and timezone.now() - complaint.closed_at > window:
        raise TransitionNotAvailable(
            _("It was closed more than %(days)s days ago: file a new complaint instead.")
            % {"days": window.days}
        )
    return _move(
        complaint,
        actor=actor,
        name="reopen",
        fields={
            "closed_at": None,
            "customer_accepted": None,
            **sla.restart_resolution_fields(
                complaint, settings=complaint_settings(complaint.tenant_id), now=timezone.now()
            ),
        },
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def complaint_reject(
    *, complaint: Complaint, actor: Membership, reason: str, expected_version=None
) -> Complaint:
    """Not a complaint, or out of scope: the complainant is told why and where else to go."""
    reason = _require_text(reason, "reason", _("Give the reason for the rejection."))
    complaint = _move(
        complaint,
        actor=actor,
        name="reject",
        fields={
            "rejection_reason": reason,
            "is_in_scope": False,
            "assessed_by": actor,
            "closed_at": timezone.now(),
            "recourse": default_recourse(complaint),
        },
        note=reason,
        expected_version=expected_version,
    )
    notify.customer(complaint, "rejected")
    return complaint


@transaction.atomic
def complaint_withdraw(
    *, complaint: Complaint, actor: Membership | None, reason: str = "", expected_version=None
) -> Complaint:
    """The complainant withdraws it (themselves, or an agent on their word)."""
    complaint = _move(
        complaint,
        actor=actor,
        name="withdraw",
        fields={"closed_at": timezone.now()},
        note=reason,
        expected_version=expected_version,
    )
    notify.customer(complaint, "withdrawn")
    return complaint


@transaction.atomic
def complaint_merge(
    *, complaint: Complaint, actor: Membership, into: Complaint, expected_version=None
) -> Complaint:
    """Fold a duplicate into another open complaint of the same organisation."""
    if into.tenant_id != complaint.tenant_id or into.pk == complaint.pk:
        raise ApplicationError(
            _("Choose another complaint of this organisation."),
            fields={"into": [_("Not a complaint you can merge into.")]},
        )
    # Lock both rows in id order and read the target afresh: two merges crossing each other
    # (A into B while B into A) must not fold both away.
    locked = {
        row.pk: row
        for row in Complaint.objects.for_tenant(complaint.tenant_id)
        .select_for_update()
        .filter(pk__in=[complaint.pk, into.pk])
        .order_by("pk")
    }
    into = locked[into.pk]
    if into.state not in OPEN_STATES:
        raise ApplicationError(
            _("%(reference)s is finished: merge into an open complaint.")
            % {"reference": into.reference},
            fields={"into": [_("That complaint is finished.")]},
        )
    return _move(
        complaint,
        actor=actor,
        name="merge",
        fields={"merged_into": into, "closed_at": timezone.now()},
        note=into.reference,
        data={"into": into.reference},
        expected_version=expected_version,
    )
