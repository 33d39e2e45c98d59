"""Corrective actions: a state machine with one function per transition, who may take which,
and what a refused one leaves behind.

Personas (tests/conftest.py): bob (north-branch agent) owns the actions; dave, a second
north-branch agent made below, does not; mario manages the north region; alice is the admin;
ana an analyst; pete a performer; charlie is Globex's agent.
"""

from datetime import date

import pytest
from django.urls import reverse

from complaints.corrective_actions import (
    ActionNotAvailable,
    corrective_action_cancel,
    corrective_action_complete,
    corrective_action_open,
    corrective_action_reopen,
    corrective_action_start,
)
from complaints.lifecycle import State
from complaints.models import CorrectiveAction
from tenants.errors import ApplicationError, Conflict, NotAllowed
from tenants.models import AuditEntry, Role
from tests.factories import make_member

OUTCOME = "New 10-day target in the claims manual."

# One valid call per transition.
MOVES = {
    "start": lambda action, actor: corrective_action_start(action=action, actor=actor),
    "complete": lambda action, actor: corrective_action_complete(
        action=action, actor=actor, outcome=OUTCOME
    ),
    "cancel": lambda action, actor: corrective_action_cancel(
        action=action, actor=actor, reason="Replaced by the new claims system."
    ),
    "reopen": lambda action, actor: corrective_action_reopen(action=action, actor=actor),
}
TARGETS = {"start": "in_progress", "complete": "done", "cancel": "cancelled", "reopen": "open"}
EVENTS = {"start": "started", "complete": "completed", "cancel": "cancelled", "reopen": "reopened"}

# How the owner brings a new action to each status.
BRING_TO = {"open": [], "in_progress": ["start"], "done": ["complete"], "cancelled": ["cancel"]}

ROLES = ("owner", "other_agent", "manager", "admin", "analyst", "performer")
# Its owner, and those who supervise its complaint.
MAY_MOVE = {"owner", "manager", "admin"}

# Written out by hand on purpose: a change to CorrectiveAction's transitions must change this.
EXPECTED = {
    "open": {"start": MAY_MOVE, "complete": MAY_MOVE, "cancel": MAY_MOVE, "reopen": set()},
    "in_progress": {
        "start": set(),
        "complete": MAY_MOVE,
        "cancel": MAY_MOVE,
        "reopen": set(),
    },
    "done": {"start": set(), "complete": set(), "cancel": set(), "reopen": set()},
    "cancelled": {"start": set(), "complete": set(), "cancel": set(), "reopen": MAY_MOVE},
}


def fresh(action):
    return CorrectiveAction.objects.for_tenant(action.tenant_id).get(pk=action.pk)


def audit(action):
    return list(
        AuditEntry.objects.for_tenant(action.tenant_id)
        .filter(target_type="complaints.correctiveaction", target_id=str(action.pk))
        .order_by("created_at", "id")
        .values_list("action", "changes", "note")
    )


def snapshot(action):
    """What a refused move must leave untouched."""
    row = fresh(action)
    return (row.status, row.outcome, row.completed_at, audit(action))


def open_action(complaint, actor, owner, description="Pay windscreen claims in 10 days"):
    return corrective_action_open(
        complaint=complaint,
        actor=actor,
        description=description,
        owner=owner,
        due_date=date(2026, 12, 31),
    )


@pytest.fixture
def resolved(complaint_in):
    """Bob's complaint, resolved: corrective actions may follow."""
    return complaint_in(State.RESOLVED)


def test_every_move_from_every_status_for_every_role(
    resolved, acme, acme_admin, acme_manager, acme_agent, acme_analyst, acme_performer
):
    members = {
        "owner": acme_agent,
        "other_agent": make_member(acme, "dave", Role.AGENT, "north-branch"),
        "manager": acme_manager,
        "admin": acme_admin,
        "analyst": acme_analyst,
        "performer": acme_performer,
    }
    assert set(EXPECTED) == set(CorrectiveAction.Status.values)

    mismatches = []
    for status, row in EXPECTED.items():
        for move, allowed in row.items():
            for role in ROLES:
                # given a fresh action of bob's, brought to ``status`` by him
                action = open_action(resolved, acme_admin, owner=acme_agent)
                for step in BRING_TO[status]:
                    action = MOVES[step](action, acme_agent)
                before = snapshot(action)

                # when ``role`` tries ``move``
                try:
                    MOVES[move](fresh(action), members[role])
                except (NotAllowed, ActionNotAvailable) as refused:
                    outcome = ("refused", refused.status)
                else:
                    outcome = ("moved", None)

                # then it moved and was audited, or nothing changed at all
                expected = role in allowed
                if expected:
                    moved = outcome == ("moved", None) and fresh(action).status == TARGETS[move]
                    last = audit(action)[-1][:2]
                    moved = moved and last == (
                        f"corrective_action.{EVENTS[move]}",
                        {"status": [status, TARGETS[move]]},
                    )
                    if not moved:
                        mismatches.append((status, move, role, "should move", outcome))
                else:
                    # a move that starts elsewhere is a 409 whoever tries; else the role is a 403
                    status_code = 403 if EXPECTED[status][move] else 409
                    if outcome != ("refused", status_code) or snapshot(action) != before:
                        mismatches.append((status, move, role, "should be refused", outcome))

    assert mismatches == []


def test_done_without_an_outcome_is_refused_and_nothing_changes(resolved, acme_admin, acme_agent):
    action = open_action(resolved, acme_admin, owner=acme_agent)
    before = snapshot(action)

    for outcome in ("", "   "):
        with pytest.raises(ApplicationError) as refused:
            corrective_action_complete(action=fresh(action), actor=acme_agent, outcome=outcome)
        assert refused.value.fields == {"outcome": ["Say what was done."]}

    assert snapshot(action) == before
    assert before[:3] == ("open", "", None)


def test_completing_records_the_outcome_and_when(resolved, acme_admin, acme_agent):
    action = open_action(resolved, acme_admin, owner=acme_agent)

    action = corrective_action_complete(action=action, actor=acme_agent, outcome=f"  {OUTCOME}  ")

    row = fresh(action)
    assert (row.status, row.outcome) == ("done", OUTCOME)
    assert row.completed_at is not None
    assert audit(action)[-1] == (
        "corrective_action.completed",
        {"status": ["open", "done"]},
        OUTCOME,
    )


def test_the_status_is_moved_by_the_transitions_only(resolved, acme_admin, acme_agent):
    action = open_action(resolved, acme_admin, owner=acme_agent)

    with pytest.raises(AttributeError):
        action.status = CorrectiveAction.Status.DONE

    assert fresh(action).status == "open"


def test_a_move_that_loses_the_race_is_refused(resolved, acme_admin, acme_manager, acme_agent):
    # given two pages that loaded the same open action
    action = open_action(resolved, acme_admin, owner=acme_agent)
    first_page, second_page = fresh(action), fresh(action)

    # when bob completes it on one and mario cancels it on the other
    corrective_action_complete(action=first_page, actor=acme_agent, outcome=OUTCOME)
    before = snapshot(action)
    with pytest.raises(Conflict) as refused:
        corrective_action_cancel(action=second_page, actor=acme_manager)

    # then the completion stands, and the losing page's copy shows it
    assert refused.value.status == 409
    assert snapshot(action) == before
    assert second_page.status == "done"


@pytest.mark.parametrize("persona", ["acme_analyst", "acme_performer"])
def test_who_may_not_handle_complaints_opens_no_action(request, resolved, acme_agent, persona):
    with pytest.raises(NotAllowed):
        open_action(resolved, request.getfixturevalue(persona), owner=acme_agent)

    assert not CorrectiveAction.objects.for_tenant(resolved.tenant_id).exists()


def test_an_action_cannot_be_given_to_a_performer(resolved, acme_admin, acme_performer):
    with pytest.raises(ApplicationError) as refused:
        open_action(resolved, acme_admin, owner=acme_performer)

    assert refused.value.fields == {"owner": ["Choose an active member of this organisation."]}
    assert not CorrectiveAction.objects.for_tenant(resolved.tenant_id).exists()


# --- the list page's form ---------------------------------------------------------------------


def update_url(action, tenant_slug="acme"):
    return reverse(
        "corrective-action-update", kwargs={"tenant_slug": tenant_slug, "action_id": action.pk}
    )


def test_the_list_page_takes_the_transition_to_the_status_it_names(
    client_of, resolved, acme_admin, acme_agent
):
    first = open_action(resolved, acme_admin, owner=acme_agent)
    second = open_action(resolved, acme_admin, owner=acme_agent, description="Train the desk")
    client = client_of(acme_agent)

    client.post(update_url(first), {"status": "in_progress"})
    client.post(update_url(first), {"status": "done", "outcome": OUTCOME})
    client.post(update_url(second), {"status": "cancelled", "outcome": "Not needed."})
    client.post(update_url(second), {"status": "open"})

    assert [entry[:2] for entry in audit(first)] == [
        (
            "corrective_action.opened",
            {"complaint": [None, resolved.reference], "owner": [None, acme_agent.pk]},
        ),
        ("corrective_action.started", {"status": ["open", "in_progress"]}),
        ("corrective_action.completed", {"status": ["in_progress", "done"]}),
    ]
    assert [entry[0] for entry in audit(second)] == [
        "corrective_action.opened",
        "corrective_action.cancelled",
        "corrective_action.reopened",
    ]
    assert (fresh(first).status, fresh(first).outcome) == ("done", OUTCOME)
    assert (fresh(second).status, fresh(second).outcome) == ("open", "Not needed.")


def test_the_list_page_says_so_when_a_move_is_refused_and_changes_nothing(
    client_of, resolved, acme_admin, acme_agent
):
    action = open_action(resolved, acme_admin, owner=acme_agent)
    corrective_action_complete(action=action, actor=acme_agent, outcome=OUTCOME)
    before = snapshot(action)
    client = client_of(acme_agent)

    reopened = client.post(update_url(action), {"status": "open"}, follow=True)
    unchanged = client.post(update_url(action), {"status": "done"}, follow=True)

    assert "A done action cannot become open." in reopened.content.decode()
    assert "Nothing changed: the action is already done." in unchanged.content.decode()
    assert snapshot(action) == before


def test_another_tenants_action_is_a_404_and_stays_as_it_was(
    client_of, resolved, acme_admin, acme_agent, globex_agent
):
    action = open_action(resolved, acme_admin, owner=acme_agent)
    before = snapshot(action)
    client = client_of(globex_agent)

    for tenant_slug in ("globex", "acme"):
        response = client.post(
            update_url(action, tenant_slug), {"status": "done", "outcome": OUTCOME}
        )
        assert response.status_code == 404

    assert snapshot(action) == before
