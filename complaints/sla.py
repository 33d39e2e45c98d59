"""SLA clocks of complaints: which policy applies, when each clock is due, and the scan.

Three clocks run from receipt: acknowledgement, first response and resolution. Their due
times (and the moment the warning is due, at the tenant's share of the time) are computed in
working time of the tenant's business calendar and stored on the complaint when the clock
starts; a pause (waiting on the customer) moves them on by the time it lasted; a clock stops
when its event happens. ``sla_next_check_at`` holds the next warning, breach or escalation of
any running clock, so the scan is one indexed range query over what is due.

The scan raises each event as an :class:`SlaAlert` row with a unique key and notifies from the
rows: the assignee at the warning; the assignee and the department's managers at the breach;
then, every ``escalation_hours`` of working time, the managers one level further up the
department tree. A scan run twice, or twice at once, inserts each alert, notification and
email once (unique keys, ``ON CONFLICT DO NOTHING``); on PostgreSQL concurrent scans also
split the due complaints between them (``SKIP LOCKED``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.business_time import BusinessCalendar, add_business_time, resume_due
from complaints.lifecycle import OPEN_STATES
from complaints.models import Closure, Complaint, ComplaintSettings, SlaAlert, SlaPolicy
from notifications.models import Delivery, Notification
from tenants.models import Department, Membership, Role, Tenant

logger = logging.getLogger(__name__)

# clock, due field, warning field, the field whose value stops it
CLOCKS = (
    (
        SlaAlert.Clock.ACKNOWLEDGEMENT,
        "acknowledge_due_at",
        "acknowledge_warn_at",
        "acknowledged_at",
    ),
    (
        SlaAlert.Clock.FIRST_RESPONSE,
        "first_response_due_at",
        "first_response_warn_at",
        "first_responded_at",
    ),
    (SlaAlert.Clock.RESOLUTION, "resolve_due_at", "resolve_warn_at", "resolved_at"),
)


# --- the calendar and the targets ---------------------------------------------------------


def _parse_hours(working_hours: dict) -> dict[int, tuple[tuple[time, time], ...]]:
    hours = {}
    for day, spans in (working_hours or {}).items():
        intervals = []
        for span in spans:
            opening, closing = span.split("-")
            intervals.append((time.fromisoformat(opening), time.fromisoformat(closing)))
        hours[int(day)] = tuple(intervals)
    return hours


def calendar_for(tenant: Tenant, settings: ComplaintSettings) -> BusinessCalendar:
    closures = frozenset(Closure.objects.for_tenant(tenant).values_list("day", flat=True))
    hours = _parse_hours(settings.working_hours)
    try:
        return BusinessCalendar(
            time_zone=tenant.time_zone, hours=hours, country=tenant.country, closures=closures
        )
    except ValueError:
        # A country the holidays package does not know: weekends and closures only.
        logger.warning("no public holidays known for country %r", tenant.country)
        return BusinessCalendar(time_zone=tenant.time_zone, hours=hours, closures=closures)


def _span(start: time, end: time) -> timedelta:
    """Length of a working interval; an end of 00:00 means midnight at the end of the day."""
    day = datetime(2000, 1, 1)
    end_at = datetime.combine(day, end) if end != time(0) else day + timedelta(days=1)
    return end_at - datetime.combine(day, start)


def _working_day(calendar: BusinessCalendar) -> timedelta:
    """The length of the calendar's longest working day: what "one working day" means."""
    days = [sum((_span(*span) for span in spans), timedelta()) for spans in calendar.hours.values()]
    return max(days, default=timedelta()) or timedelta(hours=8)


@dataclass(frozen=True)
class Targets:
    acknowledgement: timedelta
    first_response: timedelta
    resolution: timedelta


def policy_for(complaint: Complaint) -> SlaPolicy | None:
    """The most specific active policy whose brand, category (subtree) and severity match."""
    best, best_score = None, -1
    policies = SlaPolicy.objects.for_tenant(complaint.tenant_id).filter(is_active=True)
    for policy in policies.select_related("category").order_by("pk"):
        if policy.brand_id and policy.brand_id != complaint.brand_id:
            continue
        if policy.severity and policy.severity != complaint.severity:
            continue
        if policy.category_id and not (
            complaint.category and complaint.category.path.startswith(policy.category.path)
        ):
            continue
        score = (
            bool(policy.brand_id)
            + bool(policy.severity)
            + (policy.category.path.count("/") if policy.category_id else 0)
        )
        if score > best_score:
            best, best_score = policy, score
    return best


def targets_for(
    policy: SlaPolicy | None, settings: ComplaintSettings, calendar: BusinessCalendar
) -> Targets:
    if policy is not None:
        return Targets(
            acknowledgement=timedelta(hours=policy.acknowledgement_hours),
            first_response=timedelta(hours=policy.first_response_hours),
            resolution=timedelta(hours=policy.resolution_hours),
        )
    return Targets(
        acknowledgement=timedelta(hours=settings.acknowledgement_hours),
        first_response=timedelta(hours=settings.first_response_hours),
        resolution=settings.resolution_days * _working_day(calendar),
    )


# --- clock fields -------------------------------------------------------------------------


def _clock_fields(start, target: timedelta, warning_percent: int, calendar) -> tuple:
    due = add_business_time(start, target, calendar)
    warn = add_business_time(start, target * warning_percent / 100, calendar)
    return due, warn


def start_clocks(complaint: Complaint, *, settings: ComplaintSettings) -> None:
    """Set the policy, the due and warning times of all three clocks and the first check on a
    complaint being filed (not yet saved)."""
    calendar = calendar_for(complaint.tenant, settings)
    complaint.sla_policy = policy_for(complaint)
    targets = targets_for(complaint.sla_policy, settings, calendar)
    for (_clock, due_field, warn_field, _stop), target in zip(
        CLOCKS, (targets.acknowledgement, targets.first_response, targets.resolution), strict=True
    ):
        due, warn = _clock_fields(complaint.received_at, target, settings.warning_percent, calendar)
        setattr(complaint, due_field, due)
        setattr(complaint, warn_field, warn)
    complaint.sla_next_check_at = first_event_at(complaint, settings=settings, calendar=calendar)


def restart_resolution_fields(complaint: Complaint, *, settings, now: datetime) -> dict:
    """A reopened complaint gets a new resolution clock from now."""
    calendar = calendar_for(complaint.tenant, settings)
    targets = targets_for(complaint.sla_policy, settings, calendar)
    due, warn = _clock_fields(now, targets.resolution, settings.warning_percent, calendar)
    return {
        "resolve_due_at": due,
        "resolve_warn_at": warn,
        "resolved_at": None,
        "sla_round": complaint.sla_round + 1,
    }


def pause_fields(now: datetime) -> dict:
    return {"sla_paused_at": now, "sla_next_check_at": None}


def resume_fields(complaint: Complaint, *, settings, now: datetime) -> dict:
    """Move every running clock on by the working time the pause lasted."""
    if complaint.sla_paused_at is None:
        return {}
    calendar = calendar_for(complaint.tenant, settings)
    fields = {"sla_paused_at": None}
    for _clock, due_field, warn_field, stop_field in CLOCKS:
        if getattr(complaint, stop_field) is None and getattr(complaint, due_field):
            for field in (due_field, warn_field):
                fields[field] = resume_due(
                    getattr(complaint, field), complaint.sla_paused_at, now, calendar
                )
    return fields


@dataclass(frozen=True)
class Event:
    clock: str
    level: int  # 0 warning, 1 breach, 2+ escalation
    at: datetime
    due_at: datetime
    round: int = 0

    @property
    def key(self) -> tuple:
        return (self.clock, self.round, self.level)


def events_of(complaint: Complaint, *, escalation: timedelta, levels: int, calendar) -> list:
    """Every SLA event of the complaint's running clocks, in time order (none while paused).

    ``levels`` is the depth of the complaint's department: the breach goes to its own level,
    each escalation one level further up, the last to the top of the tree.
    """
    if complaint.sla_paused_at is not None or complaint.state not in OPEN_STATES:
        return []
    events = []
    for clock, due_field, warn_field, stop_field in CLOCKS:
        due = getattr(complaint, due_field)
        if due is None or getattr(complaint, stop_field) is not None:
            continue
        round_ = complaint.sla_round if clock == SlaAlert.Clock.RESOLUTION else 0
        warn = getattr(complaint, warn_field)
        if warn is not None and warn < due:
            events.append(Event(clock, 0, warn, due, round_))
        events.append(Event(clock, 1, due, due, round_))
        for level in range(2, levels + 1):
            at = add_business_time(due, escalation * (level - 1), calendar)
            events.append(Event(clock, level, at, due, round_))
    return sorted(events, key=lambda event: event.at)


def next_check(events: list[Event], now: datetime) -> datetime | None:
    upcoming = [event.at for event in events if event.at > now]
    return min(upcoming) if upcoming else None


# --- the scan -------------------------------------------------------------------------------


@dataclass
class TenantContext:
    tenant: Tenant
    settings: ComplaintSettings
    calendar: BusinessCalendar
    departments: dict[int, Department]
    managers: dict[int, list[Membership]]
    admins: list[Membership]


def _context(tenant: Tenant) -> TenantContext:
    settings, _created = ComplaintSettings.objects.get_or_create(tenant=tenant)
    managers: dict[int, list[Membership]] = {}
    admins = []
    for member in (
        Membership.objects.for_tenant(tenant)
        .filter(role__in=[Role.MANAGER, Role.ADMIN], is_active=True)
        .select_related("user")
    ):
        if member.role == Role.ADMIN:
            admins.append(member)
        else:
            managers.setdefault(member.department_id, []).append(member)
    return TenantContext(
        tenant=tenant,
        settings=settings,
        calendar=calendar_for(tenant, settings),
        departments={d.pk: d for d in Department.objects.for_tenant(tenant)},
        managers=managers,
        admins=admins,
    )


def _levels_above(department: Department | None, context: TenantContext) -> list[Department]:
    """The department and its ancestors, nearest first."""
    chain = []
    while department is not None:
        chain.append(department)
        department = context.departments.get(department.parent_id)
    return chain


def _recipients(
    complaint: Complaint, level: int, context: TenantContext
) -> list[tuple[Membership, bool]]:
    """(member, also email?) for an event: warning → the assignee (or, unassigned, the
    department's managers); breach → the assignee and the department's managers; escalation
    n → the managers n − 1 levels further up. A level without managers falls back to the
    tenant's admins, so an event never goes to nobody."""
    assignee = complaint.assignee
    chain = _levels_above(context.departments.get(complaint.department_id), context)
    if level == 0 and assignee:
        return [(assignee, False)]
    department = chain[min(max(level, 1), len(chain)) - 1] if chain else None
    managers = context.managers.get(department.pk, []) if department else []
    recipients = [(assignee, True)] if assignee and level == 1 else []
    by_email = level >= 1
    recipients += [
        (member, by_email) for member in (managers or context.admins) if member != assignee
    ]
    return recipients


def _message(complaint: Complaint, event: Event) -> str:
    clock = SlaAlert.Clock(event.clock).label
    if event.level == 0:
        return _("%(reference)s: %(clock)s is due %(due)s.") % {
            "reference": complaint.reference,
            "clock": clock,
            "due": timezone.localtime(event.due_at).strftime("%Y-%m-%d %H:%M"),
        }
    if event.level == 1:
        return _("%(reference)s: %(clock)s is overdue.") % {
            "reference": complaint.reference,
            "clock": clock,
        }
    return _("%(reference)s: %(clock)s is still overdue; escalated to you.") % {
        "reference": complaint.reference,
        "clock": clock,
    }


def _due_complaints(now: datetime, limit: int):
    complaints = (
        Complaint.objects.unscoped()
        .filter(sla_next_check_at__lte=now, state__in=OPEN_STATES)
        .select_related("tenant", "assignee__user")
        .order_by("sla_next_check_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        complaints = complaints.select_for_update(skip_locked=True, of=("self",))
    return list(complaints[:limit])


def sla_scan(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Raise every SLA event that is due; returns how many alerts this call created."""
    now = now or timezone.now()
    with transaction.atomic():
        complaints = _due_complaints(now, limit)
        contexts: dict[int, TenantContext] = {}
        alerts, notifications, deliveries, next_checks = [], [], [], []
        for complaint in complaints:
            context = contexts.get(complaint.tenant_id) or contexts.setdefault(
                complaint.tenant_id, _context(complaint.tenant)
            )
            chain = _levels_above(context.departments.get(complaint.department_id), context)
            events = events_of(
                complaint,
                escalation=timedelta(hours=context.settings.escalation_hours),
                levels=max(len(chain), 1),
                calendar=context.calendar,
            )
            for event in events:
                if event.at > now:
                    continue
                alerts.append(
                    SlaAlert(
                        tenant_id=complaint.tenant_id,
                        complaint=complaint,
                        clock=event.clock,
                        level=event.level,
                        due_at=event.due_at,
                    )
                )
                _notify(complaint, event, context, notifications, deliveries)
            complaint.sla_next_check_at = next_check(events, now)
            next_checks.append(complaint)
        created = _insert_new(alerts)
        Notification.objects.bulk_create(notifications, ignore_conflicts=True)
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Complaint.objects.unscoped().bulk_update(next_checks, ["sla_next_check_at"])
    if deliveries:
        from notifications.tasks import sweep_deliveries_task

        transaction.on_commit(sweep_deliveries_task.delay, robust=True)
    return created


def _insert_new(alerts: list[SlaAlert]) -> int:
    """Insert the alerts no scan has raised yet; returns how many were new."""
    if not alerts:
        return 0
    keys = Q()
    for alert in alerts:
        keys |= Q(
            complaint_id=alert.complaint_id,
            clock=alert.clock,
            round=alert.round,
            level=alert.level,
        )
    before = SlaAlert.objects.unscoped().filter(keys).count()
    SlaAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return SlaAlert.objects.unscoped().filter(keys).count() - before


def _notify(complaint, event: Event, context: TenantContext, notifications, deliveries) -> None:
    key = f"sla:{complaint.pk}:{event.clock}:{event.round}:{event.level}"
    link = reverse(
        "complaint-detail",
        kwargs={"tenant_slug": context.tenant.slug, "reference": complaint.reference},
    )
    with (
        translation.override(context.tenant.default_language),
        timezone.override(context.tenant.time_zone),
    ):
        text = _message(complaint, event)
    for member, by_email in _recipients(complaint, event.level, context):
        notifications.append(
            Notification(
                tenant_id=complaint.tenant_id,
                recipient=member,
                text=text[:300],
                link=link,
                dedupe_key=f"{key}:{member.pk}",
            )
        )
        if by_email and member.user.email:
            deliveries.append(
                Delivery(
                    tenant_id=complaint.tenant_id,
                    dedupe_key=f"{key}:{member.pk}:email",
                    recipient=member.user.email,
                    subject=text[:300],
                    body=f"{text}\n\n{context_url(link)}\n",
                )
            )


def context_url(path: str) -> str:
    from django.conf import settings

    return f"{settings.SITE_URL.rstrip('/')}{path}"


def first_event_at(
    complaint: Complaint, *, settings: ComplaintSettings, calendar
) -> datetime | None:
    """When the scan should first look at the complaint: its earliest event not yet raised.

    Events already raised are skipped by their unique key, so "earliest" may be in the past;
    the scan then catches up at once.
    """
    raised = set()
    if complaint.pk:
        raised = set(
            SlaAlert.objects.for_tenant(complaint.tenant_id)
            .filter(complaint=complaint)
            .values_list("clock", "round", "level")
        )
    department = complaint.department
    depth = department.path.count("/") - 1 if department else 1
    events = events_of(
        complaint,
        escalation=timedelta(hours=settings.escalation_hours),
        levels=max(depth, 1),
        calendar=calendar,
    )
    pending = [e.at for e in events if e.key not in raised]
    return min(pending) if pending else None


def sync_next_check(complaint: Complaint) -> None:
    """Store when the complaint's next SLA event is due (after a step stopped or moved a clock)."""
    settings, _created = ComplaintSettings.objects.get_or_create(tenant_id=complaint.tenant_id)
    calendar = calendar_for(complaint.tenant, settings)
    value = first_event_at(complaint, settings=settings, calendar=calendar)
    if value != complaint.sla_next_check_at:
        Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(
            sla_next_check_at=value
        )
        complaint.sla_next_check_at = value
