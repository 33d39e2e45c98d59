"""The SLA scan: every minute, raise the warnings, breaches and escalations that are due.

Each event is an :class:`SlaAlert` row with a unique key and a notification in the app (written
by ``notifications_create_bulk``): the assignee at the warning; the assignee and the
department's managers at the breach; then, every ``escalation_hours`` of working time, the
managers one level further up the department tree (the tenant's admins where a level has no
manager). A scan run twice, or twice at once, inserts each alert and notification once (unique
keys, ``ON CONFLICT DO NOTHING``); on PostgreSQL concurrent scans also split the due complaints
between them (``SKIP LOCKED``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import OPEN_STATES
from complaints.models import Complaint, ComplaintSettings, SlaAlert, SlaCheck
from complaints.notices import sla_message
from complaints.selectors import complaint_settings
from complaints.sla import CLOCKS, Event, events_of, next_check
from notifications.services import (
    NewNotification,
    notifications_create_bulk,
    notifications_supersede,
)
from tenants.bulk import insert_new_rows
from tenants.business_time import BusinessCalendar
from tenants.calendar import calendar_for
from tenants.models import Department, Membership, Tenant
from tenants.permissions import Action, member_can, roles_allowed, supervises_department
from tenants.rls import all_tenants


@dataclass
class TenantContext:
    """What the scan needs of one tenant, loaded once per tick."""

    tenant: Tenant
    settings: ComplaintSettings
    calendar: BusinessCalendar
    departments: dict[int, Department]
    members: dict[int, Membership]  # active admins, managers and agents, with their user
    managers: dict[int, list[Membership]]  # by department
    admins: list[Membership]
    link: str  # the case page's path, with "{reference}" to fill in


def _context(tenant: Tenant) -> TenantContext:
    settings = complaint_settings(tenant.pk)
    members = {
        member.pk: member
        for member in Membership.objects.for_tenant(tenant)
        .filter(role__in=roles_allowed(Action.HANDLE_COMPLAINTS), is_active=True)
        .select_related("user")
    }
    managers: dict[int, list[Membership]] = {}
    for member in members.values():
        if supervises_department(member):
            managers.setdefault(member.department_id, []).append(member)
    link = reverse(
        "complaint-detail", kwargs={"tenant_slug": tenant.slug, "reference": "REFERENCE"}
    )
    return TenantContext(
        tenant=tenant,
        settings=settings,
        calendar=calendar_for(tenant),
        departments={d.pk: d for d in Department.objects.for_tenant(tenant)},
        members=members,
        managers=managers,
        admins=[member for member in members.values() if member_can(member, Action.MANAGE_TENANT)],
        link=link.replace("REFERENCE", "{reference}"),
    )


def _levels_above(department: Department | None, context: TenantContext) -> list[Department]:
    """The department and its ancestors, nearest first."""
    chain = []
    while department is not None:
        chain.append(department)
        department = context.departments.get(department.parent_id)
    return chain


def _recipients(
    complaint: Complaint, level: int, chain: list[Department], context: TenantContext
) -> list[Membership]:
    """Who hears of an event: warning → the assignee (or, unassigned, the department's
    managers); breach → the assignee and the department's managers; escalation n → the
    managers n − 1 levels further up. A level without managers falls back to the tenant's
    admins, so an event never goes to nobody."""
    assignee = context.members.get(complaint.assignee_id)
    if level == 0 and assignee:
        return [assignee]
    department = chain[min(max(level, 1), len(chain)) - 1] if chain else None
    managers = context.managers.get(department.pk, []) if department else []
    recipients = [assignee] if assignee and level == 1 else []
    return recipients + [member for member in (managers or context.admins) if member != assignee]


# Only what the scan reads of a complaint (the tick loads thousands).
SCAN_FIELDS = (
    "tenant_id",
    "reference",
    "state",
    "department_id",
    "assignee_id",
    "sla_paused_at",
    "sla_round",
    *(field for clock in CLOCKS for field in clock[1:]),
)


def _due_complaints(now: datetime, limit: int) -> list[SimpleNamespace]:
    """The due complaints' clock fields, as plain records (thousands per tick: no model
    instances)."""
    checks = (
        SlaCheck.objects.unscoped()
        .filter(next_check_at__lte=now, complaint__state__in=OPEN_STATES)
        .order_by("next_check_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        # Two scans at once split the due complaints instead of waiting for each other.
        checks = checks.select_for_update(skip_locked=True, of=("self",))
    fields = [f"complaint__{name}" for name in SCAN_FIELDS]
    rows = checks.values("complaint_id", *fields)[:limit]
    return [
        SimpleNamespace(
            pk=row["complaint_id"],
            **{name: row[field] for name, field in zip(SCAN_FIELDS, fields, strict=True)},
        )
        for row in rows
    ]


def _raised(complaint_ids: list[int]) -> set[tuple]:
    """(complaint, clock, round, level) of the alerts already raised for these complaints."""
    return set(
        SlaAlert.objects.unscoped()
        .filter(complaint_id__in=complaint_ids)
        .values_list("complaint_id", "clock", "round", "level")
    )


# The fields of the alert rows a tick builds, in order.
ALERT_FIELDS = ("tenant_id", "complaint_id", "clock", "level", "round", "due_at")


@all_tenants()  # one indexed scan over every tenant's due clocks
def sla_scan(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Raise every SLA event that is due; returns how many alerts this call raised."""
    now = now or timezone.now()
    with transaction.atomic():
        complaints = _due_complaints(now, limit)
        if not complaints:
            return 0
        raised = _raised([complaint.pk for complaint in complaints])
        tenants = Tenant.objects.in_bulk({complaint.tenant_id for complaint in complaints})
        contexts = {pk: _context(tenant) for pk, tenant in tenants.items()}
        alerts, notifications, next_checks = [], [], []
        superseded: dict[int, list[str]] = {}  # by tenant: warnings a breach replaces
        for complaint in complaints:
            context = contexts[complaint.tenant_id]
            chain = _levels_above(context.departments.get(complaint.department_id), context)
            events = events_of(
                complaint,
                escalation=timedelta(hours=context.settings.escalation_hours),
                levels=max(len(chain), 1),
                calendar=context.calendar,
                until=now,
            )
            for event in events:
                if event.at > now or (complaint.pk, *event.key) in raised:
                    continue
                alerts.append(
                    (
                        complaint.tenant_id,
                        complaint.pk,
                        event.clock,
                        event.level,
                        event.round,
                        event.due_at,
                    )
                )
                if event.level == 0 and event.due_at <= now:
                    # The deadline has passed (the scan was late): a warning is old news, the
                    # breach says it. The alert row is kept, so it is not raised again.
                    continue
                _notify(complaint, event, chain, context, notifications)
                if event.level == 1:
                    superseded.setdefault(complaint.tenant_id, []).extend(
                        _warning_keys(complaint, event, chain, context)
                    )
            next_checks.append((next_check(events, now), complaint.pk))
        # A scan racing this one may have inserted some of these: the unique keys keep one.
        insert_new_rows(SlaAlert, fields=ALERT_FIELDS, rows=alerts, same={"created_at": now})
        notifications_create_bulk(notifications=notifications, created_at=now)
        for tenant_id, keys in superseded.items():
            notifications_supersede(tenant_id=tenant_id, dedupe_keys=keys, now=now)
        _store_next_checks(next_checks)
    return len(alerts)


def _store_next_checks(rows: list[tuple]) -> None:
    """Store each complaint's next check. By primary key, on rows this transaction has locked:
    no tenant filter is needed. PostgreSQL takes all rows in one statement."""
    # Only the table name, quoted from the model, is written into the SQL; values are parameters.
    update = f"UPDATE {connection.ops.quote_name(SlaCheck._meta.db_table)}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                update + " AS sla_check SET next_check_at = due.next_check "
                "FROM unnest(%s::timestamptz[], %s::bigint[]) AS due(next_check, id) "
                "WHERE sla_check.complaint_id = due.id",
                [[next_at for next_at, _pk in rows], [pk for _next, pk in rows]],
            )
        else:
            cursor.executemany(update + " SET next_check_at = %s WHERE complaint_id = %s", rows)


def _key(complaint, event: Event) -> str:
    return f"sla:{complaint.pk}:{event.clock}:{event.round}:{event.level}"


def _warning_keys(complaint, breach: Event, chain, context: TenantContext) -> list[str]:
    """The keys of the warning notifications a breach makes old news: the unread warning of
    the same clock and round is marked read, so the bell does not show both."""
    warning = Event(breach.clock, 0, breach.at, breach.due_at, breach.round)
    key = _key(complaint, warning)
    return [f"{key}:{member.pk}" for member in _recipients(complaint, 0, chain, context)]


def _notify(
    complaint, event: Event, chain, context: TenantContext, notifications: list[NewNotification]
) -> None:
    key = _key(complaint, event)
    link = context.link.format(reference=complaint.reference)
    # Plain values, worded when read (``complaints.notices``): the due time as ISO text.
    params = {"reference": complaint.reference, "clock": event.clock}
    if event.level == 0:
        params["due"] = event.due_at.isoformat()
    for member in _recipients(complaint, event.level, chain, context):
        notifications.append(
            NewNotification(
                tenant_id=complaint.tenant_id,
                recipient_id=member.pk,
                message=sla_message(event.level),
                params=params,
                link=link,
                dedupe_key=f"{key}:{member.pk}",
            )
        )
