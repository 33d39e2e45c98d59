"""The transfer form offers what the workflow allows: the departments a member may hand work
to (their own, below, above; sideways when the tenant allows it) and only the handlers of the
department chosen, reloaded when it changes; the workflow refuses anything else.

Acme's tree: head office → north region → north branch, head office → south region → south
branch. alice (admin, head office), mario (manager, north), bob (agent, north branch, handles
the complaints), sara (agent, south branch).
"""

import re

import pytest
from django.urls import reverse

from complaints import workflow
from complaints.lifecycle import State
from complaints.models import Complaint, ComplaintSettings, Transition
from tenants.errors import ApplicationError
from tenants.models import Department, Role
from tests.factories import make_member

EVERY_DEPARTMENT = ["Head office", "North region", "North branch", "South region", "South branch"]
UP_AND_DOWN = ["Head office", "North region", "North branch"]


def case_url(complaint, name="complaint-detail"):
    return reverse(name, kwargs={"tenant_slug": "acme", "reference": complaint.reference})


def department(tenant, code):
    return Department.objects.for_tenant(tenant).get(code=code)


def no_sideways(tenant):
    ComplaintSettings.objects.create(tenant=tenant, transfer_sideways=False)


def form_of(client, complaint):
    response = client.get(case_url(complaint))
    assert response.status_code == 200
    return response.context["transfer_form"]


def department_names(form) -> list[str]:
    return [str(label) for value, label in form.fields["department"].choices if value != ""]


def handler_names(form) -> list[str]:
    return [str(label) for value, label in form.fields["assignee"].choices if value != ""]


def handlers_page(client, complaint, department_id) -> str:
    url = case_url(complaint, "complaint-transfer-handlers")
    response = client.get(url, {"transfer-department": department_id})
    assert response.status_code == 200
    return response.content.decode()


def name(member, department_name) -> str:
    return f"{member.user.get_full_name()} · {department_name}"


def options(html) -> list[tuple[str, bool]]:
    """The handler options (label, selected), the blank one left out."""
    found = re.findall(r'<option value="(\d+)"( selected)?>(.*?)</option>', html)
    return [(label, bool(selected)) for _value, selected, label in found]


@pytest.mark.parametrize(
    ("persona", "sideways", "offered"),
    [
        ("acme_admin", False, EVERY_DEPARTMENT),
        ("acme_manager", True, EVERY_DEPARTMENT),
        ("acme_manager", False, UP_AND_DOWN),
        ("acme_agent", True, EVERY_DEPARTMENT),
        ("acme_agent", False, UP_AND_DOWN),
    ],
)
def test_the_form_offers_the_departments_up_the_tree_and_sideways_per_the_setting(
    request, client_of, complaint_in, acme, persona, sideways, offered
):
    complaint = complaint_in(State.INVESTIGATING)
    if not sideways:
        no_sideways(acme)

    form = form_of(client_of(request.getfixturevalue(persona)), complaint)

    assert department_names(form) == offered


def test_the_form_lists_only_the_chosen_departments_handlers_with_the_current_one_chosen(
    client_of, complaint_in, acme, acme_admin, acme_agent, acme_south_agent
):
    complaint = complaint_in(State.INVESTIGATING)  # north branch, bob
    dave = make_member(acme, "dave", Role.AGENT, "north-branch")

    form = form_of(client_of(acme_admin), complaint)

    assert form["department"].value() == department(acme, "north-branch").pk
    assert sorted(handler_names(form)) == sorted(
        [name(acme_agent, "North branch"), name(dave, "North branch")]
    )
    assert form["assignee"].value() == acme_agent.pk


def test_changing_the_department_reloads_its_handlers_and_preselects_nobody_from_another(
    client_of, complaint_in, acme, acme_admin, acme_agent, acme_south_agent
):
    complaint = complaint_in(State.INVESTIGATING)  # assigned to bob, north branch
    client = client_of(acme_admin)

    south = handlers_page(client, complaint, department(acme, "south-branch").pk)
    north = handlers_page(client, complaint, department(acme, "north-branch").pk)

    assert options(south) == [(name(acme_south_agent, "South branch"), False)]
    assert '<option value="" selected>' in south
    assert options(north) == [(name(acme_agent, "North branch"), False)]
    assert 'id="transfer-handlers"' in south


def test_the_department_select_asks_for_its_handlers_when_it_changes(
    client_of, complaint_in, acme_admin
):
    complaint = complaint_in(State.INVESTIGATING)

    page = client_of(acme_admin).get(case_url(complaint)).content.decode()

    select = re.search(r'<select name="transfer-department"[^>]*>', page)[0]
    assert f'hx-get="{case_url(complaint, "complaint-transfer-handlers")}"' in select
    assert 'hx-target="#transfer-handlers"' in select
    assert 'hx-trigger="change"' in select


def test_up_or_sideways_a_manager_hands_work_over_unassigned_and_an_agent_only_takes_it(
    client_of, complaint_in, acme, acme_manager, acme_agent
):
    complaint = complaint_in(State.INVESTIGATING)

    # mario, north region: no handler of the south branch or of the head office to name
    manager = client_of(acme_manager)
    assert options(handlers_page(manager, complaint, department(acme, "south-branch").pk)) == []
    assert options(handlers_page(manager, complaint, department(acme, "head-office").pk)) == []
    assert options(handlers_page(manager, complaint, department(acme, "north").pk)) == [
        (name(acme_manager, "North region"), False),
        (name(acme_agent, "North branch"), False),
    ]
    # bob: himself, where he works; nobody in the region above him
    agent = client_of(acme_agent)
    assert options(handlers_page(agent, complaint, department(acme, "north-branch").pk)) == [
        (name(acme_agent, "North branch"), False)
    ]
    assert options(handlers_page(agent, complaint, department(acme, "north").pk)) == []


@pytest.mark.parametrize("department_id", ["", "abc", "999999"])
def test_an_unknown_department_lists_no_handler(client_of, complaint_in, acme_admin, department_id):
    complaint = complaint_in(State.INVESTIGATING)

    assert options(handlers_page(client_of(acme_admin), complaint, department_id)) == []


def test_another_tenants_department_lists_no_handler_like_a_missing_one(
    client_of, complaint_in, globex, acme_admin
):
    complaint = complaint_in(State.INVESTIGATING)
    client = client_of(acme_admin)

    theirs = handlers_page(client, complaint, department(globex, "hq").pk)

    assert theirs == handlers_page(client, complaint, "999999")


def test_the_workflow_refuses_a_department_the_form_does_not_offer(
    client_of, complaint_in, acme, acme_agent
):
    no_sideways(acme)
    complaint = complaint_in(State.INVESTIGATING)
    south = department(acme, "south-branch")
    transfers = Transition.objects.for_tenant(acme).filter(name="transfer")

    response = client_of(acme_agent).post(
        case_url(complaint, "complaint-transfer"),
        {
            "transfer-version": complaint.version,
            "transfer-department": south.pk,
            "transfer-assignee": "",
            "transfer-note": "",
        },
    )

    # the form does not offer it (a choice not in its list), and the workflow refuses it too
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.complaint_transfer(complaint=complaint, actor=acme_agent, department=south)
    row = Complaint.objects.for_tenant(acme).get(pk=complaint.pk)
    assert (row.department.code, row.assignee_id, transfers.count()) == (
        "north-branch",
        acme_agent.pk,
        0,
    )


def test_with_sideways_an_agent_hands_it_to_another_region_from_the_page(
    client_of, complaint_in, acme, acme_agent
):
    complaint = complaint_in(State.INVESTIGATING)
    south = department(acme, "south-branch")

    response = client_of(acme_agent).post(
        case_url(complaint, "complaint-transfer"),
        {
            "transfer-version": complaint.version,
            "transfer-department": south.pk,
            "transfer-assignee": "",
            "transfer-note": "Their branch sold the policy.",
        },
    )

    assert response.status_code == 302
    row = Complaint.objects.for_tenant(acme).get(pk=complaint.pk)
    assert (row.department.code, row.assignee_id, row.state) == (
        "south-branch",
        None,
        State.INVESTIGATING,
    )


def test_a_closed_department_is_offered_by_neither_form_and_refused_by_the_workflow(
    client_of, complaint_in, acme, acme_admin
):
    complaint = complaint_in(State.INVESTIGATING)
    assessed = complaint_in(State.ASSESSED)
    south = department(acme, "south-branch")
    Department.objects.for_tenant(acme).filter(pk=south.pk).update(is_active=False)
    south.refresh_from_db()
    client = client_of(acme_admin)
    moves = Transition.objects.for_tenant(acme).filter(name__in=["transfer", "assign"])
    before = moves.count()

    transfer_offered = department_names(form_of(client, complaint))
    steps = {name: form for name, _label, form in client.get(case_url(assessed)).context["steps"]}
    assign_offered = [
        str(label) for value, label in steps["assign"].fields["department"].choices if value != ""
    ]

    assert transfer_offered == [name for name in EVERY_DEPARTMENT if name != "South branch"]
    assert "South branch" not in assign_offered
    for step, row in (
        (workflow.complaint_transfer, complaint),
        (workflow.complaint_assign, assessed),
    ):
        with pytest.raises(ApplicationError) as error:
            step(complaint=row, actor=acme_admin, department=south)
        assert error.value.fields["department"] == [
            "That department is closed: it receives no complaints."
        ]
    assert moves.count() == before
