"""A complaint and its record: the case, its SLA clocks' checks and alerts, the steps it took,
its messages, files, links and corrective actions."""

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from complaints.lifecycle import OPEN_STATES, ComplaintLifecycle, State, is_supervisor
from complaints.models.setup import (
    Category,
    Channel,
    Level,
    Priority,
    RootCause,
    Severity,
    SlaPolicy,
)
from customers.models import Customer
from tenants.models import Brand, Department, Membership, TenantOwned, Touchpoint
from tenants.permissions import Action, member_can
from tenants.scoping import TenantManager, TenantQuerySet

# Each SLA clock: its due time and the time it stopped (the step that satisfies it).
CLOCKS = {
    "acknowledge": ("acknowledge_due_at", "acknowledged_at"),
    "first_response": ("first_response_due_at", "first_responded_at"),
    "resolve": ("resolve_due_at", "resolved_at"),
}


def _running(now) -> Q:
    # Open, and not paused while waiting on the customer.
    return Q(state__in=OPEN_STATES, sla_paused_at__isnull=True)


def _late(clock: str, now) -> Q:
    due, done = CLOCKS[clock]
    return Q(**{f"{due}__lt": now, f"{done}__isnull": True})


def clock_overdue_q(clock: str, now) -> Q:
    """One clock is late: the complaint is open, the clock runs (not stopped, not paused while
    waiting on the customer) and its due time has passed."""
    return _running(now) & _late(clock, now)


def overdue_q(now) -> Q:
    """“Overdue”, defined once: any running clock is late. A paused clock is not overdue.

    The queue's red due dates, the overdue queue and the case page all use it, through
    :meth:`ComplaintQuerySet.with_overdue` or as a filter.
    """
    return _running(now) & (
        _late("acknowledge", now) | _late("first_response", now) | _late("resolve", now)
    )


class ComplaintQuerySet(TenantQuerySet):
    def with_overdue(self, now, *, per_clock: bool = False) -> "ComplaintQuerySet":
        """Annotate ``is_overdue`` (any clock late) and, with ``per_clock``, ``<clock>_overdue``
        for each clock (the case page shows each)."""
        flags = {"is_overdue": ExpressionWrapper(overdue_q(now), output_field=BooleanField())}
        if per_clock:
            for clock in CLOCKS:
                flags[f"{clock}_overdue"] = ExpressionWrapper(
                    clock_overdue_q(clock, now), output_field=BooleanField()
                )
        return self.annotate(**flags)

    def overdue(self, now) -> "ComplaintQuerySet":
        return self.filter(overdue_q(now))


class ComplaintManager(TenantManager.from_queryset(ComplaintQuerySet)):
    pass


class ReferenceSequence(TenantOwned):
    """The last reference number given per brand and year."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "brand", "year"], name="reference_sequence_unique"
            ),
        ]


class Complaint(ComplaintLifecycle, TenantOwned):
    """A complaint and its ISO 10002 record. Only ``complaints.workflow`` writes it."""

    objects = ComplaintManager()

    reference = models.CharField(_("reference"), max_length=24)
    version = models.PositiveIntegerField(default=1)

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="+")
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    # The contact typed with this complaint, kept as given: matching may file it under a
    # customer known by the same email or phone, but its messages go here, and the customer's
    # other details never replace or hide these (see customers.services).
    contact_name = models.CharField(_("name given"), max_length=200, blank=True)
    contact_email = models.EmailField(_("email given"), blank=True)
    contact_phone = models.CharField(_("phone given"), max_length=32, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")

    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("what happened"))
    remedy_requested = models.TextField(_("what the complainant asks for"), blank=True)

    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.P3
    )
    is_repeat_complainant = models.BooleanField(_("repeat complainant"), default=False)

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # Assessment (verification).
    impact = models.CharField(_("impact"), max_length=10, choices=Level.choices, blank=True)
    complexity = models.CharField(_("complexity"), max_length=10, choices=Level.choices, blank=True)
    is_in_scope = models.BooleanField(_("in scope"), null=True)
    assessed_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Resolution and decision.
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(_("response to the complainant"), blank=True)
    recourse = models.TextField(_("recourse offered"), blank=True)
    customer_accepted = models.BooleanField(_("complainant accepted"), null=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_complaints"
    )

    received_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    response_sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)

    # SLA clocks: due times are stored when a clock starts, so the scan is a range query on
    # ``sla_next_check_at`` (the next warning, breach or escalation of any clock).
    sla_policy = models.ForeignKey(
        SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    acknowledge_warn_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    # Bumped when the resolution clock restarts (a reopen): alerts are once per round.
    sla_round = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="complaint_unique_ref"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-received_at"], name="complaint_tenant_recent"),
            models.Index(fields=["tenant", "state", "-received_at"], name="complaint_tenant_state"),
            models.Index(
                fields=["tenant", "assignee", "-received_at"], name="complaint_tenant_assignee"
            ),
            models.Index(
                fields=["tenant", "department", "-received_at"], name="complaint_tenant_dept"
            ),
            models.Index(
                fields=["tenant", "customer", "-received_at"], name="complaint_tenant_customer"
            ),
            models.Index(
                fields=["tenant", "resolve_due_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="complaint_tenant_due",
            ),
            models.Index(
                fields=["tenant", "priority", "-received_at"],
                condition=models.Q(state__in=OPEN_STATES),
                name="complaint_tenant_open_priority",
            ),
        ]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class SlaCheck(TenantOwned):
    """When the SLA scan next looks at a complaint: its next warning, breach or escalation.

    A narrow row of its own: the scan rewrites thousands a minute, and rewriting the wide
    complaint row (with its search indexes) would cost ten times as much.
    """

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="sla_check"
    )
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "next_check_at"], name="sla_check_tenant_next"),
            # The scan crosses tenants: only complaints with a clock event pending.
            models.Index(
                fields=["next_check_at"],
                condition=models.Q(next_check_at__isnull=False),
                name="sla_check_due_all_tenants",
            ),
        ]


class SlaAlert(TenantOwned):
    """One SLA event of one clock of one complaint. The unique key makes a scan run twice (or
    twice at once) raise it once."""

    class Clock(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="sla_alerts")
    clock = models.CharField(max_length=20, choices=Clock.choices)
    # 0: warning, 1: breach, 2+: escalation one more level up the department tree.
    level = models.PositiveSmallIntegerField()
    # The resolution clock restarts when a complaint is reopened: one alert per round.
    round = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "complaint", "clock", "round", "level"],
                name="sla_alert_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.clock} level {self.level}"

    @property
    def is_breach(self) -> bool:
        return self.level >= 1


class Transition(TenantOwned):
    """The audit row of one step of a complaint: who, when, from, to, and why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=40)
    source = models.CharField(max_length=24, choices=State.choices)
    target = models.CharField(max_length=24, choices=State.choices)
    actor = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who acted when there is no member: "customer" or "system".
    actor_label = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["tenant", "complaint", "created_at"], name="transition_tenant_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.source} → {self.target}"


class Message(TenantOwned):
    """A note on the case: internal, a reply emailed to the complainant, or theirs."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal note")
        REPLY = "reply", _("Reply to the complainant")
        CUSTOMER = "customer", _("From the complainant")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["tenant", "complaint", "created_at"], name="message_tenant_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.complaint_id}"

    @property
    def is_visible_to_customer(self) -> bool:
        return self.kind != self.Kind.INTERNAL


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"complaints/{attachment.tenant_id}/{attachment.complaint_id}/{filename}"


class Attachment(TenantOwned):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["tenant", "complaint"], name="attachment_tenant_complaint"),
        ]

    def __str__(self) -> str:
        return self.original_name


class ComplaintLink(TenantOwned):
    """Two related complaints (not duplicates: those are merged)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="links")
    linked = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "complaint", "linked"], name="complaint_link_unique"
            ),
        ]


def is_action_owner_or_supervisor(action, member) -> bool:
    """Its owner, or a manager (or admin) who sees its complaint, moves an action on."""
    if member is None or not member.is_active or member.tenant_id != action.tenant_id:
        return False
    if action.owner_id == member.pk:
        return member_can(member, Action.HANDLE_COMPLAINTS)
    return is_supervisor(action.complaint, member)


class CorrectiveAction(FSMModelMixin, TenantOwned):
    """What the organisation changes so it does not happen again (ISO 10002 improvement).

    Its status is a state machine (the transitions below); ``complaints.corrective_actions``
    has one function per transition and is the only writer of ``status``.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="corrective_actions"
    )
    description = models.TextField(_("what will change"))
    owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    status = FSMField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True
    )
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["tenant", "status", "due_date"], name="action_tenant_status"),
            models.Index(fields=["tenant", "complaint"], name="action_tenant_complaint"),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    @transition(
        status,
        source=Status.OPEN,
        target=Status.IN_PROGRESS,
        permission=is_action_owner_or_supervisor,
    )
    def start(self):
        """Work on it has begun."""

    @transition(
        status,
        source=[Status.OPEN, Status.IN_PROGRESS],
        target=Status.DONE,
        permission=is_action_owner_or_supervisor,
    )
    def complete(self):
        """Done, with the outcome; final."""

    @transition(
        status,
        source=[Status.OPEN, Status.IN_PROGRESS],
        target=Status.CANCELLED,
        permission=is_action_owner_or_supervisor,
    )
    def cancel(self):
        """Not going to happen (it may be reopened)."""

    @transition(
        status,
        source=Status.CANCELLED,
        target=Status.OPEN,
        permission=is_action_owner_or_supervisor,
    )
    def reopen(self):
        """A cancelled action is taken up again."""
