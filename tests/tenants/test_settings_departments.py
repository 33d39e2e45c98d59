"""The department tree in the settings: add, rename, move (the subtree's paths rewritten, and
what members see follows), close (refused while it owns open complaints). Admins write,
audited; managers read; other roles see nothing; another tenant's department is a missing one.
"""

import pytest

from complaints.models import Category, RoutingRule
from tenants.models import AuditEntry, Department, Tenant
from tenants.trees import tree_path, tree_path_ids
from tests.complaint_fixtures import file_complaint
from tests.factories import make_department
from tests.tenants.invitation_links import accept_invitation, create_tenant, invitation_link

LIST = "/acme/settings/departments/"
NEW = "/acme/settings/departments/new/"


def _department(tenant, code) -> Department:
    return Department.objects.for_tenant(tenant).get(code=code)


def _paths(tenant) -> dict[str, str]:
    return dict(Department.objects.for_tenant(tenant).values_list("code", "path"))


def _audits(tenant, prefix="department."):
    """What members did to departments (the fixtures' set-up has no actor)."""
    return AuditEntry.objects.for_tenant(tenant).filter(
        action__startswith=prefix, actor__isnull=False
    )


def _claims(tenant):
    return Category.objects.for_tenant(tenant).get(code="claims")


def _url(department, action=""):
    return f"/acme/settings/departments/{department.pk}/{action}"


def test_an_admin_adds_a_department_under_another(acme_admin, client_of):
    north = _department(acme_admin.tenant, "north")

    response = client_of(acme_admin).post(
        NEW, {"parent": north.pk, "name": "North claims desk", "code": "north-claims"}
    )

    assert response.status_code == 302
    desk = _department(acme_admin.tenant, "north-claims")
    assert (desk.name, desk.parent_id, desk.path) == (
        "North claims desk",
        north.pk,
        tree_path([*tree_path_ids(north.path), desk.pk]),
    )
    entry = _audits(acme_admin.tenant).get(action="department.created")
    assert entry.actor == acme_admin.user
    assert entry.changes == {
        "code": [None, "north-claims"],
        "name": [None, "North claims desk"],
        "parent": [None, "north"],
    }


def test_a_new_tenants_admin_adds_the_top_of_the_tree_then_only_departments_under_it(db, client):
    create_tenant(name="Initech", slug="initech", admin_email="boss@initech.example")
    link = invitation_link("initech", "boss@initech.example")
    accept_invitation(client, link, first_name="Bill", password="A long passphrase 42")
    new = "/initech/settings/departments/new/"

    page = client.get("/initech/settings/departments/").content.decode()
    top = client.post(new, {"parent": "", "name": "Head office", "code": "hq"})
    second_top = client.post(new, {"parent": "", "name": "Another top", "code": "top-2"})

    assert "At the top (the first department only)" in page
    assert top.status_code == 302
    tenant = Tenant.objects.get(slug="initech")
    head_office = _department(tenant, "hq")
    assert (head_office.parent_id, head_office.path) == (None, tree_path([head_office.pk]))
    assert second_top.status_code == 400
    assert "Choose the department it belongs under." in second_top.content.decode()
    assert list(Department.objects.for_tenant(tenant).values_list("code", flat=True)) == ["hq"]


def test_an_admin_renames_a_department(acme_admin, client_of):
    north = _department(acme_admin.tenant, "north")

    response = client_of(acme_admin).post(_url(north), {"name": "Northern region"})

    assert response.status_code == 302
    north.refresh_from_db()
    assert (north.name, north.code) == ("Northern region", "north")
    entry = _audits(acme_admin.tenant).get()
    assert (entry.action, entry.changes) == (
        "department.renamed",
        {"name": ["North region", "Northern region"]},
    )


def test_a_move_rewrites_the_subtrees_paths_and_what_members_see_follows(
    acme_setup, acme_brand, acme_admin, acme_manager, acme_agent, client_of
):
    tenant = acme_admin.tenant
    branch = _department(tenant, "north-branch")
    desk = make_department(tenant, "north-desk", "North desk", parent=branch)
    complaint = file_complaint(acme_brand, category=_claims(acme_setup))
    assert complaint.department_id == branch.pk  # routed to the north branch
    page = f"/acme/complaints/{complaint.reference}/"
    assert client_of(acme_manager).get(page).status_code == 200  # the north's manager, before
    head, south = _department(tenant, "head-office"), _department(tenant, "south")

    response = client_of(acme_admin).post(_url(branch, "move/"), {"parent": south.pk})

    assert response.status_code == 302
    assert _paths(tenant) == {
        "head-office": tree_path([head.pk]),
        "north": tree_path([head.pk, _department(tenant, "north").pk]),
        "south": tree_path([head.pk, south.pk]),
        "south-branch": tree_path([head.pk, south.pk, _department(tenant, "south-branch").pk]),
        "north-branch": tree_path([head.pk, south.pk, branch.pk]),
        "north-desk": tree_path([head.pk, south.pk, branch.pk, desk.pk]),
    }
    assert _department(tenant, "north-branch").parent_id == south.pk
    # The branch's agent still sees the complaint; the old parent's manager no longer does.
    assert client_of(acme_agent).get(page).status_code == 200
    assert client_of(acme_manager).get(page).status_code == 404
    entry = _audits(tenant).get()
    assert (entry.action, entry.changes, entry.note) == (
        "department.moved",
        {"parent": ["north", "south"]},
        "2 departments moved.",
    )


@pytest.mark.parametrize("target", ["north", "north-branch"])
def test_a_move_under_itself_or_its_own_child_is_refused_and_changes_nothing(
    acme_admin, client_of, target
):
    tenant = acme_admin.tenant
    before = _paths(tenant)
    north = _department(tenant, "north")

    response = client_of(acme_admin).post(
        _url(north, "move/"), {"parent": _department(tenant, target).pk}
    )

    assert response.status_code == 400
    assert "A department cannot move under itself or a department below it." in (
        response.content.decode()
    )
    assert _paths(tenant) == before
    assert _department(tenant, "north").parent_id == _department(tenant, "head-office").pk
    assert not _audits(tenant).exists()


def test_closing_a_department_with_open_complaints_is_refused(
    acme_setup, acme_brand, acme_admin, client_of
):
    file_complaint(acme_brand, category=_claims(acme_setup))  # routed to the north branch
    branch = _department(acme_setup, "north-branch")

    response = client_of(acme_admin).post(_url(branch, "close/"))

    assert response.status_code == 400
    assert "It owns 1 open complaint: transfer or finish it first." in response.content.decode()
    assert _department(acme_setup, "north-branch").is_active is True
    assert not _audits(acme_setup).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("head-office", "The top of the tree receives the complaints no rule routes"),
        ("south", "Close or move the departments below it first."),
    ],
)
def test_the_top_and_a_department_with_open_ones_below_stay_open(
    acme_admin, client_of, code, message
):
    department = _department(acme_admin.tenant, code)

    response = client_of(acme_admin).post(_url(department, "close/"))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _department(acme_admin.tenant, code).is_active is True


def test_a_closed_department_gets_no_routed_complaints_and_no_new_departments(
    acme_setup, acme_brand, acme_admin, client_of
):
    tenant = acme_setup
    south_branch = _department(tenant, "south-branch")
    RoutingRule.objects.for_tenant(tenant).update(department=south_branch)
    client = client_of(acme_admin)

    closed = client.post(_url(south_branch, "close/"))
    complaint = file_complaint(acme_brand, category=_claims(tenant))
    refused = client.post(NEW, {"parent": south_branch.pk, "name": "Desk", "code": "desk"})

    assert closed.status_code == 302
    assert _department(tenant, "south-branch").is_active is False
    entry = _audits(tenant).get()
    assert (entry.action, entry.actor, entry.changes) == (
        "department.closed",
        acme_admin.user,
        {"is_active": [True, False]},
    )
    # Its rule is passed over: no other rule matches, so head office gets it, unassigned.
    assert complaint.department_id == _department(tenant, "head-office").pk
    assert complaint.assignee_id is None
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not Department.objects.for_tenant(tenant).filter(code="desk").exists()


def test_a_closed_department_is_opened_again_and_routed_to_once_more(
    acme_setup, acme_brand, acme_admin, client_of
):
    tenant = acme_setup
    south, south_branch = _department(tenant, "south"), _department(tenant, "south-branch")
    RoutingRule.objects.for_tenant(tenant).update(department=south_branch)
    client = client_of(acme_admin)
    client.post(_url(south_branch, "close/"))
    client.post(_url(south, "close/"))

    page = client.get(_url(south_branch)).content.decode()
    below_a_closed_one = client.post(_url(south_branch, "reopen/"))
    client.post(_url(south, "reopen/"))
    reopened = client.post(_url(south_branch, "reopen/"))
    complaint = file_complaint(acme_brand, category=_claims(tenant))

    assert "Open again" in page
    assert below_a_closed_one.status_code == 400
    assert "Open the department above it first." in below_a_closed_one.content.decode()
    assert reopened.status_code == 302
    assert _department(tenant, "south-branch").is_active is True
    assert complaint.department_id == south_branch.pk
    assert list(_audits(tenant).order_by("pk").values_list("action", "target_id")) == [
        ("department.closed", str(south_branch.pk)),
        ("department.closed", str(south.pk)),
        ("department.reopened", str(south.pk)),
        ("department.reopened", str(south_branch.pk)),
    ]


def test_bad_input_when_adding_is_refused_with_a_message(acme_admin, client_of):
    north = _department(acme_admin.tenant, "north")

    duplicate = client_of(acme_admin).post(
        NEW, {"parent": north.pk, "name": "Again", "code": "south"}
    )
    no_parent = client_of(acme_admin).post(NEW, {"name": "Loose", "code": "loose"})

    assert duplicate.status_code == no_parent.status_code == 400
    assert "Another one already has this code." in duplicate.content.decode()
    assert "Choose the department it belongs under." in no_parent.content.decode()
    assert Department.objects.for_tenant(acme_admin.tenant).count() == 5
    assert not _audits(acme_admin.tenant).exists()


def test_a_manager_reads_the_tree_but_cannot_change_it(acme_manager, client_of):
    client = client_of(acme_manager)
    tenant = acme_manager.tenant
    north, south = _department(tenant, "north"), _department(tenant, "south")
    before = _paths(tenant)

    listed = client.get(LIST)
    page = client.get(_url(north))
    refused = [
        client.post(NEW, {"parent": north.pk, "name": "Desk", "code": "desk"}),
        client.post(_url(north), {"name": "Renamed"}),
        client.post(_url(north, "move/"), {"parent": south.pk}),
        client.post(_url(_department(tenant, "south-branch"), "close/")),
        client.post(_url(_department(tenant, "south-branch"), "reopen/")),
    ]

    assert listed.status_code == page.status_code == 200
    assert "<fieldset disabled>" in page.content.decode()
    assert [response.status_code for response in refused] == [403] * 5
    assert _paths(tenant) == before
    assert _department(tenant, "north").name == "North region"
    assert _department(tenant, "south-branch").is_active is True
    assert not _audits(tenant).exists()


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_tree(persona, request, client_of):
    member = request.getfixturevalue(persona)
    north = _department(member.tenant, "north")
    client = client_of(member)

    assert client.get(LIST).status_code == 403
    assert client.get(_url(north)).status_code == 403
    assert client.post(_url(north), {"name": "Renamed"}).status_code == 403
    assert _department(member.tenant, "north").name == "North region"


@pytest.mark.parametrize("action", ["", "move/", "close/", "reopen/"])
def test_another_tenants_department_is_a_missing_one(acme_admin, globex, client_of, action):
    hq = _department(globex, "hq")
    data = {"name": "Hijacked", "parent": _department(acme_admin.tenant, "north").pk}
    client = client_of(acme_admin)

    foreign = client.post(f"{LIST}{hq.pk}/{action}", data)
    missing = client.post(f"{LIST}987654321/{action}", data)

    assert foreign.status_code == missing.status_code == 404
    hq.refresh_from_db()
    assert (hq.name, hq.is_active, hq.parent_id) == ("Globex HQ", True, None)


def test_the_tree_runs_a_fixed_number_of_queries(
    acme, acme_admin, client_of, django_assert_num_queries
):
    client = client_of(acme_admin)
    client.get(LIST)

    # the workspace's 4, the tree, the add form's parents
    with django_assert_num_queries(6):
        client.get(LIST)
    for number in range(20):
        make_department(acme, f"desk-{number}", f"Desk {number}", parent=_department(acme, "north"))
    with django_assert_num_queries(6):
        response = client.get(LIST)

    assert response.content.decode().count('class="depth-2') == 22
