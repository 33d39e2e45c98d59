"""SLA clocks of complaints: which policy applies and when each clock is due.

Three clocks run from receipt: acknowledgement, first response and resolution. Their due
times (and the moment the warning is due, at the tenant's share of the time) are computed in
working time of the tenant's business calendar (``tenants.calendar``) and stored on the
complaint when the clock starts; a pause (waiting on the customer) moves them on by the time it
lasted; a clock stops when its event happens. :class:`SlaCheck` holds the next warning, breach
or escalation of any running clock, so the scan (``complaints.sla_scan``) is one indexed range
query over what is due.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.lifecycle import OPEN_STATES
from complaints.models import (
    Complaint,
    ComplaintSettings,
    SlaAlert,
    SlaCheck,
    SlaPolicy,
)
from complaints.selectors import complaint_settings
from tenants.business_time import BusinessCalendar, add_business_time, resume_due
from tenants.calendar import calendar_for, working_day
from tenants.trees import tree_depth

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


# --- the targets ----------------------------------------------------------------------------


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
            # a category weighs 2 at the root and 1 more each level down
            + (tree_depth(policy.category.path) + 2 if policy.category_id else 0)
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
        resolution=settings.resolution_days * working_day(calendar),
    )


# --- clock fields -------------------------------------------------------------------------


def warning_percent_of(policy: SlaPolicy | None, settings: ComplaintSettings) -> int:
    """The share of a clock's time at which it warns: the policy's own, else the tenant's."""
    if policy is not None and policy.warning_percent:
        return policy.warning_percent
    return settings.warning_percent


def _clock_fields(start, target: timedelta, warning_percent: int, calendar) -> tuple:
    due = add_business_time(start, target, calendar)
    warn = add_business_time(start, target * warning_percent / 100, calendar)
    return due, warn


def start_clocks(complaint: Complaint, *, settings: ComplaintSettings) -> datetime | None:
    """Set the policy and the due and warning times of all three clocks on a complaint being
    filed (not yet saved); return when the scan should first look at it (store it with
    :func:`set_next_check` once the complaint is saved)."""
    calendar = calendar_for(complaint.tenant)
    complaint.sla_policy = policy_for(complaint)
    targets = targets_for(complaint.sla_policy, settings, calendar)
    warning_percent = warning_percent_of(complaint.sla_policy, settings)
    for (_clock, due_field, warn_field, _stop), target in zip(
        CLOCKS, (targets.acknowledgement, targets.first_response, targets.resolution), strict=True
    ):
        due, warn = _clock_fields(complaint.received_at, target, warning_percent, calendar)
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
    calendar = calendar_for(complaint.tenant)
    targets = targets_for(policy, settings, calendar)
    fields = {"sla_policy": policy}
    for (clock, due_field, warn_field, stop_field), target in zip(
        CLOCKS, (targets.acknowledgement, targets.first_response, targets.resolution), strict=True
    ):
        restarted = clock == SlaAlert.Clock.RESOLUTION and complaint.sla_round
        if getattr(complaint, stop_field) is None and not restarted:
            fields[due_field], fields[warn_field] = _clock_fields(
                complaint.received_at, target, warning_percent_of(policy, settings), calendar
            )
    return fields


def restart_resolution_fields(complaint: Complaint, *, settings, now: datetime) -> dict:
    """A reopened complaint gets a new resolution clock from now."""
    calendar = calendar_for(complaint.tenant)
    targets = targets_for(complaint.sla_policy, settings, calendar)
    warning_percent = warning_percent_of(complaint.sla_policy, settings)
    due, warn = _clock_fields(now, targets.resolution, warning_percent, calendar)
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
    calendar = calendar_for(complaint.tenant)
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
    depth = department.depth + 1 if department else 1  # levels of managers above
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
    settings = complaint_settings(complaint.tenant_id)
    calendar = calendar_for(complaint.tenant)
    value = first_event_at(complaint, settings=settings, calendar=calendar)
    set_next_check(complaint, value)


def set_next_check(complaint: Complaint, value: datetime | None) -> None:
    SlaCheck.objects.update_or_create(
        tenant_id=complaint.tenant_id, complaint=complaint, defaults={"next_check_at": value}
    )
