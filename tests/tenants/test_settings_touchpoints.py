"""Touchpoints in the settings: admins add and change them (audited), managers read, other
roles see nothing, another tenant's touchpoint or department is a missing one."""

import pytest

from tenants.models import AuditEntry, Department, Touchpoint
from tests.factories import TouchpointFactory

LIST = "/acme/settings/touchpoints/"
NEW = "/acme/settings/touchpoints/new/"


@pytest.fixture
def desk(acme):
    return TouchpointFactory(tenant=acme, code="claims-desk", name="Claims desk")


def _department(tenant, code) -> Department:
    return Department.objects.for_tenant(tenant).get(code=code)


def _form(tenant, **overrides) -> dict:
    return {
        "code": "road-assistance",
        "name": "Roadside assistance",
        "kind": Touchpoint.Kind.ROAD_ASSISTANCE,
        "owner_department": _department(tenant, "north").pk,
        "is_active": "on",
        **overrides,
    }


def _audits(tenant):
    return AuditEntry.objects.for_tenant(tenant).filter(action__startswith="touchpoint.")


def test_an_admin_adds_a_touchpoint_and_it_is_audited(acme_admin, client_of):
    tenant = acme_admin.tenant

    response = client_of(acme_admin).post(NEW, _form(tenant))

    assert response.status_code == 302
    touchpoint = Touchpoint.objects.for_tenant(tenant).get(code="road-assistance")
    north = _department(tenant, "north")
    assert (touchpoint.name, touchpoint.kind, touchpoint.owner_department_id) == (
        "Roadside assistance",
        "road_assistance",
        north.pk,
    )
    entry = _audits(tenant).get()
    assert (entry.action, entry.actor) == ("touchpoint.created", acme_admin.user)
    assert entry.changes["owner_department"] == [None, north.pk]


def test_an_admin_changes_a_touchpoint(acme_admin, desk, client_of):
    tenant = acme_admin.tenant
    south = _department(tenant, "south")

    response = client_of(acme_admin).post(
        f"{LIST}{desk.pk}/",
        _form(
            tenant,
            code="claims-desk",
            name="Claims desk (south)",
            kind="claims_desk",
            owner_department=south.pk,
            is_active="",
        ),
    )

    assert response.status_code == 302
    desk.refresh_from_db()
    assert (desk.name, desk.owner_department_id, desk.is_active) == (
        "Claims desk (south)",
        south.pk,
        False,
    )
    entry = _audits(tenant).get()
    assert entry.action == "touchpoint.changed"
    assert entry.changes == {
        "name": ["Claims desk", "Claims desk (south)"],
        "kind": ["call_centre", "claims_desk"],
        "owner_department": [None, south.pk],
        "is_active": [True, False],
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "claims-desk"}, "Another one already has this code."),
        ({"code": "road assistance"}, "Enter a valid “slug”"),
        ({"kind": "carrier-pigeon"}, "Select a valid choice."),
        ({"name": "  "}, "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    acme_admin, desk, client_of, overrides, message
):
    response = client_of(acme_admin).post(NEW, _form(acme_admin.tenant, **overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(
        Touchpoint.objects.for_tenant(acme_admin.tenant).values_list("code", flat=True)
    ) == ["claims-desk"]
    assert not _audits(acme_admin.tenant).exists()


def test_a_closed_department_cannot_be_given_a_touchpoint_but_one_it_has_stays(
    acme_admin, desk, client_of
):
    tenant = acme_admin.tenant
    south_branch = _department(tenant, "south-branch")
    Touchpoint.objects.for_tenant(tenant).filter(pk=desk.pk).update(owner_department=south_branch)
    client = client_of(acme_admin)
    client.post(f"/acme/settings/departments/{south_branch.pk}/close/")

    refused = client.post(NEW, _form(tenant, owner_department=south_branch.pk))
    kept = client.post(
        f"{LIST}{desk.pk}/",
        _form(tenant, code="claims-desk", name="Desk", owner_department=south_branch.pk),
    )

    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    assert kept.status_code == 302
    desk.refresh_from_db()
    assert (desk.name, desk.owner_department_id) == ("Desk", south_branch.pk)


def test_a_manager_reads_the_touchpoints_but_cannot_change_them(acme_manager, desk, client_of):
    client = client_of(acme_manager)

    listed = client.get(LIST)
    page = client.get(f"{LIST}{desk.pk}/")
    refused = [
        client.post(NEW, _form(acme_manager.tenant)),
        client.post(f"{LIST}{desk.pk}/", _form(acme_manager.tenant, code="claims-desk")),
    ]

    assert listed.status_code == page.status_code == 200
    assert "Claims desk" in listed.content.decode()
    assert "<fieldset disabled>" in page.content.decode()
    assert [response.status_code for response in refused] == [403, 403]
    desk.refresh_from_db()
    assert (desk.name, desk.kind) == ("Claims desk", "call_centre")
    assert Touchpoint.objects.for_tenant(acme_manager.tenant).count() == 1
    assert not _audits(acme_manager.tenant).exists()


@pytest.mark.parametrize("persona", ["acme_agent", "acme_performer", "acme_analyst"])
def test_other_roles_do_not_see_the_touchpoints(persona, request, desk, client_of):
    client = client_of(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{desk.pk}/").status_code == 403
    assert client.post(NEW, _form(desk.tenant)).status_code == 403
    assert Touchpoint.objects.for_tenant(desk.tenant).count() == 1


def test_another_tenants_touchpoint_or_department_is_a_missing_one(acme_admin, globex, client_of):
    theirs = TouchpointFactory(tenant=globex, code="globex-desk", name="Globex desk")
    client = client_of(acme_admin)
    form = _form(acme_admin.tenant, code="globex-desk", name="Hijacked")

    foreign = client.post(f"{LIST}{theirs.pk}/", form)
    missing = client.post(f"{LIST}987654321/", form)
    foreign_owner = client.post(NEW, {**form, "owner_department": _department(globex, "hq").pk})

    assert foreign.status_code == missing.status_code == 404
    assert foreign_owner.status_code == 400
    assert "Select a valid choice." in foreign_owner.content.decode()
    assert "Globex" not in foreign_owner.content.decode()
    theirs.refresh_from_db()
    assert theirs.name == "Globex desk"
    assert not Touchpoint.objects.for_tenant(acme_admin.tenant).exists()


def test_the_touchpoint_list_runs_a_fixed_number_of_queries(
    acme, acme_admin, client_of, django_assert_num_queries
):
    north = _department(acme, "north")
    TouchpointFactory(tenant=acme, code="tp-00", owner_department=north)
    client = client_of(acme_admin)
    client.get(LIST)

    # the workspace's 4, the touchpoints with their owning departments
    with django_assert_num_queries(5):
        client.get(LIST)
    for number in range(1, 20):
        TouchpointFactory(tenant=acme, code=f"tp-{number:02}", owner_department=north)
    with django_assert_num_queries(5):
        response = client.get(LIST)

    assert response.content.decode().count("<td>North region</td>") == 20
