"""Transferring a complaint: a transition of the table that keeps the state, taken through the
same guarded compare-and-set move as every other step.

Personas (tests/conftest.py): alice is Acme's admin, mario manages the north region, bob is the
north-branch agent the complaints are routed to, dave (made below) a second north-branch agent,
sara the south-branch agent, pete a performer, ana an analyst; charlie is Globex's agent.
"""

import re
from pathlib import Path

import pytest
from django_fsm import can_proceed, has_transition_perm

from complaints import workflow
from complaints.lifecycle import FINAL_STATES, State
from complaints.models import Complaint, ComplaintSettings, Transition
from tenants.errors import ApplicationError
from tenants.models import Department, Role
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]


def fresh(complaint):
    return Complaint.objects.for_tenant(complaint.tenant_id).get(pk=complaint.pk)


def department(tenant, code):
    return Department.objects.for_tenant(tenant).get(code=code)


def snapshot(complaint):
    """What a refused transfer must leave untouched."""
    row = fresh(complaint)
    return {
        "state": row.state,
        "department": row.department.code,
        "assignee": row.assignee_id,
        "version": row.version,
        "updated_at": row.updated_at,
        "transitions": Transition.objects.for_tenant(complaint.tenant_id)
        .filter(complaint_id=complaint.pk)
        .count(),
        "transfers": Transition.objects.for_tenant(complaint.tenant_id)
        .filter(complaint_id=complaint.pk, name="transfer")
        .count(),
    }


def make_dave(acme):
    """A second north-branch agent, made after the complaints so routing gave him none."""
    return make_member(acme, "dave", Role.AGENT, "north-branch")


# --- allowed ----------------------------------------------------------------------------------


def test_a_manager_transfers_within_their_region_keeping_the_state(
    complaint_in, acme, acme_manager
):
    complaint = complaint_in(State.INVESTIGATING)
    dave = make_dave(acme)
    version = complaint.version

    complaint = workflow.complaint_transfer(
        complaint=complaint,
        actor=acme_manager,
        department=department(acme, "north-branch"),
        assignee=dave,
        note="Bob is on leave.",
        expected_version=version,
    )

    row = fresh(complaint)
    assert (row.state, row.department.code, row.assignee_id, row.version) == (
        State.INVESTIGATING,
        "north-branch",
        dave.pk,
        version + 1,
    )
    assert row.assigned_at is not None
    transfer = Transition.objects.for_tenant(acme).get(complaint=complaint, name="transfer")
    assert (
        transfer.source,
        transfer.target,
        transfer.actor_id,
        transfer.actor_label,
        transfer.note,
        transfer.data,
    ) == (
        "investigating",
        "investigating",
        acme_manager.pk,
        "",
        "Bob is on leave.",
        {"department": "north-branch", "assignee": dave.pk},
    )


def test_the_assignee_hands_it_unassigned_to_another_department(complaint_in, acme, acme_agent):
    complaint = complaint_in(State.ASSIGNED)

    complaint = workflow.complaint_transfer(
        complaint=complaint, actor=acme_agent, department=department(acme, "south-branch")
    )

    row = fresh(complaint)
    assert (row.state, row.department.code, row.assignee_id, row.assigned_at) == (
        State.ASSIGNED,
        "south-branch",
        None,
        None,
    )


# The transfer is in the transition table: open states only, its handler or a supervisor who
# sees it. Written out by hand.
MAY_TRANSFER = {
    "admin": True,
    "manager": True,
    "assignee": True,
    "other_agent": False,
    "south_agent": False,
    "performer": False,
    "analyst": False,
    "customer": False,
}


def test_who_may_transfer_from_which_state(
    complaint_in,
    acme,
    acme_admin,
    acme_manager,
    acme_agent,
    acme_south_agent,
    acme_performer,
    acme_analyst,
):
    complaints = {state: complaint_in(state) for state in State}
    assert {c.assignee_id for c in complaints.values()} == {acme_agent.pk}
    members = {
        "admin": acme_admin,
        "manager": acme_manager,
        "assignee": acme_agent,
        "other_agent": make_dave(acme),
        "south_agent": acme_south_agent,
        "performer": acme_performer,
        "analyst": acme_analyst,
        "customer": None,
    }

    offered = {
        (state.value, role): can_proceed(complaint.transfer)
        and has_transition_perm(complaint.transfer, members[role])
        for state, complaint in complaints.items()
        for role in members
    }

    assert offered == {
        (state.value, role): state not in FINAL_STATES and MAY_TRANSFER[role]
        for state in State
        for role in members
    }


# --- refused: nothing changes -----------------------------------------------------------------


def test_an_agent_cannot_transfer_to_another_agent(complaint_in, acme, acme_agent):
    complaint = complaint_in(State.INVESTIGATING)
    dave = make_dave(acme)
    assert complaint.assignee_id == acme_agent.pk
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint),
            actor=acme_agent,
            department=department(acme, "north-branch"),
            assignee=dave,
        )

    assert (refused.value.status, refused.value.code) == (403, "not_allowed")
    assert refused.value.message == "Agents can take a complaint, not give it to others."
    assert snapshot(complaint) == before


def test_an_agent_who_does_not_handle_it_cannot_transfer_it(complaint_in, acme):
    complaint = complaint_in(State.INVESTIGATING)
    dave = make_dave(acme)
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint), actor=dave, department=department(acme, "south-branch")
        )

    assert refused.value.message == "Only its handler or a manager can transfer a complaint."
    assert snapshot(complaint) == before


@pytest.mark.parametrize("persona", ["acme_performer", "acme_analyst"])
def test_a_performer_or_an_analyst_cannot_transfer(request, complaint_in, acme, persona):
    complaint = complaint_in(State.INVESTIGATING)
    actor = request.getfixturevalue(persona)
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint), actor=actor, department=department(acme, "north")
        )

    assert (refused.value.status, refused.value.code) == (403, "not_allowed")
    assert snapshot(complaint) == before


@pytest.mark.parametrize("state", FINAL_STATES)
def test_a_finished_complaint_cannot_be_transferred(complaint_in, acme, acme_admin, state):
    complaint = complaint_in(state)
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAvailable) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint), actor=acme_admin, department=department(acme, "south")
        )

    assert (refused.value.status, refused.value.code) == (409, "wrong_state")
    assert refused.value.message == "A finished complaint cannot be transferred."
    assert snapshot(complaint) == before


def test_a_transfer_from_a_page_of_an_older_version_is_refused(complaint_in, acme, acme_admin):
    complaint = complaint_in(State.INVESTIGATING)
    shown_version = complaint.version
    workflow.complaint_request_information(
        complaint=fresh(complaint), actor=acme_admin, question="Which garage?"
    )
    before = snapshot(complaint)

    with pytest.raises(workflow.StaleComplaint) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint),
            actor=acme_admin,
            department=department(acme, "south-branch"),
            expected_version=shown_version,
        )

    assert (refused.value.status, refused.value.code) == (409, "stale")
    assert snapshot(complaint) == before


def test_a_transfer_that_loses_the_race_to_a_step_is_refused(complaint_in, acme, acme_admin):
    # given a page loaded at "investigating", and the complaint paused meanwhile at that version
    complaint = complaint_in(State.INVESTIGATING)
    page = fresh(complaint)
    workflow.complaint_request_information(
        complaint=fresh(complaint), actor=acme_admin, question="Which garage?"
    )
    before = snapshot(complaint)

    # when the transfer is posted from the old page (its in-memory complaint is stale too)
    with pytest.raises(workflow.StaleComplaint):
        workflow.complaint_transfer(
            complaint=page, actor=acme_admin, department=department(acme, "south-branch")
        )

    # then the pause stands, and the stale copy shows the row as it is
    assert snapshot(complaint) == before
    assert (page.state, page.version) == (State.WAITING_ON_CUSTOMER, before["version"])


def test_without_sideways_transfers_a_manager_cannot_transfer_outside_their_line(
    complaint_in, acme, acme_manager
):
    ComplaintSettings.objects.create(tenant=acme, transfer_sideways=False)
    complaint = complaint_in(State.INVESTIGATING)
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint),
            actor=acme_manager,
            department=department(acme, "south-branch"),
        )

    assert refused.value.message == (
        "You can hand a complaint to your department, one above it or one below it."
    )
    assert refused.value.fields == {"department": [refused.value.message]}
    assert snapshot(complaint) == before


def test_with_sideways_transfers_a_manager_hands_it_unassigned_to_another_region(
    complaint_in, acme, acme_manager
):
    complaint = complaint_in(State.INVESTIGATING)

    moved = workflow.complaint_transfer(
        complaint=fresh(complaint),
        actor=acme_manager,
        department=department(acme, "south-branch"),
    )

    row = fresh(moved)
    assert (row.state, row.department.code, row.assignee_id) == (
        State.INVESTIGATING,
        "south-branch",
        None,
    )


@pytest.mark.parametrize("persona", ["acme_admin", "acme_agent"])
def test_another_tenants_department_is_refused(request, complaint_in, globex, persona):
    complaint = complaint_in(State.INVESTIGATING)
    actor = request.getfixturevalue(persona)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint), actor=actor, department=department(globex, "hq")
        )

    assert (refused.value.status, refused.value.message) == (
        400,
        "Choose a department of this organisation.",
    )
    assert snapshot(complaint) == before


def test_a_handler_of_another_department_is_refused(
    complaint_in, acme, acme_admin, acme_south_agent
):
    complaint = complaint_in(State.INVESTIGATING)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_transfer(
            complaint=fresh(complaint),
            actor=acme_admin,
            department=department(acme, "north-branch"),
            assignee=acme_south_agent,
        )

    assert refused.value.fields == {"assignee": ["Not a handler of that department."]}
    assert snapshot(complaint) == before


# --- one writer ---------------------------------------------------------------------------------


def test_one_function_writes_a_complaints_state_and_version():
    """Every step, the transfer included, goes through complaints/workflow/moves.py's move."""
    writes = []
    for path in sorted((ROOT / "complaints").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text()
        writes += [path.relative_to(ROOT).as_posix()] * len(
            re.findall(r'version=F\("version"\)', text)
        )

    assert writes == ["complaints/workflow/moves.py"]
