"""SLA clocks of complaints: which policy applies, when each clock is due, and the scan.

Three clocks run from receipt: acknowledgement, first response and resolution. Their due
times (and the moment the warning is due, at the tenant's share of the time) are computed in
working time of the tenant's business calendar and stored on the complaint when the clock
starts; a pause (waiting on the customer) moves them on by the time it lasted; a clock stops
when its event happens. :class:`SlaCheck` holds the next warning, breach or escalation of
any running clock, so the scan is one indexed range query over what is due.

The scan raises each event as an :class:`SlaAlert` row with a unique key and notifies in the
app: the assignee at the warning; the assignee and the department's managers at the breach; then,
every ``escalation_hours`` of working time, the managers one level further up the department
tree (the tenant's admins where a level has no manager). A scan run twice, or twice at once,
inserts each alert and notification once (unique keys, ``ON CONFLICT DO NOTHING``); on
PostgreSQL concurrent scans also split the due complaints between them (``SKIP LOCKED``).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.business_time import BusinessCalendar, add_business_time, resume_due
from complaints.lifecycle import OPEN_STATES
from complaints.models import (
    Closure,
    Complaint,
    ComplaintSettings,
    SlaAlert,
    SlaCheck,
    SlaPolicy,
)
from notifications.models import Notification
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


def start_clocks(complaint: Complaint, *, settings: ComplaintSettings) -> datetime | None:
    """Set the policy and the due and warning times of all three clocks on a complaint being
    filed (not yet saved); return when the scan should first look at it (store it with
    :func:`set_next_check` once the complaint is saved)."""
    calendar = calendar_for(complaint.tenant, settings)
    complaint.sla_policy = policy_for(complaint)
    targets = targets_for(complaint.sla_policy, settings, calendar)
    for (_clock, due_field, warn_field, _stop), target in zip(
        CLOCKS, (targets.acknowledgement, targets.first_response, targets.resolution), strict=True
    ):
        due, warn = _clock_fields(complaint.received_at, target, settings.warning_percent, calendar)
        setattr(complaint, due_field, due)
        setattr(complaint, warn_field, warn)
    return first_event_at(complaint, settings=settings, calendar=calendar)


def retarget_fields(complaint: Complaint, *, settings: ComplaintSettings) -> dict:
    """After an assessment changed severity or category (set on ``complaint`` in memory): the
    policy that matches now and, if it is another one, new due times for the clocks still
    running, counted from receipt as if it had applied from the start."""
    policy = policy_for(complaint)
    if (policy and policy.pk) == complaint.sla_policy_id:
        return {}
    calendar = calendar_for(complaint.tenant, settings)
    targets = targets_for(policy, settings, calendar)
    fields = {"sla_policy": policy}
    for (clock, due_field, warn_field, stop_field), target in zip(
        CLOCKS, (targets.acknowledgement, targets.first_response, targets.resolution), strict=True
    ):
        restarted = clock == SlaAlert.Clock.RESOLUTION and complaint.sla_round
        if getattr(complaint, stop_field) is None and not restarted:
            fields[due_field], fields[warn_field] = _clock_fields(
                complaint.received_at, target, settings.warning_percent, calendar
            )
    return fields


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
    """Fields of a complaint whose clocks pause (its next check is then cleared by
    :func:`sync_next_check`, which finds no event while paused)."""
    return {"sla_paused_at": now}


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


def events_of(
    complaint: Complaint, *, escalation: timedelta, levels: int, calendar, until=None
) -> list:
    """The SLA events of the complaint's running clocks, in time order (none while paused).

    ``levels`` is the depth of the complaint's department: the breach goes to its own level,
    each escalation one level further up, the last to the top of the tree. With ``until``,
    escalations stop after the first one later than it (the scan needs no more).
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
            if until is not None and events[-1].at > until:
                break
            at = add_business_time(due, escalation * (level - 1), calendar)
            events.append(Event(clock, level, at, due, round_))
    return sorted(events, key=lambda event: event.at)


def next_check(events: list[Event], now: datetime) -> datetime | None:
    upcoming = [event.at for event in events if event.at > now]
    return min(upcoming) if upcoming else None


# --- the scan -------------------------------------------------------------------------------


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
    texts: dict[int, str]  # message per level (0 warning, 1 breach, 2 escalation)
    clocks: dict[str, str]  # clock labels in the tenant's language
    zone: ZoneInfo


def _context(tenant: Tenant) -> TenantContext:
    settings, _created = ComplaintSettings.objects.get_or_create(tenant=tenant)
    members = {
        member.pk: member
        for member in Membership.objects.for_tenant(tenant)
        .filter(role__in=[Role.ADMIN, Role.MANAGER, Role.AGENT], is_active=True)
        .select_related("user")
    }
    managers: dict[int, list[Membership]] = {}
    for member in members.values():
        if member.role == Role.MANAGER:
            managers.setdefault(member.department_id, []).append(member)
    with translation.override(tenant.default_language):
        texts = {
            0: _("%(reference)s: %(clock)s is due %(due)s."),
            1: _("%(reference)s: %(clock)s is overdue."),
            2: _("%(reference)s: %(clock)s is still overdue; escalated to you."),
        }
        clocks = {str(clock): str(clock.label) for clock in SlaAlert.Clock}
    link = reverse(
        "complaint-detail", kwargs={"tenant_slug": tenant.slug, "reference": "REFERENCE"}
    )
    return TenantContext(
        tenant=tenant,
        settings=settings,
        calendar=calendar_for(tenant, settings),
        departments={d.pk: d for d in Department.objects.for_tenant(tenant)},
        members=members,
        managers=managers,
        admins=[member for member in members.values() if member.role == Role.ADMIN],
        link=link.replace("REFERENCE", "{reference}"),
        texts=texts,
        clocks=clocks,
        zone=ZoneInfo(tenant.time_zone),
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
                _notify(complaint, event, chain, context, notifications)
            next_checks.append((next_check(events, now), complaint.pk))
        # A scan racing this one may have inserted some of these: the unique keys keep one.
        _insert_new(SlaAlert, ALERT_COLUMNS, alerts, created_at=now)
        _insert_new(Notification, NOTIFICATION_COLUMNS, notifications, created_at=now)
        _store_next_checks(next_checks)
    return len(alerts)


# (column, PostgreSQL type) of the rows the scan inserts.
ALERT_COLUMNS = (
    ("tenant_id", "bigint"),
    ("complaint_id", "bigint"),
    ("clock", "text"),
    ("level", "smallint"),
    ("round", "smallint"),
    ("due_at", "timestamptz"),
)
NOTIFICATION_COLUMNS = (
    ("tenant_id", "bigint"),
    ("recipient_id", "bigint"),
    ("text", "text"),
    ("link", "text"),
    ("dedupe_key", "text"),
)


def _insert_new(model, columns: tuple, rows: list[tuple], *, created_at: datetime) -> None:
    """Insert rows, skipping those whose unique key exists (a scan racing this one).

    Thousands of rows per tick: on PostgreSQL one ``INSERT … SELECT FROM unnest(…)``
    statement, without building a model instance per row.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        names = [name for name, _type in columns]
        model.objects.bulk_create(
            [model(created_at=created_at, **dict(zip(names, row, strict=True))) for row in rows],
            ignore_conflicts=True,
        )
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name, _type in columns)
    arrays = ", ".join(f"%s::{pg_type}[]" for _name, pg_type in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}, created_at) "
            f"SELECT *, %s FROM unnest({arrays}) ON CONFLICT DO NOTHING",
            [created_at, *(list(values) for values in zip(*rows, strict=True))],
        )


def _store_next_checks(rows: list[tuple]) -> None:
    """Store each complaint's next check. By primary key, on rows this transaction has locked:
    no tenant filter is needed. PostgreSQL takes all rows in one statement."""
    table = connection.ops.quote_name(SlaCheck._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS sla_check SET next_check_at = due.next_check "
                "FROM unnest(%s::timestamptz[], %s::bigint[]) AS due(next_check, id) "
                "WHERE sla_check.complaint_id = due.id",
                [[next_at for next_at, _pk in rows], [pk for _next, pk in rows]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET next_check_at = %s WHERE complaint_id = %s", rows
            )


def _notify(complaint, event: Event, chain, context: TenantContext, notifications) -> None:
    key = f"sla:{complaint.pk}:{event.clock}:{event.round}:{event.level}"
    link = context.link.format(reference=complaint.reference)
    text = context.texts[min(event.level, 2)] % {
        "reference": complaint.reference,
        "clock": context.clocks[event.clock],
        "due": event.due_at.astimezone(context.zone).strftime("%Y-%m-%d %H:%M"),
    }
    for member in _recipients(complaint, event.level, chain, context):
        notifications.append(
            (complaint.tenant_id, member.pk, text[:300], link, f"{key}:{member.pk}")
        )


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
    set_next_check(complaint, value)


def set_next_check(complaint: Complaint, value: datetime | None) -> None:
    SlaCheck.objects.update_or_create(
        tenant_id=complaint.tenant_id, complaint=complaint, defaults={"next_check_at": value}
    )
