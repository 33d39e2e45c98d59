"""Tenant-scoped reads of complaints for the workspace, the status page and the API."""

import functools
import re
from dataclasses import dataclass
from functools import cached_property

from django.db.models import F, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from complaints import queue_rows
from complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintSettings,
    CorrectiveAction,
    Message,
    RootCause,
    Transition,
)
from complaints.names import member_name, name_of
from customers.keys import email_key
from customers.models import Customer
from tenants.models import Brand, Department, Membership, Tenant, Touchpoint
from tenants.paging import Page, page_or_404
from tenants.permissions import Action, get_visible_or_404, roles_allowed, visible_to

PAGE_SIZE = 25


def visible_complaints(member: Membership) -> QuerySet[Complaint]:
    """Complaints the member may see: their tenant, their department subtree."""
    return visible_to(Complaint.objects.all(), member, department_field="department")


@dataclass
class QueueLists:
    """The small lists the queue reads on every request, ``(id, name)`` each: the filter's
    categories (with their tree paths), brands and touchpoints, and the departments whose
    names the rows print."""

    categories: list[tuple[int, str]]
    brands: list[tuple[int, str]]
    touchpoints: list[tuple[int, str]]
    departments: list[tuple[int, str]]
    category_paths: dict[int, str]

    @cached_property
    def brand_names(self) -> dict[int, str]:
        return dict(self.brands)

    @cached_property
    def department_names(self) -> dict[int, str]:
        return dict(self.departments)


@functools.lru_cache(maxsize=1024)
def _queue_lists_query(tenant_id: int) -> QuerySet:
    """The lists' one query, built once per tenant and process (building this ``UNION ALL``
    costs the ORM five times what PostgreSQL takes to run it); each call runs a copy."""

    def part(queryset, kind: int, key: str):
        return (
            queryset.order_by()
            .annotate(list_kind=Value(kind), sort_key=F(key))
            .values_list("list_kind", "pk", "name", "sort_key")
        )

    return (
        part(categories(tenant_id), 0, "path")
        .union(
            part(Brand.objects.for_tenant(tenant_id), 1, "name"),
            part(Touchpoint.objects.for_tenant(tenant_id), 2, "name"),
            part(Department.objects.for_tenant(tenant_id), 3, "path"),
            all=True,
        )
        .order_by("list_kind", "sort_key")
    )


def queue_lists(tenant_id: int) -> QueueLists:
    """Active categories (tree order), brands and touchpoints (by name), departments: one
    query, a ``UNION ALL`` of four small tables."""
    lists: tuple[list, list, list, list] = ([], [], [], [])
    paths = {}
    for kind, pk, name, key in _queue_lists_query(tenant_id).all():
        lists[kind].append((pk, name))
        if kind == 0:
            paths[pk] = key
    return QueueLists(*lists, category_paths=paths)


def queue_page(
    complaints: QuerySet[Complaint], *, number: int, tenant: Tenant, lists: QueueLists
) -> Page:
    """Page ``number`` of ``complaints`` (a queue, filtered and ordered by
    ``complaints.filters.QueueFilterSet``) as printable rows: one query, "overdue" annotated;
    ``lists`` (``queue_lists``) name the rows' brands and departments. No COUNT
    (``tenants.paging``); a page past the end is a 404."""
    now = timezone.now()
    page = page_or_404(queue_values(complaints, now=now), number=number, size=PAGE_SIZE)
    page.rows = queue_rows.queue_rows(
        page.rows,
        tenant_slug=tenant.slug,
        brands=lists.brand_names,
        departments=lists.department_names,
        now=now,
    )
    return page


def queue_values(complaints: QuerySet[Complaint], *, now, extra: tuple[str, ...] = ()) -> QuerySet:
    """``complaints`` (a queue, filtered and ordered by ``QueueFilterSet``) as the values of
    the queue's rows (``queue_rows.FIELDS``, and ``extra``), "overdue" annotated at ``now``:
    the page takes one page of them, an export all (``dashboards.list_exports``)."""
    return complaints.with_overdue(now).values(*queue_rows.FIELDS, *extra)


REFERENCE = re.compile(r"^[A-Z]{2,6}-\d{4}-\d{1,9}$", re.IGNORECASE)


def complaint_search(
    complaints: QuerySet[Complaint], tenant_id: int, text: str
) -> QuerySet[Complaint]:
    """A reference, a customer's email, or words in the subject, text or customer name.

    Each branch is one indexed lookup (on PostgreSQL the words use trigram indexes), and the
    branches are combined as a UNION of ids rather than one OR across a join, which no index
    could serve.
    """
    if REFERENCE.match(text):
        return complaints.filter(reference=text.upper())
    if "@" in text:
        return complaints.filter(customer__email_key=email_key(text))
    in_tenant = Complaint.objects.for_tenant(tenant_id)
    by_text = in_tenant.filter(Q(subject__icontains=text) | Q(description__icontains=text))
    by_customer = in_tenant.filter(
        customer__in=Customer.objects.for_tenant(tenant_id).filter(name__icontains=text)
    )
    matching = by_text.order_by().values("pk").union(by_customer.order_by().values("pk"))
    return complaints.filter(pk__in=matching)


def complaint_for_member_or_404(member: Membership, reference: str) -> Complaint:
    """The complaint with ``reference`` if the member may see it; 404 otherwise.

    One query: the brand, the customer, the department and the handler are joined; the names
    the case page only prints are subqueries (``category_name``, ``touchpoint_name``,
    ``root_cause_name``, ``assessed_by_name``, ``merged_into_reference``: ten joins cost
    PostgreSQL 5 ms to plan); each SLA clock's "overdue" is annotated
    (``Complaint.objects.with_overdue``).
    """
    tenant_id = member.tenant_id
    complaints = (
        Complaint.objects.select_related("brand", "customer", "department", "assignee__user")
        .with_overdue(timezone.now(), per_clock=True)
        .annotate(
            category_name=name_of(Category, tenant_id, "category_id"),
            touchpoint_name=name_of(Touchpoint, tenant_id, "touchpoint_id"),
            root_cause_name=name_of(RootCause, tenant_id, "root_cause_id"),
            assessed_by_name=member_name(tenant_id, "assessed_by_id"),
            merged_into_reference=name_of(Complaint, tenant_id, "merged_into_id", "reference"),
        )
    )
    return get_visible_or_404(complaints, member, reference=reference)


def root_causes(tenant_id: int) -> QuerySet[RootCause]:
    return RootCause.objects.for_tenant(tenant_id).filter(is_active=True).order_by("name")


def categories(tenant_id: int) -> QuerySet[Category]:
    return Category.objects.for_tenant(tenant_id).filter(is_active=True).order_by("path")


def handlers(member: Membership) -> QuerySet[Membership]:
    """Members a complaint can be given to, within what ``member`` sees."""
    return (
        visible_to(Membership.objects.all(), member)
        .filter(is_active=True, role__in=roles_allowed(Action.TAKE_ASSIGNMENTS))
        .exclude(department__isnull=True)
        .select_related("user", "department")
        .order_by("department__path", "user__first_name", "user__last_name")
    )


def routable_departments(member: Membership) -> QuerySet[Department]:
    """The open departments the member may route a complaint to: those they see."""
    departments = Department.objects.filter(is_active=True)
    return visible_to(departments, member, department_field="").order_by("path")


ACTIONS_PAGE_SIZE = 50


def visible_corrective_actions(member: Membership) -> QuerySet[CorrectiveAction]:
    """Actions on the complaints the member may see, for ``CorrectiveActionFilterSet``."""
    return CorrectiveAction.objects.for_tenant(member.tenant_id).filter(
        complaint__in=visible_complaints(member)
    )


def corrective_action_page(actions: QuerySet[CorrectiveAction], *, number: int = 1) -> Page:
    """Page ``number`` of ``actions`` (filtered): open and in-progress ones first, then by due
    date (one query, no COUNT: ``tenants.paging``)."""
    finished = [CorrectiveAction.Status.DONE, CorrectiveAction.Status.CANCELLED]
    rows = (
        actions.select_related("complaint", "owner__user")
        .alias(is_finished=Q(status__in=finished))
        .order_by("is_finished", "due_date", "id")
    )
    return page_or_404(rows, number=number, size=ACTIONS_PAGE_SIZE)


# --- the complainant's view ------------------------------------------------------------------


def complaint_by_reference_or_404(tenant: Tenant, reference: str) -> Complaint:
    try:
        complaint = (
            Complaint.objects.for_tenant(tenant)
            .select_related("brand", "customer", "merged_into")
            .get(reference=reference.strip().upper())
        )
    except Complaint.DoesNotExist as missing:
        raise Http404("No complaint matches the given query.") from missing
    complaint.tenant = tenant
    return complaint


def customer_history(
    complaint: Complaint,
) -> tuple[list[Transition], list[Message], list[Attachment]]:
    """What the complainant may see: the steps, the messages and files that are not internal."""
    tenant_id = complaint.tenant_id
    transitions = list(
        Transition.objects.for_tenant(tenant_id)
        .filter(complaint=complaint)
        .exclude(name="transfer")
        .order_by("created_at", "id")
    )
    messages = list(
        Message.objects.for_tenant(tenant_id)
        .filter(complaint=complaint)
        .exclude(kind=Message.Kind.INTERNAL)
        .order_by("created_at", "id")
    )
    attachments = list(
        Attachment.objects.for_tenant(tenant_id)
        .filter(complaint=complaint, is_internal=False)
        .order_by("created_at", "id")
    )
    return transitions, messages, attachments


def complaint_settings(tenant_id: int) -> ComplaintSettings:
    """The tenant's complaint settings; the defaults (unsaved) while it has saved none.

    Reading never writes: a tenant's row is created by the service that saves its settings.
    """
    settings = ComplaintSettings.objects.for_tenant(tenant_id).first()
    return settings or ComplaintSettings(tenant_id=tenant_id)


def complaint_if_visible(member: Membership, complaint: Complaint | None) -> Complaint | None:
    """``complaint`` when the member may open it (a link to it would 404 otherwise)."""
    if complaint is None or not visible_complaints(member).filter(pk=complaint.pk).exists():
        return None
    return complaint
