"""The complaint workflow: who may take which step from where, and what every step leaves behind.

Personas (tests/conftest.py): alice is Acme's admin, mario manages the north region, bob is the
north-branch agent every complaint here is routed to, dave (made below) is a second north-branch
agent who is not the assignee, sara is an agent of the south branch, pete a performer, ana an
analyst, and ``None`` is the complainant on the public status page.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints import access, events, notify, workflow
from complaints.lifecycle import State
from complaints.models import Complaint, RootCause, Severity, Transition
from notifications.models import Delivery
from surveys.models import Interaction
from tenants import events as bus
from tenants.errors import ApplicationError
from tenants.models import Department, Role
from tests.complaint_fixtures import file_complaint
from tests.factories import make_member

# --- helpers --------------------------------------------------------------------------------


def fresh(complaint):
    return Complaint.objects.for_tenant(complaint.tenant_id).get(pk=complaint.pk)


def snapshot(complaint):
    """What a refused step must leave untouched."""
    row = fresh(complaint)
    return {
        "state": row.state,
        "version": row.version,
        "transitions": Transition.objects.for_tenant(complaint.tenant_id)
        .filter(complaint_id=complaint.pk)
        .count(),
        "deliveries": Delivery.objects.for_tenant(complaint.tenant_id).count(),
    }


def history(complaint):
    """The complaint's Transition rows as plain tuples, oldest first."""
    return [
        (row.name, row.source, row.target, row.actor_id, row.actor_label, row.note, row.data)
        for row in Transition.objects.for_tenant(complaint.tenant_id)
        .filter(complaint_id=complaint.pk)
        .order_by("created_at", "id")
    ]


def take(function, **kwargs):
    """Call a workflow function; return the complaint and the Transition rows it wrote.

    Every successful step bumps ``version`` by exactly one, in memory and in the database.
    """
    complaint = kwargs["complaint"]
    version = fresh(complaint).version
    before = history(complaint)
    complaint = function(**kwargs)
    assert complaint.version == version + 1
    assert fresh(complaint).version == version + 1
    rows = history(complaint)
    assert rows[: len(before)] == before
    return complaint, rows[len(before) :]


def north_branch(complaint):
    return Department.objects.for_tenant(complaint.tenant_id).get(code="north-branch")


def root_cause(complaint, code="slow-handling"):
    return RootCause.objects.for_tenant(complaint.tenant_id).get(code=code)


# One valid call per transition; ``other`` is a second open complaint (the merge target).
CALLS = {
    "acknowledge": lambda c, actor, other: workflow.complaint_acknowledge(complaint=c, actor=actor),
    "assess": lambda c, actor, other: workflow.complaint_assess(
        complaint=c,
        actor=actor,
        severity=Severity.HIGH,
        impact="medium",
        complexity="low",
        is_in_scope=True,
    ),
    "assign": lambda c, actor, other: workflow.complaint_assign(
        complaint=c, actor=actor, department=north_branch(c)
    ),
    "start_investigation": lambda c, actor, other: workflow.complaint_start_investigation(
        complaint=c, actor=actor
    ),
    "request_information": lambda c, actor, other: workflow.complaint_request_information(
        complaint=c, actor=actor, question="Please send the repair invoice."
    ),
    "receive_information": lambda c, actor, other: workflow.complaint_receive_information(
        complaint=c, actor=actor, body="Invoice attached."
    ),
    "resolve": lambda c, actor, other: workflow.complaint_resolve(
        complaint=c, actor=actor, root_cause=root_cause(c), resolution="We paid the claim."
    ),
    "send_response": lambda c, actor, other: workflow.complaint_send_response(
        complaint=c, actor=actor
    ),
    "accept_decision": lambda c, actor, other: workflow.complaint_accept_decision(
        complaint=c, actor=actor
    ),
    "request_review": lambda c, actor, other: workflow.complaint_request_review(
        complaint=c, actor=actor, reason="The excess was wrong."
    ),
    "complete_review": lambda c, actor, other: workflow.complaint_complete_review(
        complaint=c, actor=actor, resolution="We refund the excess too."
    ),
    "close": lambda c, actor, other: workflow.complaint_close(complaint=c, actor=actor),
    "reopen": lambda c, actor, other: workflow.complaint_reopen(
        complaint=c, actor=actor, reason="New evidence."
    ),
    "reject": lambda c, actor, other: workflow.complaint_reject(
        complaint=c, actor=actor, reason="Not our product."
    ),
    "withdraw": lambda c, actor, other: workflow.complaint_withdraw(complaint=c, actor=actor),
    "merge": lambda c, actor, other: workflow.complaint_merge(complaint=c, actor=actor, into=other),
}


# --- 1. the transition table, by role ---------------------------------------------------------

ROLES = (
    "admin",
    "manager",
    "assignee",
    "other_agent",
    "south_agent",
    "performer",
    "analyst",
    "customer",
)

# Written out by hand on purpose: a change to complaints/lifecycle.py must change this table too.
EXPECTED = {
    State.RECEIVED: {
        "admin": {"acknowledge", "reject", "withdraw", "merge"},
        "manager": {"acknowledge", "reject", "withdraw", "merge"},
        "assignee": {"acknowledge", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.ACKNOWLEDGED: {
        "admin": {"assess", "request_information", "reject", "withdraw", "merge"},
        "manager": {"assess", "request_information", "reject", "withdraw", "merge"},
        "assignee": {"assess", "request_information", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.ASSESSED: {
        "admin": {"assign", "request_information", "reject", "withdraw", "merge"},
        "manager": {"assign", "request_information", "reject", "withdraw", "merge"},
        "assignee": {"assign", "request_information", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.ASSIGNED: {
        "admin": {"start_investigation", "request_information", "withdraw", "merge"},
        "manager": {"start_investigation", "request_information", "withdraw", "merge"},
        "assignee": {"start_investigation", "request_information", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.INVESTIGATING: {
        "admin": {"request_information", "resolve", "withdraw", "merge"},
        "manager": {"request_information", "resolve", "withdraw", "merge"},
        "assignee": {"request_information", "resolve", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.WAITING_ON_CUSTOMER: {
        "admin": {"receive_information", "withdraw", "merge"},
        "manager": {"receive_information", "withdraw", "merge"},
        "assignee": {"receive_information", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"receive_information", "withdraw"},
    },
    State.RESOLVED: {
        "admin": {"send_response", "withdraw", "merge"},
        "manager": {"send_response", "withdraw", "merge"},
        "assignee": {"send_response", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.RESPONSE_SENT: {
        "admin": {"accept_decision", "request_review", "close", "withdraw", "merge"},
        "manager": {"accept_decision", "request_review", "close", "withdraw", "merge"},
        "assignee": {"accept_decision", "request_review", "close", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"accept_decision", "request_review", "withdraw"},
    },
    State.UNDER_REVIEW: {
        "admin": {"complete_review", "withdraw", "merge"},
        "manager": {"complete_review", "withdraw", "merge"},
        "assignee": {"withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.CLOSED: {
        "admin": {"reopen"},
        "manager": {"reopen"},
        "assignee": {"reopen"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": set(),
    },
    State.REOPENED: {
        "admin": {"start_investigation", "withdraw", "merge"},
        "manager": {"start_investigation", "withdraw", "merge"},
        "assignee": {"start_investigation", "withdraw", "merge"},
        "other_agent": set(),  # bob's case: a colleague may not act on it
        "south_agent": set(),  # another branch: sees none of these
        "performer": set(),
        "analyst": set(),
        "customer": {"withdraw"},
    },
    State.REJECTED: {role: set() for role in ROLES},
    State.WITHDRAWN: {role: set() for role in ROLES},
    State.MERGED: {role: set() for role in ROLES},
}


def test_every_transition_from_every_state_for_every_role(
    complaint_in,
    acme,
    acme_admin,
    acme_manager,
    acme_agent,
    acme_south_agent,
    acme_performer,
    acme_analyst,
):
    # given one complaint in each state, all routed to and handled by bob
    complaints = {state: complaint_in(state) for state in State}
    # dave joins the north branch afterwards, so routing never gave him any of them
    dave = make_member(acme, "dave", Role.AGENT, "north-branch")
    members = {
        "admin": acme_admin,
        "manager": acme_manager,
        "assignee": acme_agent,
        "other_agent": dave,
        "south_agent": acme_south_agent,
        "performer": acme_performer,
        "analyst": acme_analyst,
        "customer": None,
    }
    assert set(EXPECTED) == set(State)
    assert {name for row in EXPECTED.values() for names in row.values() for name in names} == set(
        workflow.TRANSITION_NAMES
    )
    assert {state: c.state for state, c in complaints.items()} == {state: state for state in State}
    assert {c.assignee_id for c in complaints.values()} == {acme_agent.pk}

    # when we ask, for every state and role, which steps are offered
    mismatches = []
    for state, complaint in complaints.items():
        for role in ROLES:
            available = workflow.available_transitions(complaint, members[role])
            for name in workflow.TRANSITION_NAMES:
                expected = name in EXPECTED[state][role]
                if (name in available) != expected:
                    mismatches.append((state.value, role, name, expected))

    # then exactly the table's steps are offered, and no others
    assert mismatches == []


def test_every_step_the_table_does_not_offer_is_refused_and_changes_nothing(
    complaint_in,
    acme,
    acme_admin,
    acme_manager,
    acme_agent,
    acme_south_agent,
    acme_performer,
    acme_analyst,
):
    # given one complaint in each state, all routed to and handled by bob, and a merge target
    complaints = {state: complaint_in(state) for state in State}
    other = complaint_in(State.RECEIVED)
    dave = make_member(acme, "dave", Role.AGENT, "north-branch")
    members = {
        "admin": acme_admin,
        "manager": acme_manager,
        "assignee": acme_agent,
        "other_agent": dave,
        "south_agent": acme_south_agent,
        "performer": acme_performer,
        "analyst": acme_analyst,
        "customer": None,
    }
    before = {state: snapshot(complaint) for state, complaint in complaints.items()}

    # when every role tries every step the table does not give it, in every state
    taken, wrongly_refused = [], []
    for state, complaint in complaints.items():
        for role in ROLES:
            for name in set(workflow.TRANSITION_NAMES) - EXPECTED[state][role]:
                try:
                    CALLS[name](fresh(complaint), members[role], other)
                except (workflow.TransitionNotAllowed, workflow.TransitionNotAvailable):
                    continue
                except Exception as error:  # refused, but not as a step that is not allowed
                    wrongly_refused.append((state.value, role, name, type(error).__name__))
                else:
                    taken.append((state.value, role, name))

    # then each is refused as not allowed or not available, and no complaint changed
    assert taken == []
    assert wrongly_refused == []
    assert {state: snapshot(complaint) for state, complaint in complaints.items()} == before


def test_a_member_of_another_tenant_is_offered_no_step(complaint_in, globex_agent):
    # given an Acme complaint that waits to be acknowledged
    complaint = complaint_in(State.RECEIVED)
    before = snapshot(complaint)

    # when a Globex agent looks at it, and tries to acknowledge it
    available = workflow.available_transitions(complaint, globex_agent)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_acknowledge(complaint=complaint, actor=globex_agent)

    # then nothing is offered and nothing changed
    assert available == []
    assert snapshot(complaint) == before


# --- 2. refused steps change nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "persona"),
    [
        ("acknowledge", State.RECEIVED, "acme_performer"),
        ("acknowledge", State.RECEIVED, None),
        ("assess", State.ACKNOWLEDGED, "acme_analyst"),
        ("assign", State.ASSESSED, "acme_performer"),
        ("start_investigation", State.ASSIGNED, "acme_south_agent"),
        ("request_information", State.INVESTIGATING, "acme_analyst"),
        ("resolve", State.INVESTIGATING, "acme_south_agent"),
        ("send_response", State.RESOLVED, "acme_south_agent"),
        ("close", State.RESPONSE_SENT, "acme_performer"),
        ("complete_review", State.UNDER_REVIEW, "acme_agent"),
        ("reopen", State.CLOSED, None),
        ("reject", State.RECEIVED, "acme_agent"),
        ("withdraw", State.INVESTIGATING, "acme_performer"),
        ("merge", State.ACKNOWLEDGED, "acme_analyst"),
    ],
)
def test_a_role_that_may_not_take_a_step_is_refused_and_nothing_changes(
    request, complaint_in, name, state, persona
):
    # given a complaint in a state the step starts from, and a member whose role does not allow it
    complaint = complaint_in(state)
    other = complaint_in(State.RECEIVED)
    actor = request.getfixturevalue(persona) if persona else None
    before = snapshot(complaint)

    # when they try
    with pytest.raises(workflow.TransitionNotAllowed) as refused:
        CALLS[name](complaint, actor, other)

    # then it is a 403 and nothing changed
    assert (refused.value.status, refused.value.code) == (403, "not_allowed")
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("name", "state", "persona"),
    [
        ("acknowledge", State.ACKNOWLEDGED, "acme_admin"),
        ("assess", State.RECEIVED, "acme_admin"),
        ("assign", State.ACKNOWLEDGED, "acme_admin"),
        ("start_investigation", State.INVESTIGATING, "acme_admin"),
        ("request_information", State.RESOLVED, "acme_admin"),
        ("receive_information", State.INVESTIGATING, None),
        ("resolve", State.ASSIGNED, "acme_admin"),
        ("send_response", State.INVESTIGATING, "acme_admin"),
        ("accept_decision", State.RESOLVED, None),
        ("request_review", State.UNDER_REVIEW, None),
        ("complete_review", State.RESPONSE_SENT, "acme_manager"),
        ("close", State.UNDER_REVIEW, "acme_admin"),
        ("reopen", State.REJECTED, "acme_admin"),
        ("reject", State.ASSIGNED, "acme_admin"),
        ("withdraw", State.CLOSED, None),
        ("merge", State.WITHDRAWN, "acme_admin"),
        # the wrong state is reported before the wrong role
        ("resolve", State.CLOSED, "acme_performer"),
    ],
)
def test_a_step_from_the_wrong_state_is_refused_and_nothing_changes(
    request, complaint_in, name, state, persona
):
    # given a complaint in a state the step does not start from
    complaint = complaint_in(state)
    other = complaint_in(State.RECEIVED)
    actor = request.getfixturevalue(persona) if persona else None
    before = snapshot(complaint)

    # when someone tries it
    with pytest.raises(workflow.TransitionNotAvailable) as refused:
        CALLS[name](complaint, actor, other)

    # then it is a 409 and nothing changed
    assert (refused.value.status, refused.value.code) == (409, "wrong_state")
    assert snapshot(complaint) == before


# --- 3. every step writes one Transition row and bumps the version ------------------------------


def test_the_happy_path_writes_one_transition_row_per_step(
    complaint_in, acme_admin, acme_manager, acme_agent
):
    complaint = complaint_in(State.RECEIVED)
    bob = acme_agent.pk

    complaint, rows = take(
        workflow.complaint_acknowledge, complaint=complaint, actor=acme_admin, note="Called back."
    )
    assert rows == [
        ("acknowledge", "received", "acknowledged", acme_admin.pk, "", "Called back.", {})
    ]

    complaint, rows = take(
        workflow.complaint_assess,
        complaint=complaint,
        actor=acme_manager,
        severity=Severity.HIGH,
        impact="medium",
        complexity="low",
        is_in_scope=True,
        note="Six weeks late.",
    )
    assert rows == [
        (
            "assess",
            "acknowledged",
            "assessed",
            acme_manager.pk,
            "",
            "Six weeks late.",
            {"severity": "high", "impact": "medium", "complexity": "low"},
        )
    ]

    complaint, rows = take(
        workflow.complaint_assign,
        complaint=complaint,
        actor=acme_manager,
        department=north_branch(complaint),
        assignee=acme_agent,
        note="Bob knows the garage.",
    )
    assert rows == [
        (
            "assign",
            "assessed",
            "assigned",
            acme_manager.pk,
            "",
            "Bob knows the garage.",
            {"department": "north-branch", "assignee": bob},
        )
    ]

    complaint, rows = take(
        workflow.complaint_start_investigation, complaint=complaint, actor=acme_agent
    )
    assert rows == [("start_investigation", "assigned", "investigating", bob, "", "", {})]

    complaint, rows = take(
        workflow.complaint_request_information,
        complaint=complaint,
        actor=acme_agent,
        question="Please send the repair invoice.",
    )
    assert rows == [
        (
            "request_information",
            "investigating",
            "waiting_on_customer",
            bob,
            "",
            "Please send the repair invoice.",
            {},
        )
    ]

    complaint, rows = take(
        workflow.complaint_receive_information,
        complaint=complaint,
        actor=None,
        body="Invoice attached.",
    )
    assert rows == [
        ("receive_information", "waiting_on_customer", "investigating", None, "customer", "", {})
    ]

    complaint, rows = take(
        workflow.complaint_resolve,
        complaint=complaint,
        actor=acme_agent,
        root_cause=root_cause(complaint),
        resolution="We paid the claim.",
        note="The adjuster was on leave.",
    )
    assert rows == [
        (
            "resolve",
            "investigating",
            "resolved",
            bob,
            "",
            "The adjuster was on leave.",
            {"root_cause": "slow-handling"},
        )
    ]

    complaint, rows = take(workflow.complaint_send_response, complaint=complaint, actor=acme_agent)
    assert rows == [("send_response", "resolved", "response_sent", bob, "", "", {})]

    complaint, rows = take(workflow.complaint_accept_decision, complaint=complaint, actor=None)
    assert rows == [("accept_decision", "response_sent", "closed", None, "customer", "", {})]

    assert (complaint.state, complaint.version, complaint.customer_accepted) == (
        State.CLOSED,
        10,
        True,
    )
    assert [row[0] for row in history(complaint)] == [
        "acknowledge",
        "assess",
        "assign",
        "start_investigation",
        "request_information",
        "receive_information",
        "resolve",
        "send_response",
        "accept_decision",
    ]


def test_the_review_path_writes_one_transition_row_per_step(complaint_in, acme_manager, acme_agent):
    complaint = complaint_in(State.RESPONSE_SENT)

    complaint, rows = take(
        workflow.complaint_request_review,
        complaint=complaint,
        actor=None,
        reason="The excess was wrong.",
    )
    assert rows == [
        (
            "request_review",
            "response_sent",
            "under_review",
            None,
            "customer",
            "The excess was wrong.",
            {},
        )
    ]
    assert complaint.customer_accepted is False

    complaint, rows = take(
        workflow.complaint_complete_review,
        complaint=complaint,
        actor=acme_manager,
        resolution="We refund the excess too.",
        note="Panel agreed.",
    )
    assert rows == [
        (
            "complete_review",
            "under_review",
            "response_sent",
            acme_manager.pk,
            "",
            "Panel agreed.",
            {},
        )
    ]
    assert (complaint.resolution, complaint.customer_accepted) == (
        "We refund the excess too.",
        None,
    )

    complaint, rows = take(
        workflow.complaint_close, complaint=complaint, actor=acme_agent, note="No answer."
    )
    assert rows == [("close", "response_sent", "closed", acme_agent.pk, "", "No answer.", {})]
    assert complaint.customer_accepted is None


def test_reject_writes_one_transition_row(complaint_in, acme_manager, clock):
    complaint = complaint_in(State.ACKNOWLEDGED)
    now = clock(timezone.now() + timedelta(hours=1))

    complaint, rows = take(
        workflow.complaint_reject, complaint=complaint, actor=acme_manager, reason="Not ours."
    )

    assert rows == [("reject", "acknowledged", "rejected", acme_manager.pk, "", "Not ours.", {})]
    assert (complaint.rejection_reason, complaint.is_in_scope) == ("Not ours.", False)
    assert complaint.closed_at == now


def test_withdraw_by_the_complainant_writes_one_transition_row(complaint_in):
    complaint = complaint_in(State.INVESTIGATING)

    complaint, rows = take(
        workflow.complaint_withdraw, complaint=complaint, actor=None, reason="Sorted out."
    )

    assert rows == [("withdraw", "investigating", "withdrawn", None, "customer", "Sorted out.", {})]


def test_merge_writes_one_transition_row(complaint_in, acme_admin):
    duplicate = complaint_in(State.ACKNOWLEDGED)
    original = complaint_in(State.ASSIGNED)

    duplicate, rows = take(
        workflow.complaint_merge, complaint=duplicate, actor=acme_admin, into=original
    )

    assert rows == [
        (
            "merge",
            "acknowledged",
            "merged",
            acme_admin.pk,
            "",
            original.reference,
            {"into": original.reference},
        )
    ]
    assert duplicate.merged_into_id == original.pk
    assert history(original)[-1][0] == "assign"  # the original is untouched


def test_reopen_writes_one_transition_row_and_the_case_runs_again(complaint_in, acme_agent):
    complaint = complaint_in(State.CLOSED)

    complaint, rows = take(
        workflow.complaint_reopen, complaint=complaint, actor=acme_agent, reason="New evidence."
    )
    assert rows == [("reopen", "closed", "reopened", acme_agent.pk, "", "New evidence.", {})]
    assert (complaint.closed_at, complaint.customer_accepted) == (None, None)

    complaint, rows = take(
        workflow.complaint_start_investigation, complaint=complaint, actor=acme_agent
    )
    assert rows == [("start_investigation", "reopened", "investigating", acme_agent.pk, "", "", {})]


# --- 4. guards ----------------------------------------------------------------------------------


def test_assess_out_of_scope_is_refused_with_a_field_error(complaint_in, acme_admin):
    complaint = complaint_in(State.ACKNOWLEDGED)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_assess(
            complaint=complaint,
            actor=acme_admin,
            severity=Severity.HIGH,
            impact="medium",
            complexity="low",
            is_in_scope=False,
        )

    assert refused.value.status == 400
    assert refused.value.fields == {"is_in_scope": ["Reject it instead, with the reason."]}
    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    ("cause_code", "resolution", "fields"),
    [
        (None, "We paid the claim.", {"root_cause": ["Choose the root cause."]}),
        ("slow-handling", "   ", {"resolution": ["Write the response to the complainant."]}),
        (
            None,
            "",
            {
                "root_cause": ["Choose the root cause."],
                "resolution": ["Write the response to the complainant."],
            },
        ),
    ],
)
def test_resolve_needs_a_root_cause_and_a_response(
    complaint_in, acme_agent, cause_code, resolution, fields
):
    complaint = complaint_in(State.INVESTIGATING)
    cause = root_cause(complaint, cause_code) if cause_code else None
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_resolve(
            complaint=complaint, actor=acme_agent, root_cause=cause, resolution=resolution
        )

    assert refused.value.fields == fields
    assert snapshot(complaint) == before
    assert (fresh(complaint).root_cause_id, fresh(complaint).resolution) == (None, "")


def test_resolve_with_another_tenants_root_cause_is_refused(complaint_in, acme_agent, globex):
    complaint = complaint_in(State.INVESTIGATING)
    globex_cause = RootCause.objects.create(tenant=globex, code="slow-handling", name="Slow")
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_resolve(
            complaint=complaint,
            actor=acme_agent,
            root_cause=globex_cause,
            resolution="We paid the claim.",
        )

    assert refused.value.fields == {"root_cause": ["Choose the root cause."]}
    assert snapshot(complaint) == before


def test_reopen_after_the_window_is_refused(complaint_in, acme_agent):
    # given a complaint closed 31 days ago (the default window is 30 days)
    complaint = complaint_in(State.CLOSED)
    Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(
        closed_at=timezone.now() - timedelta(days=31)
    )
    complaint = fresh(complaint)
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAvailable) as refused:
        workflow.complaint_reopen(complaint=complaint, actor=acme_agent, reason="New evidence.")

    assert refused.value.message == (
        "It was closed more than 30 days ago: file a new complaint instead."
    )
    assert snapshot(complaint) == before


def test_reopen_inside_the_window_is_allowed(complaint_in, acme_agent):
    complaint = complaint_in(State.CLOSED)
    Complaint.objects.for_tenant(complaint.tenant_id).filter(pk=complaint.pk).update(
        closed_at=timezone.now() - timedelta(days=29)
    )

    complaint = workflow.complaint_reopen(
        complaint=fresh(complaint), actor=acme_agent, reason="New evidence."
    )

    assert complaint.state == State.REOPENED


def test_merge_into_itself_is_refused(complaint_in, acme_admin):
    complaint = complaint_in(State.ACKNOWLEDGED)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_merge(complaint=complaint, actor=acme_admin, into=complaint)

    assert refused.value.fields == {"into": ["Not a complaint you can merge into."]}
    assert snapshot(complaint) == before


def test_merge_into_a_closed_complaint_is_refused(complaint_in, acme_admin):
    complaint = complaint_in(State.ACKNOWLEDGED)
    closed = complaint_in(State.CLOSED)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_merge(complaint=complaint, actor=acme_admin, into=closed)

    assert refused.value.message == f"{closed.reference} is finished: merge into an open complaint."
    assert refused.value.fields == {"into": ["That complaint is finished."]}
    assert snapshot(complaint) == before


def test_merge_into_another_tenants_complaint_is_refused(complaint_in, acme_admin, globex_brand):
    complaint = complaint_in(State.ACKNOWLEDGED)
    foreign = file_complaint(globex_brand)
    before = snapshot(complaint)
    foreign_before = snapshot(foreign)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_merge(complaint=complaint, actor=acme_admin, into=foreign)

    assert refused.value.fields == {"into": ["Not a complaint you can merge into."]}
    assert snapshot(complaint) == before
    assert snapshot(foreign) == foreign_before


def test_an_agent_cannot_assign_to_someone_else(complaint_in, acme, acme_agent):
    complaint = complaint_in(State.ASSESSED)
    dave = make_member(acme, "dave", Role.AGENT, "north-branch")
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_assign(
            complaint=complaint,
            actor=acme_agent,
            department=north_branch(complaint),
            assignee=dave,
        )

    assert snapshot(complaint) == before


def test_an_agent_can_take_it_themselves(complaint_in, acme_agent):
    complaint = complaint_in(State.ASSESSED)

    complaint = workflow.complaint_assign(
        complaint=complaint,
        actor=acme_agent,
        department=north_branch(complaint),
        assignee=acme_agent,
    )

    assert (complaint.state, complaint.assignee_id) == (State.ASSIGNED, acme_agent.pk)


def test_assigning_to_a_handler_outside_the_department_is_refused(
    complaint_in, acme_admin, acme_south_agent
):
    complaint = complaint_in(State.ASSESSED)
    before = snapshot(complaint)

    with pytest.raises(ApplicationError) as refused:
        workflow.complaint_assign(
            complaint=complaint,
            actor=acme_admin,
            department=north_branch(complaint),
            assignee=acme_south_agent,
        )

    assert refused.value.fields == {"assignee": ["Not a handler of that department."]}
    assert snapshot(complaint) == before


def test_a_manager_cannot_route_outside_their_region(complaint_in, acme_manager):
    complaint = complaint_in(State.ASSESSED)
    south_branch = Department.objects.for_tenant(complaint.tenant_id).get(code="south-branch")
    before = snapshot(complaint)

    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_assign(complaint=complaint, actor=acme_manager, department=south_branch)

    assert snapshot(complaint) == before


@pytest.mark.parametrize(
    "state", [State.ACKNOWLEDGED, State.ASSESSED, State.ASSIGNED, State.INVESTIGATING]
)
def test_answering_a_question_returns_to_the_exact_previous_state(complaint_in, acme_admin, state):
    complaint = complaint_in(state)

    complaint = workflow.complaint_request_information(
        complaint=complaint, actor=acme_admin, question="Which garage?"
    )
    assert (complaint.state, complaint.state_before_waiting) == (
        State.WAITING_ON_CUSTOMER,
        state,
    )
    complaint = workflow.complaint_receive_information(
        complaint=complaint, actor=None, body="Garage Rossi."
    )

    assert (fresh(complaint).state, fresh(complaint).state_before_waiting) == (state, "")
    assert [row[:3] for row in history(complaint)[-2:]] == [
        ("request_information", state, "waiting_on_customer"),
        ("receive_information", "waiting_on_customer", state),
    ]


# --- 5. optimistic lock -------------------------------------------------------------------------


def test_two_tabs_acknowledging_at_once_only_the_first_wins(complaint_in, acme_admin, acme_manager):
    # given two browser tabs that loaded the same complaint
    complaint = complaint_in(State.RECEIVED)
    first_tab = fresh(complaint)
    second_tab = fresh(complaint)

    # when the first acknowledges, then the second tries with the version it loaded
    workflow.complaint_acknowledge(
        complaint=first_tab, actor=acme_admin, expected_version=first_tab.version
    )
    before = snapshot(complaint)
    with pytest.raises(workflow.StaleComplaint) as refused:
        workflow.complaint_acknowledge(
            complaint=second_tab, actor=acme_manager, expected_version=second_tab.version
        )

    # then the second is told to reload, and there is one acknowledgement and one email
    assert (refused.value.status, refused.value.code) == (409, "stale")
    assert snapshot(complaint) == before
    assert [row[:4] for row in history(complaint)] == [
        ("acknowledge", "received", "acknowledged", acme_admin.pk)
    ]
    assert (
        Delivery.objects.for_tenant(complaint.tenant_id)
        .filter(dedupe_key__contains="-acknowledged-")
        .count()
        == 1
    )


def test_a_form_posted_with_an_old_version_is_refused(complaint_in, acme_admin, acme_manager):
    # given a form rendered at version 1, and someone acknowledging it meanwhile
    complaint = complaint_in(State.RECEIVED)
    workflow.complaint_acknowledge(complaint=fresh(complaint), actor=acme_admin)
    before = snapshot(complaint)

    # when the form is posted with its version, on a freshly loaded complaint
    with pytest.raises(workflow.StaleComplaint):
        workflow.complaint_assess(
            complaint=fresh(complaint),
            actor=acme_manager,
            severity=Severity.LOW,
            impact="low",
            complexity="low",
            is_in_scope=True,
            expected_version=1,
        )

    # then nothing changed
    assert snapshot(complaint) == before


def test_transfer_with_a_stale_version_is_refused(
    complaint_in, acme, acme_admin, acme_manager, acme_agent
):
    complaint = complaint_in(State.INVESTIGATING)
    dave = make_member(acme, "dave", Role.AGENT, "north-branch")
    first_tab = fresh(complaint)
    second_tab = fresh(complaint)
    south_branch = Department.objects.for_tenant(acme).get(code="south-branch")

    workflow.complaint_transfer(
        complaint=first_tab,
        actor=acme_admin,
        department=south_branch,
        expected_version=first_tab.version,
    )
    before = snapshot(complaint)
    with pytest.raises(workflow.StaleComplaint):
        workflow.complaint_transfer(
            complaint=second_tab,
            actor=acme_manager,
            department=north_branch(complaint),
            assignee=dave,
            expected_version=second_tab.version,
        )

    assert snapshot(complaint) == before
    row = fresh(complaint)
    assert (row.state, row.department.code, row.assignee_id) == (
        State.INVESTIGATING,
        "south-branch",
        None,
    )
    assert [r for r in history(complaint) if r[0] == "transfer"] == [
        (
            "transfer",
            "investigating",
            "investigating",
            acme_admin.pk,
            "",
            "",
            {"department": "south-branch", "assignee": None},
        )
    ]


# --- 6. messages to the complainant -------------------------------------------------------------

# kind, where it starts, the step, the template's subject (its msgid), the dedupe key's tail.
MESSAGES = [
    (
        "acknowledged",
        State.RECEIVED,
        lambda c, admin: workflow.complaint_acknowledge(complaint=c, actor=admin),
        "Your complaint %(reference)s is being handled",
        lambda c: f"v{c.version}",
    ),
    (
        "information_requested",
        State.ACKNOWLEDGED,
        lambda c, admin: workflow.complaint_request_information(
            complaint=c, actor=admin, question="Which garage?"
        ),
        "We need more information about %(reference)s",
        lambda c: f"message-{c.messages.get(kind='reply').pk}",
    ),
    (
        "decision",
        State.RESOLVED,
        lambda c, admin: workflow.complaint_send_response(complaint=c, actor=admin),
        "Our decision on your complaint %(reference)s",
        lambda c: f"decision-v{c.version}",
    ),
    (
        "rejected",
        State.RECEIVED,
        lambda c, admin: workflow.complaint_reject(complaint=c, actor=admin, reason="Not ours."),
        "About your complaint %(reference)s",
        lambda c: f"v{c.version}",
    ),
    (
        "withdrawn",
        State.ASSIGNED,
        lambda c, admin: workflow.complaint_withdraw(complaint=c, actor=None),
        "Your complaint %(reference)s is withdrawn",
        lambda c: f"v{c.version}",
    ),
    (
        "closed",
        State.RESPONSE_SENT,
        lambda c, admin: workflow.complaint_accept_decision(complaint=c, actor=None),
        "Your complaint %(reference)s is closed",
        lambda c: f"v{c.version}",
    ),
]


# The Greek subjects, copied by hand from locale/el: a missing translation must fail here.
GREEK_SUBJECTS = {
    "acknowledged": "Το παράπονό σας %(reference)s βρίσκεται υπό εξέταση",
    "information_requested": "Χρειαζόμαστε περισσότερες πληροφορίες για το παράπονο %(reference)s",
    "decision": "Η απόφασή μας για το παράπονό σας %(reference)s",
    "rejected": "Σχετικά με το παράπονό σας %(reference)s",
    "withdrawn": "Το παράπονό σας %(reference)s αποσύρθηκε",
    "closed": "Το παράπονό σας %(reference)s έκλεισε",
}


@pytest.mark.parametrize("language", ["en", "el"])
@pytest.mark.parametrize(
    ("kind", "state", "step", "subject", "key_tail"),
    MESSAGES,
    ids=[message[0] for message in MESSAGES],
)
def test_a_step_queues_one_email_to_the_complainant_in_their_language(
    complaint_in, acme_admin, language, kind, state, step, subject, key_tail
):
    # given a complaint filed in ``language``
    complaint = complaint_in(state, language=language)
    assert complaint.customer.language == language
    deliveries = Delivery.objects.for_tenant(complaint.tenant_id)
    known = set(deliveries.values_list("pk", flat=True))

    # when the step is taken
    complaint = step(complaint, acme_admin)

    # then exactly one message is queued, to the complainant, from the brand
    queued = list(deliveries.exclude(pk__in=known))
    assert len(queued) == 1
    delivery = queued[0]
    wording = GREEK_SUBJECTS[kind] if language == "el" else subject
    expected_subject = wording % {"reference": complaint.reference}
    assert (delivery.recipient, delivery.sender, delivery.subject, delivery.status) == (
        "maria.rossi@example.com",
        "Acme Motor <care@acme-motor.example>",
        expected_subject,
        Delivery.Status.PENDING,
    )
    assert delivery.dedupe_key == f"complaint-{complaint.pk}-{kind}-{key_tail(complaint)}"
    link = re.search(r"/c/acme/status/([^/]+)/\?key=(\S+)", delivery.body)
    assert link is not None
    assert link.group(1) == complaint.reference
    # its key opens the complaint once, and is stored only as its hash
    assert access.access_key_redeem(complaint=complaint, key=link.group(2))
    assert not access.access_key_redeem(complaint=complaint, key=link.group(2))

    # and the same step cannot be taken twice, so it cannot be sent twice
    with pytest.raises(workflow.TransitionNotAvailable):
        step(fresh(complaint), acme_admin)
    assert deliveries.exclude(pk__in=known).count() == 1


def test_filing_queues_the_receipt_once(acme_setup, acme_brand):
    complaint = file_complaint(acme_brand)

    deliveries = Delivery.objects.for_tenant(acme_setup)
    assert list(deliveries.values_list("dedupe_key", "recipient", "subject")) == [
        (
            f"complaint-{complaint.pk}-received-receipt",
            "maria.rossi@example.com",
            f"We have received your complaint {complaint.reference}",
        )
    ]

    # asking for the receipt again (a retried request) does not queue a second one
    notify.customer(complaint, "received", key="receipt")
    assert deliveries.count() == 1


# --- 7. the ComplaintClosed event ------------------------------------------------------------


@contextmanager
def subscribed(handler):
    """``handler`` subscribed to ComplaintClosed for the block (the app's own stay)."""
    bus.subscribe(events.ComplaintClosed, handler)
    try:
        yield
    finally:
        bus._subscribers[events.ComplaintClosed].remove(handler)


@pytest.fixture
def closed_events():
    """The ComplaintClosed events published while the test runs."""
    seen = []

    def handler(event):
        seen.append(event)

    with subscribed(handler):
        yield seen


# The complainant has no email, so the only on-commit callbacks are the events' handlers.
PHONE_ONLY = {"email": "", "phone": "+30 210 000 1000"}


def test_closing_announces_complaint_closed_once_inside_its_transaction(
    complaint_in, acme_agent, closed_events
):
    complaint = complaint_in(State.RESPONSE_SENT, **PHONE_ONLY)

    complaint = workflow.complaint_close(complaint=complaint, actor=acme_agent)

    # announced in the closing transaction, so the subscriber's rows commit with the close
    assert closed_events == [
        events.ComplaintClosed(
            tenant_id=complaint.tenant_id,
            complaint_id=complaint.pk,
            closed_at=fresh(complaint).closed_at,
            customer_accepted=None,
        )
    ]


def test_a_subscriber_that_fails_rolls_the_close_back(complaint_in, acme_agent):
    complaint = complaint_in(State.RESPONSE_SENT, **PHONE_ONLY)
    before = snapshot(complaint)

    def failing(event):
        raise RuntimeError("the subscriber failed")

    with subscribed(failing), pytest.raises(RuntimeError, match="the subscriber failed"):
        workflow.complaint_close(complaint=complaint, actor=acme_agent)

    # What the handlers write commits with the close, or neither does.
    assert snapshot(complaint) == before
    assert fresh(complaint).closed_at is None
    assert not Interaction.objects.for_tenant(complaint.tenant_id).exists()


def test_accepting_the_decision_announces_complaint_closed_once(
    complaint_in, closed_events, django_capture_on_commit_callbacks
):
    complaint = complaint_in(State.RESPONSE_SENT, **PHONE_ONLY)

    with django_capture_on_commit_callbacks(execute=True):
        complaint = workflow.complaint_accept_decision(complaint=complaint, actor=None)

    assert closed_events == [
        events.ComplaintClosed(
            tenant_id=complaint.tenant_id,
            complaint_id=complaint.pk,
            closed_at=fresh(complaint).closed_at,
            customer_accepted=True,
        )
    ]


def test_no_other_step_announces_complaint_closed(
    complaint_in,
    acme_admin,
    acme_agent,
    acme_manager,
    closed_events,
    django_capture_on_commit_callbacks,
):
    # when every other step is taken, ending in each of the other final states
    with django_capture_on_commit_callbacks(execute=True):
        reviewed = complaint_in(State.UNDER_REVIEW, **PHONE_ONLY)
        reviewed = workflow.complaint_complete_review(
            complaint=reviewed, actor=acme_manager, resolution="Confirmed."
        )
        workflow.complaint_withdraw(complaint=reviewed, actor=None)
        waiting = complaint_in(State.WAITING_ON_CUSTOMER, **PHONE_ONLY)
        workflow.complaint_receive_information(complaint=waiting, actor=None, body="Here.")
        complaint_in(State.REJECTED, **PHONE_ONLY)
        original = complaint_in(State.RECEIVED, **PHONE_ONLY)
        duplicate = complaint_in(State.ACKNOWLEDGED, **PHONE_ONLY)
        workflow.complaint_merge(complaint=duplicate, actor=acme_admin, into=original)
    closed = complaint_in(State.CLOSED, **PHONE_ONLY)
    closed_events.clear()  # that close was announced; the steps after it must not be
    with django_capture_on_commit_callbacks(execute=True):
        reopened = workflow.complaint_reopen(complaint=closed, actor=acme_agent, reason="Again.")
        workflow.complaint_start_investigation(complaint=reopened, actor=acme_agent)

    # then nothing announced a close
    assert closed_events == []
