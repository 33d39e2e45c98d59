"""Who sees which complaint is asked of ``tenants.permissions`` only, and a complaint a member
cannot see is refused like a missing one wherever it is named: linking, merging, opening a
corrective action, routing.

Bob is a north-branch agent, Sara a south-branch agent, Mario the north region's manager,
Alice the admin at head office, Ana an analyst with no department.
"""

from datetime import date

import pytest

from complaints import workflow
from complaints.corrective_actions import corrective_action_open
from complaints.lifecycle import State
from complaints.models import ComplaintLink, CorrectiveAction
from complaints.services import complaint_link
from tenants.errors import ApplicationError, NotFound
from tenants.models import Department
from tenants.permissions import can_see, require_visible, visible_subtree


@pytest.fixture
def south_complaint(complaint_in, acme_admin, acme_south_agent):
    """An open complaint of the south branch, handled by Sara."""
    complaint = complaint_in(State.INVESTIGATING, email="south@example.com")
    south = Department.objects.for_tenant(complaint.tenant_id).get(code="south-branch")
    return workflow.complaint_transfer(
        complaint=complaint, actor=acme_admin, department=south, assignee=acme_south_agent
    )


def test_the_subtree_each_member_sees(acme_admin, acme_analyst, acme_manager, acme_agent):
    assert visible_subtree(acme_admin) is None
    assert visible_subtree(acme_analyst) is None
    assert visible_subtree(acme_manager) == acme_manager.department.path
    assert visible_subtree(acme_agent) == acme_agent.department.path


def test_can_see_follows_the_department_tree_and_the_tenant(
    complaint_in,
    south_complaint,
    acme_admin,
    acme_manager,
    acme_agent,
    acme_south_agent,
    globex_agent,
):
    north = complaint_in(State.INVESTIGATING)  # routed to the north branch

    assert [can_see(m, north) for m in (acme_admin, acme_manager, acme_agent)] == [True] * 3
    assert can_see(acme_south_agent, north) is False
    assert can_see(acme_agent, south_complaint) is False
    assert can_see(acme_manager, south_complaint) is False
    assert can_see(globex_agent, north) is False
    assert can_see(None, north) is False
    assert can_see(acme_manager, acme_agent.department) is True
    assert can_see(acme_agent, acme_manager.department) is False
    with pytest.raises(NotFound):
        require_visible(acme_south_agent, north)


def test_linking_to_a_complaint_out_of_sight_is_refused_like_a_missing_one(
    complaint_in, south_complaint, acme_agent
):
    north = complaint_in(State.INVESTIGATING)

    with pytest.raises(NotFound):
        complaint_link(complaint=north, actor=acme_agent, other=south_complaint)

    assert ComplaintLink.objects.for_tenant(north.tenant_id).count() == 0


def test_merging_into_a_complaint_out_of_sight_is_refused_and_changes_nothing(
    complaint_in, south_complaint, acme_agent
):
    duplicate = complaint_in(State.INVESTIGATING)  # Bob handles it

    with pytest.raises(NotFound):
        workflow.complaint_merge(complaint=duplicate, actor=acme_agent, into=south_complaint)

    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into_id) == (State.INVESTIGATING, None)


def test_a_corrective_action_on_a_complaint_out_of_sight_is_refused(
    complaint_in, acme_agent, acme_south_agent
):
    north = complaint_in(State.RESOLVED)

    with pytest.raises(NotFound):
        corrective_action_open(
            complaint=north,
            actor=acme_south_agent,
            description="Train the desk.",
            owner=acme_south_agent,
            due_date=date(2030, 1, 1),
        )

    assert CorrectiveAction.objects.for_tenant(north.tenant_id).count() == 0


def test_a_corrective_action_owner_out_of_sight_is_refused(
    complaint_in, acme_agent, acme_south_agent
):
    north = complaint_in(State.RESOLVED)

    with pytest.raises(ApplicationError) as refused:
        corrective_action_open(
            complaint=north,
            actor=acme_agent,
            description="Train the desk.",
            owner=acme_south_agent,
            due_date=date(2030, 1, 1),
        )

    assert "owner" in refused.value.fields
    assert CorrectiveAction.objects.for_tenant(north.tenant_id).count() == 0


def test_a_manager_cannot_route_outside_their_subtree(complaint_in, acme_manager, acme_south_agent):
    complaint = complaint_in(State.INVESTIGATING)
    south = Department.objects.for_tenant(complaint.tenant_id).get(code="south-branch")
    before = (complaint.department_id, complaint.assignee_id, complaint.version)

    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_transfer(
            complaint=complaint, actor=acme_manager, department=south, assignee=acme_south_agent
        )

    complaint.refresh_from_db()
    assert (complaint.department_id, complaint.assignee_id, complaint.version) == before
