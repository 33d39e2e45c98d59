"""The demo's corrective actions, taken through the corrective actions' own functions and then
dated back.

The story (``demo.complaints_story``): fixing the direct-debit run that charged premiums twice
worked (billing complaints, and billing errors, fell after it was completed); reminding the
partner tow-truck firms of the arrival target did not (road-assistance delays went on rising),
so a second partner is being contracted. The Complaints dashboard's effectiveness table sets
each completed action's complaints per month before and after. A few other actions, opened on
cases as they were resolved, are open, in progress (some past due) or cancelled; no other is
done, so the two completed ones are the ones the table shows.

Made once: a tenant that has any corrective action gets none.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from complaints.corrective_actions import (
    corrective_action_cancel,
    corrective_action_complete,
    corrective_action_open,
    corrective_action_start,
)
from complaints.models import Complaint, CorrectiveAction
from demo.complaints_story import BILLING_FIXED, PARTNERS_REMINDED
from demo.tenant import demo_actor
from tenants.models import AuditEntry, Membership, Tenant
from tenants.permissions import Action, member_can


@dataclass(frozen=True)
class ActionStory:
    category: str  # code: the action is opened on the latest such case resolved before it
    root_cause: str  # code
    description: str
    owner: str  # the demo user's email before the @ (the admin if they may not own one)
    opened_days_ago: int
    due_days_ago: int  # negative: due in the days to come
    completed_days_ago: int | None  # None: still in progress
    outcome: str = ""


STORIES = [
    ActionStory(
        "billing",
        "billing-error",
        "Fix the direct-debit run that charged some premiums twice, and refund every double "
        "charge.",
        "alexei.smirnov",
        opened_days_ago=BILLING_FIXED + 45,
        due_days_ago=BILLING_FIXED - 10,
        completed_days_ago=BILLING_FIXED,
        outcome="The payment provider's retry setting that sent some debits twice is corrected "
        "and tested; every double charge was refunded with a letter of apology.",
    ),
    ActionStory(
        "road-assistance",
        "partner-delay",
        "Remind the partner tow-truck firms of the 60-minute arrival target.",
        "giulia.rossi",
        opened_days_ago=PARTNERS_REMINDED + 30,
        due_days_ago=PARTNERS_REMINDED - 5,
        completed_days_ago=PARTNERS_REMINDED,
        outcome="Wrote to all six partner firms and went through the target with each of them "
        "at the quarterly partner meeting.",
    ),
    ActionStory(
        "road-assistance",
        "partner-delay",
        "Contract a second tow-truck partner for Attica and the north: the reminder did not "
        "shorten the waits.",
        "giulia.rossi",
        opened_days_ago=20,
        due_days_ago=-40,
        completed_days_ago=None,
    ),
]
# The other actions: how many, on cases resolved in the last ``OTHER_WITHIN_DAYS`` days.
OTHER_ACTIONS = 12
OTHER_WITHIN_DAYS = 200
CANCELLED = "Taken into the claims-handling review that covers the same ground."


def seed_demo_actions(tenant: Tenant, *, rng: random.Random, now: datetime) -> int:
    """The demo's corrective actions, once; returns how many were opened."""
    if CorrectiveAction.objects.for_tenant(tenant).exists():
        return 0
    admin = demo_actor(tenant)
    owners = {
        member.user.email.split("@")[0]: member
        for member in Membership.objects.for_tenant(tenant)
        .filter(is_active=True)
        .select_related("tenant", "user", "department")
        if member_can(member, Action.TAKE_ASSIGNMENTS)
    }
    opened = 0
    for story in STORIES:
        opened_at = now - timedelta(days=story.opened_days_ago)
        complaint = (
            _resolved(tenant, opened_at)
            .filter(category__code=story.category, root_cause__code=story.root_cause)
            .first()
        )
        if complaint is None:
            continue  # a small demo: no such case yet
        action = corrective_action_open(
            complaint=complaint,
            actor=admin,
            description=story.description,
            owner=owners.get(story.owner, admin),
            due_date=(now - timedelta(days=story.due_days_ago)).date(),
        )
        started_at = opened_at + timedelta(days=2, hours=3)
        action = corrective_action_start(action=action, actor=admin)
        completed_at = None
        if story.completed_days_ago is not None:
            action = corrective_action_complete(action=action, actor=admin, outcome=story.outcome)
            completed_at = now - timedelta(days=story.completed_days_ago)
        _date_back(action, opened_at, started_at, completed_at)
        opened += 1
    return opened + _other_actions(tenant, admin, rng, now)


def _resolved(tenant: Tenant, before: datetime):
    """The tenant's cases resolved before ``before``, the latest first."""
    return (
        Complaint.objects.for_tenant(tenant)
        .filter(resolved_at__lt=before - timedelta(hours=4))
        .select_related("tenant", "department", "root_cause")
        .order_by("-resolved_at", "-pk")
    )


def _other_actions(tenant: Tenant, admin: Membership, rng: random.Random, now: datetime) -> int:
    """Actions opened on cases as they were resolved: open, in progress or cancelled."""
    resolved = list(
        _resolved(tenant, now)
        .filter(resolved_at__gte=now - timedelta(days=OTHER_WITHIN_DAYS))
        .exclude(root_cause=None)
        .filter(corrective_actions=None)
    )
    chosen = rng.sample(resolved, min(OTHER_ACTIONS, len(resolved)))
    for complaint in chosen:
        opened_at = complaint.resolved_at + timedelta(hours=rng.uniform(1, 30))
        due = (opened_at + timedelta(days=rng.randint(14, 60))).date()
        action = corrective_action_open(
            complaint=complaint,
            actor=admin,
            description=f"Prevent repeats of: {complaint.root_cause.name.lower()}",
            owner=admin,
            due_date=due,
        )
        moved_at = min(opened_at + timedelta(days=rng.uniform(1, 20)), now)
        draw = rng.random()
        if due < now.date() and draw < 0.3:
            action = corrective_action_cancel(action=action, actor=admin, reason=CANCELLED)
        elif draw < 0.6:
            action = corrective_action_start(action=action, actor=admin)
        else:
            moved_at = None  # still open
        _date_back(action, opened_at, moved_at, None)
    return len(chosen)


def _date_back(action: CorrectiveAction, opened_at, moved_at, completed_at) -> None:
    """The action and its audit entries at the times the story gives them: opened, started or
    cancelled (``moved_at``), completed."""
    actions = CorrectiveAction.objects.for_tenant(action.tenant_id).filter(pk=action.pk)
    actions.update(created_at=opened_at)
    if completed_at is not None:
        actions.update(completed_at=completed_at)
    entries = AuditEntry.objects.for_tenant(action.tenant_id).filter(
        target_type=action._meta.label_lower, target_id=str(action.pk)
    )
    entries.filter(action="corrective_action.opened").update(created_at=opened_at)
    if moved_at is not None:
        entries.filter(
            action__in=["corrective_action.started", "corrective_action.cancelled"]
        ).update(created_at=moved_at)
    if completed_at is not None:
        entries.filter(action="corrective_action.completed").update(created_at=completed_at)
