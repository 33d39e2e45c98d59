"""Complaint writes other than state changes: intake, routing, notes, files, links.

Steps (the state) are ``complaints.workflow``; corrective actions ``complaints.corrective_actions``.
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from complaints import notify, sla, workflow
from complaints.attachments import store_files, validate_files
from complaints.events import ComplaintReceived
from complaints.lifecycle import OPEN_STATES, is_handler
from complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintLink,
    Message,
    ReferenceSequence,
    RoutingRule,
    Severity,
)
from complaints.selectors import complaint_settings
from customers.models import Customer
from customers.services import customer_match_or_create
from tenants.audit import audit_record
from tenants.errors import ApplicationError, NotAllowed
from tenants.events import publish
from tenants.models import Brand, Department, Membership, Tenant, Touchpoint
from tenants.permissions import Action, require_visible, roles_allowed
from tenants.trees import tree_node_create


@transaction.atomic
def category_create(
    *, tenant: Tenant, actor, code: str, name: str, parent: Category | None = None
) -> Category:
    """Add a complaint category under ``parent`` (or at the top) and record its tree path."""
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ApplicationError(_("Choose a parent category of the same organisation."))
    category = tree_node_create(Category, tenant=tenant, parent=parent, code=code, name=name)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="category.created",
        target=category,
        changes={"code": [None, code], "parent": [None, parent and parent.code]},
    )
    return category


def reference_allocate(*, brand: Brand, year: int) -> str:
    """The next reference of ``brand`` this year: AIN-2026-000123. Call inside a transaction."""
    sequences = ReferenceSequence.objects.for_tenant(brand.tenant_id)
    sequence, _created = sequences.select_for_update().get_or_create(
        tenant_id=brand.tenant_id, brand=brand, year=year
    )
    sequences.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
    sequence.refresh_from_db()
    return f"{brand.reference_prefix}-{year}-{sequence.last_number:06d}"


@dataclass
class Route:
    department: Department | None = None
    assignee: Membership | None = None
    rule: RoutingRule | None = None


def _rule_matches(rule: RoutingRule, complaint: Complaint) -> bool:
    if rule.brand_id and rule.brand_id != complaint.brand_id:
        return False
    if rule.touchpoint_id and rule.touchpoint_id != complaint.touchpoint_id:
        return False
    if rule.severity and rule.severity != complaint.severity:
        return False
    if rule.category_id and not (
        complaint.category and complaint.category.path.startswith(rule.category.path)
    ):
        return False
    words = [word.strip().lower() for word in rule.keywords.split(",") if word.strip()]
    if words:
        text = f"{complaint.subject}\n{complaint.description}".lower()
        if not any(word in text for word in words):
            return False
    return True


def handlers_of(department: Department) -> QuerySet[Membership]:
    """Active agents of the department and the departments below it: routing shares new
    complaints among those who take complaints but supervise none."""
    return (
        Membership.objects.for_tenant(department.tenant_id)
        .filter(
            is_active=True,
            role__in=roles_allowed(Action.TAKE_ASSIGNMENTS),
            department__path__startswith=department.path,
        )
        .exclude(role__in=roles_allowed(Action.SUPERVISE_COMPLAINTS))
    )


def pick_assignee(department: Department, strategy: str) -> Membership | None:
    """Round robin: the agent who was given a complaint longest ago; least open: the agent
    with the fewest open complaints (ties: the one given one longest ago)."""
    if strategy == RoutingRule.Strategy.NONE:
        return None
    candidates = handlers_of(department).annotate(
        last_assigned=Max("assigned_complaints__assigned_at"),
        open_count=Count(
            "assigned_complaints", filter=Q(assigned_complaints__state__in=OPEN_STATES)
        ),
    )
    order = [F("last_assigned").asc(nulls_first=True), "pk"]
    if strategy == RoutingRule.Strategy.LEAST_OPEN:
        order.insert(0, "open_count")
    return candidates.order_by(*order).first()


def route_for(complaint: Complaint) -> Route:
    """The first active rule that matches, and whose department is open, picks the
    department, then the handler in it.

    With no matching rule the complaint goes, unassigned, to the top of the department tree,
    where head office sees it in the "unassigned" queue.
    """
    rules = (
        RoutingRule.objects.for_tenant(complaint.tenant_id)
        .filter(is_active=True)
        .select_related("category", "department")
        .order_by("order", "pk")
    )
    for rule in rules:
        # A closed department receives nothing: its rules are passed over.
        if rule.department.is_active and _rule_matches(rule, complaint):
            return Route(
                department=rule.department,
                assignee=pick_assignee(rule.department, rule.strategy),
                rule=rule,
            )
    root = (
        Department.objects.for_tenant(complaint.tenant_id)
        .filter(parent__isnull=True)
        .order_by("path")
        .first()
    )
    return Route(department=root)


def is_repeat_complainant(customer: Customer, *, now=None) -> bool:
    """Whether a new complaint from ``customer`` makes N or more in the last M days."""
    settings = complaint_settings(customer.tenant_id)
    since = (now or timezone.now()) - timedelta(days=settings.repeat_window_days)
    earlier = Complaint.objects.for_tenant(customer.tenant_id).filter(
        customer=customer, received_at__gte=since
    )
    return earlier.count() + 1 >= settings.repeat_threshold


# The longest account of what happened (and of what would put it right) that a complaint takes,
# from any channel; a longer story goes in an attached document.
TEXT_MAX_LENGTH = 10_000


def text_too_long_message() -> str:
    return _(
        "Please keep this under %(limit)s characters; attach a document for a longer account."
    ) % {"limit": number_format(TEXT_MAX_LENGTH, force_grouping=True)}


@dataclass
class Intake:
    """What a new complaint says, from any channel."""

    brand: Brand
    channel: str
    name: str
    subject: str
    description: str
    email: str = ""
    phone: str = ""
    language: str = "en"
    remedy_requested: str = ""
    touchpoint: Touchpoint | None = None
    category: Category | None = None
    severity: str = Severity.MEDIUM
    files: list[UploadedFile] = field(default_factory=list)
    received_at: object = None


@transaction.atomic
def complaint_file(*, intake: Intake, actor: Membership | None) -> Complaint:
    """Register a new complaint: customer, reference, priority, routing, receipt email."""
    tenant = intake.brand.tenant
    settings = complaint_settings(tenant.pk)
    errors = {}
    if not intake.subject.strip():
        errors["subject"] = [_("Give the complaint a short title.")]
    if not intake.description.strip():
        errors["description"] = [_("Tell us what happened.")]
    for name in ("description", "remedy_requested"):
        if len(getattr(intake, name).strip()) > TEXT_MAX_LENGTH:
            errors[name] = [text_too_long_message()]
    if not intake.name.strip():
        errors["name"] = [_("Tell us your name.")]
    if intake.channel not in Channel.values:
        errors["channel"] = [_("Unknown channel.")]
    if intake.severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    for name in ("touchpoint", "category"):
        related = getattr(intake, name)
        if related is not None and related.tenant_id != tenant.pk:
            errors[name] = [_("Unknown choice.")]
    if errors:
        raise ApplicationError(_("Some details are missing."), fields=errors)
    validate_files(intake.files, max_mb=settings.max_attachment_mb)

    customer = customer_match_or_create(
        tenant=tenant,
        name=intake.name,
        email=intake.email,
        phone=intake.phone,
        language=intake.language,
        learn=actor is not None,
    )
    received_at = intake.received_at or timezone.now()
    local_year = received_at.astimezone(zoneinfo.ZoneInfo(tenant.time_zone)).year
    complaint = Complaint(
        tenant=tenant,
        reference=reference_allocate(brand=intake.brand, year=local_year),
        brand=intake.brand,
        touchpoint=intake.touchpoint,
        category=intake.category,
        customer=customer,
        # As typed, whoever the customer found is: the complaint's messages go here.
        contact_name=intake.name.strip()[:200],
        contact_email=intake.email.strip(),
        contact_phone=intake.phone.strip()[:32],
        channel=intake.channel,
        language=intake.language,
        subject=intake.subject.strip()[:200],
        description=intake.description.strip(),
        remedy_requested=intake.remedy_requested.strip(),
        severity=intake.severity,
        priority=settings.priority_for(intake.severity, customer.segment),
        received_at=received_at,
    )
    complaint.is_repeat_complainant = (
        is_repeat_complainant(customer, now=received_at) or customer.segment == "watchlist"
    )
    route = route_for(complaint)
    if route.rule is None and actor is not None and actor.department_id:
        # No rule: the complaint stays with the team that took it, not head office.
        route = Route(department=actor.department)
    complaint.department = route.department
    complaint.assignee = route.assignee
    complaint.assigned_at = received_at if route.assignee else None
    first_check = sla.start_clocks(complaint, settings=settings)
    complaint.save()
    sla.set_next_check(complaint, first_check)
    store_files(complaint, intake.files, uploaded_by=actor)
    audit_record(
        tenant=tenant,
        actor=actor.user if actor else None,
        action="complaint.filed",
        target=complaint,
        changes={
            "channel": [None, complaint.channel],
            "department": [None, route.department and route.department.code],
            "assignee": [None, route.assignee and route.assignee.pk],
        },
        note=route.rule.name if route.rule else "",
    )
    notify.customer(complaint, "received", key="receipt")
    publish(ComplaintReceived(tenant_id=tenant.pk, complaint_id=complaint.pk))
    return complaint


@transaction.atomic
def complaint_add_message(
    *,
    complaint: Complaint,
    actor: Membership,
    kind: str,
    body: str,
    files: list[UploadedFile] | None = None,
) -> Message:
    """An internal note, or a reply that is emailed to the complainant."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write something first."), fields={"body": [_("Empty.")]})
    if kind not in (Message.Kind.INTERNAL, Message.Kind.REPLY):
        raise ApplicationError(_("Unknown kind of note."))
    if not is_handler(complaint, actor):
        raise NotAllowed(_("Only its handler or a manager can write on this complaint."))
    files = files or []
    validate_files(files, max_mb=complaint_settings(complaint.tenant_id).max_attachment_mb)
    message = Message.objects.create(
        tenant_id=complaint.tenant_id, complaint=complaint, kind=kind, author=actor, body=body
    )
    store_files(
        complaint,
        files,
        uploaded_by=actor,
        message=message,
        is_internal=kind == Message.Kind.INTERNAL,
    )
    if kind == Message.Kind.REPLY:
        notify.customer(complaint, "reply", key=f"message-{message.pk}", message=message)
        workflow.complaint_record_first_response(complaint=complaint, actor=actor)
    return message


@transaction.atomic
def complaint_add_customer_files(
    *, complaint: Complaint, files: list[UploadedFile], body: str = ""
) -> Message | None:
    """Files (and words) the complainant adds on the status page while the case is open."""
    if complaint.state not in OPEN_STATES:
        raise ApplicationError(_("This complaint is finished; it takes no more files."))
    validate_files(files, max_mb=complaint_settings(complaint.tenant_id).max_attachment_mb)
    message = None
    if body.strip() or files:
        message = Message.objects.create(
            tenant_id=complaint.tenant_id,
            complaint=complaint,
            kind=Message.Kind.CUSTOMER,
            body=body.strip() or _("(files added)"),
        )
        store_files(complaint, files, uploaded_by=None, message=message)
    return message


@transaction.atomic
def complaint_link(*, complaint: Complaint, actor: Membership, other: Complaint) -> ComplaintLink:
    """Link two complaints of the organisation, both ways; both must be ones the actor sees
    (one they cannot see is refused like a missing one)."""
    if other.tenant_id != complaint.tenant_id or other.pk == complaint.pk:
        raise ApplicationError(
            _("Choose another complaint of this organisation."),
            fields={"other": [_("Not a complaint you can link.")]},
        )
    require_visible(actor, complaint)
    require_visible(actor, other)
    link, created = ComplaintLink.objects.get_or_create(
        tenant_id=complaint.tenant_id,
        complaint=complaint,
        linked=other,
        defaults={"created_by": actor},
    )
    if created:
        ComplaintLink.objects.get_or_create(
            tenant_id=complaint.tenant_id,
            complaint=other,
            linked=complaint,
            defaults={"created_by": actor},
        )
        audit_record(
            tenant=complaint.tenant,
            actor=actor.user,
            action="complaint.linked",
            target=complaint,
            changes={"linked": [None, other.reference]},
        )
    return link
