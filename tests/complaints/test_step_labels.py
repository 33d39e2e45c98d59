"""Step names come from the transition table, not from a copy in a template.

The case page's buttons and timeline print each step's ``custom={"label": ...}``; the public
status page offers the complainant exactly the steps the table allows member ``None``.
"""

import pytest
from django.urls import reverse

from complaints import workflow
from complaints.lifecycle import ComplaintLifecycle, State, step_label
from complaints.public import available_actions
from tests.complaints.test_public import open_status


def detail(client, complaint):
    url = reverse(
        "complaint-detail", kwargs={"tenant_slug": "acme", "reference": complaint.reference}
    )
    return client.get(url).content.decode()


def test_every_step_has_a_label_of_its_own_in_the_table():
    names = [*workflow.TRANSITION_NAMES, "transfer"]
    labels = [step_label(name) for name in names]

    assert all(label and label != name for name, label in zip(names, labels, strict=True))
    assert len(set(labels)) == len(labels)
    assert step_label("assign") == "Route and assign"


def test_the_case_page_prints_the_tables_label(client_of, complaint_in, acme_admin, monkeypatch):
    # given the table renames the acknowledgement
    complaint = complaint_in(State.RECEIVED)
    meta = ComplaintLifecycle.acknowledge._django_fsm
    transition = meta.transitions[State.RECEIVED]
    monkeypatch.setitem(transition.custom, "label", "Confirm receipt")

    # then the case page's step and its button use the new name
    page = detail(client_of(acme_admin), complaint)
    assert "<summary>Confirm receipt</summary>" in page
    assert '<button type="submit" class="primary">Confirm receipt</button>' in page


def test_the_timeline_and_the_buttons_speak_the_members_language(
    client_of, complaint_in, acme_admin
):
    complaint = complaint_in(State.ASSESSED)  # acknowledged and assessed; assigning is next
    client = client_of(acme_admin)
    client.cookies["django_language"] = "el"

    page = detail(client, complaint)

    assert "<summary>Δρομολόγηση και ανάθεση</summary>" in page  # Route and assign
    assert "<strong>Route and assign</strong>" not in page


EXPECTED_CUSTOMER_ACTIONS = {
    State.RECEIVED: {"add", "withdraw"},
    State.INVESTIGATING: {"add", "withdraw"},
    State.WAITING_ON_CUSTOMER: {"answer", "withdraw"},
    State.RESPONSE_SENT: {"accept", "review", "add", "withdraw"},
    State.UNDER_REVIEW: {"add", "withdraw"},
    State.CLOSED: set(),
    State.WITHDRAWN: set(),
}


@pytest.mark.parametrize("state", list(EXPECTED_CUSTOMER_ACTIONS))
def test_the_status_page_offers_the_steps_the_table_gives_the_complainant(
    client, complaint_in, state
):
    complaint = complaint_in(state)

    assert available_actions(complaint) == EXPECTED_CUSTOMER_ACTIONS[state]
    page = open_status(client, complaint).content.decode()
    offered = {
        action
        for action in ("answer", "add", "accept", "review", "withdraw")
        if f'name="action" value="{action}"' in page
    }
    assert offered == EXPECTED_CUSTOMER_ACTIONS[state]


def test_a_step_the_table_takes_from_the_complainant_leaves_the_status_page(
    client, complaint_in, monkeypatch
):
    # given the table no longer lets the complainant withdraw
    complaint = complaint_in(State.INVESTIGATING)
    meta = ComplaintLifecycle.withdraw._django_fsm
    for transition in meta.transitions.values():
        monkeypatch.setattr(transition, "permission", lambda instance, member: member is not None)

    # then the status page stops offering it
    assert available_actions(complaint) == {"add"}
    assert 'value="withdraw"' not in open_status(client, complaint).content.decode()
