"""The ISO 10002 state machine of a complaint: states, and who may move it from where to where.

This is the transition table, with each step's label (``custom={"label": ...}``, read by
``step_label``). The methods only move the state (django-fsm checks the source
state and the permission); ``complaints.workflow`` has one function per transition that checks
the data, records the change, audits it and schedules side effects. Nothing else moves a state.

The ``permission`` callables receive the acting ``Membership`` (or ``None`` for the customer
acting on their own complaint through the public status page); what a role may do, they ask
``tenants.permissions``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, FSMModelMixin, transition

from tenants.permissions import Action, can_see, member_can


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSESSED = "assessed", _("Assessed")
    ASSIGNED = "assigned", _("Assigned")
    INVESTIGATING = "investigating", _("Investigating")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    RESPONSE_SENT = "response_sent", _("Response sent")
    UNDER_REVIEW = "under_review", _("Under internal review")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")


FINAL_STATES = (State.CLOSED, State.REJECTED, State.WITHDRAWN, State.MERGED)
OPEN_STATES = tuple(state for state in State if state not in FINAL_STATES)
# States a complaint can be paused in to wait for the customer, and returns to.
WAITING_FROM = (State.ACKNOWLEDGED, State.ASSESSED, State.ASSIGNED, State.INVESTIGATING)
# Before the decision is sent, a complaint can still be turned down as out of scope.
REJECTABLE = (State.RECEIVED, State.ACKNOWLEDGED, State.ASSESSED)


def is_handler(complaint, member) -> bool:
    """Admins and managers on any complaint they see; agents on their own, or on unassigned
    ones of their department (to take them)."""
    if not (can_see(member, complaint) and member_can(member, Action.HANDLE_COMPLAINTS)):
        return False
    if member_can(member, Action.SUPERVISE_COMPLAINTS):
        return True
    return complaint.assignee_id in (None, member.pk)


def is_supervisor(complaint, member) -> bool:
    return can_see(member, complaint) and member_can(member, Action.SUPERVISE_COMPLAINTS)


def is_owner_or_supervisor(complaint, member) -> bool:
    """Agents work on the complaints assigned to them; managers and admins on any they see."""
    if is_supervisor(complaint, member):
        return True
    return is_handler(complaint, member) and complaint.assignee_id == member.pk


def is_customer_or_handler(complaint, member) -> bool:
    return member is None or is_handler(complaint, member)


def has_assignee(complaint) -> bool:
    return complaint.assignee_id is not None


def _state_before_waiting(complaint, *args, **kwargs) -> str:
    return complaint.state_before_waiting or State.INVESTIGATING


class ComplaintLifecycle(FSMModelMixin, models.Model):
    state = FSMField(
        _("state"), max_length=24, choices=State.choices, default=State.RECEIVED, protected=True
    )
    state_before_waiting = models.CharField(max_length=24, choices=State.choices, blank=True)

    class Meta:
        abstract = True

    @transition(
        state,
        source=State.RECEIVED,
        target=State.ACKNOWLEDGED,
        permission=is_handler,
        custom={"label": _("Acknowledge")},
    )
    def acknowledge(self):
        """Tell the complainant it was received, with the reference."""

    @transition(
        state,
        source=State.ACKNOWLEDGED,
        target=State.ASSESSED,
        permission=is_handler,
        custom={"label": _("Assess")},
    )
    def assess(self):
        """Record severity, impact, complexity and scope."""

    @transition(
        state,
        source=State.ASSESSED,
        target=State.ASSIGNED,
        permission=is_handler,
        custom={"label": _("Route and assign")},
    )
    def assign(self):
        """Give it a department and a handler."""

    @transition(
        state,
        source=[State.ASSIGNED, State.REOPENED],
        target=State.INVESTIGATING,
        permission=is_owner_or_supervisor,
        conditions=[has_assignee],
        custom={"label": _("Start investigation")},
    )
    def start_investigation(self):
        """The handler starts working on it."""

    @transition(
        state,
        source=WAITING_FROM,
        target=State.WAITING_ON_CUSTOMER,
        permission=is_handler,
        custom={"label": _("Ask the complainant")},
    )
    def request_information(self):
        """Pause: the complainant is asked for more."""

    @transition(
        state,
        source=State.WAITING_ON_CUSTOMER,
        target=GET_STATE(_state_before_waiting, states=list(WAITING_FROM)),
        permission=is_customer_or_handler,
        custom={"label": _("Record the complainant's answer")},
    )
    def receive_information(self):
        """The complainant answered; back to where it was."""

    @transition(
        state,
        source=State.INVESTIGATING,
        target=State.RESOLVED,
        permission=is_owner_or_supervisor,
        custom={"label": _("Resolve")},
    )
    def resolve(self):
        """Root cause found, response to the complainant written."""

    @transition(
        state,
        source=State.RESOLVED,
        target=State.RESPONSE_SENT,
        permission=is_owner_or_supervisor,
        custom={"label": _("Send the decision")},
    )
    def send_response(self):
        """The decision, with the recourse offered, goes to the complainant."""

    @transition(
        state,
        source=State.RESPONSE_SENT,
        target=State.CLOSED,
        permission=is_customer_or_handler,
        custom={"label": _("Decision accepted")},
    )
    def accept_decision(self):
        """The complainant accepts the decision."""

    @transition(
        state,
        source=State.RESPONSE_SENT,
        target=State.UNDER_REVIEW,
        permission=is_customer_or_handler,
        custom={"label": _("Review requested")},
    )
    def request_review(self):
        """The complainant does not accept: an internal review, not a close."""

    @transition(
        state,
        source=State.UNDER_REVIEW,
        target=State.RESPONSE_SENT,
        permission=is_supervisor,
        custom={"label": _("Complete the review")},
    )
    def complete_review(self):
        """The reviewer confirms or revises the decision and sends it."""

    @transition(
        state,
        source=State.RESPONSE_SENT,
        target=State.CLOSED,
        permission=is_handler,
        custom={"label": _("Close")},
    )
    def close(self):
        """Closed without the complainant's answer (after the feedback period)."""

    @transition(
        state,
        source=State.CLOSED,
        target=State.REOPENED,
        permission=is_handler,
        custom={"label": _("Reopen")},
    )
    def reopen(self):
        """Back into investigation, within the tenant's reopen window."""

    @transition(
        state,
        source=REJECTABLE,
        target=State.REJECTED,
        permission=is_supervisor,
        custom={"label": _("Reject")},
    )
    def reject(self):
        """Not a complaint, or out of scope: with the reason."""

    @transition(
        state,
        source=OPEN_STATES,
        target=State.WITHDRAWN,
        permission=is_customer_or_handler,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self):
        """The complainant withdraws it."""

    @transition(
        state,
        source=OPEN_STATES,
        target=State.MERGED,
        permission=is_handler,
        custom={"label": _("Merge as duplicate")},
    )
    def merge(self):
        """A duplicate: folded into another open complaint."""

    @transition(
        state,
        source=OPEN_STATES,
        target=None,
        permission=is_owner_or_supervisor,
        custom={"label": _("Transfer")},
    )
    def transfer(self):
        """To another department or handler; the state stays (``target=None``)."""


def step_label(name: str) -> str:
    """The label of transition ``name`` (``custom={"label": ...}`` in the table above), in the
    active language: the case page's buttons and timeline, and nothing else, name steps."""
    meta = getattr(getattr(ComplaintLifecycle, name, None), "_django_fsm", None)
    if meta is None:
        return name
    transition = next(iter(meta.transitions.values()))
    return str(transition.custom.get("label", name))
