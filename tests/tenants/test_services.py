import pytest

from tenants.errors import ApplicationError
from tenants.models import AuditEntry, Department, Membership, Role
from tenants.services import department_create, membership_grant
from tests.factories import UserFactory


def test_departments_record_their_place_in_the_tree(acme):
    north = Department.objects.for_tenant(acme).get(code="north")
    branch = Department.objects.for_tenant(acme).get(code="north-branch")
    head_office = Department.objects.for_tenant(acme).get(code="head-office")

    assert head_office.path == f"/{head_office.pk:010d}/"
    assert branch.path == f"/{head_office.pk:010d}/{north.pk:010d}/{branch.pk:010d}/"
    assert (head_office.depth, north.depth, branch.depth) == (0, 1, 2)
    assert north.contains(branch) and not branch.contains(north)


def test_a_department_cannot_hang_under_another_tenants(acme, globex):
    foreign_parent = Department.objects.for_tenant(globex).get(code="hq")

    with pytest.raises(ApplicationError, match="belongs to another tenant"):
        department_create(
            tenant=acme, actor=None, code="stray", name="Stray", parent=foreign_parent
        )

    assert not Department.objects.for_tenant(acme).filter(code="stray").exists()


def test_a_membership_cannot_point_at_another_tenants_department(acme, globex):
    user = UserFactory()

    with pytest.raises(ApplicationError, match="belongs to another tenant"):
        membership_grant(
            tenant=acme,
            actor=None,
            user=user,
            role=Role.AGENT,
            department=Department.objects.for_tenant(globex).get(code="hq"),
        )

    assert not Membership.objects.for_tenant(acme).filter(user=user).exists()


def test_granting_again_changes_the_role_and_audits_the_change(acme_admin, acme_agent):
    membership_grant(
        tenant=acme_agent.tenant, actor=acme_admin.user, user=acme_agent.user, role=Role.ANALYST
    )

    memberships = Membership.objects.for_tenant(acme_agent.tenant).filter(user=acme_agent.user)
    assert [(m.role, m.department_id) for m in memberships] == [(Role.ANALYST, None)]
    entry = AuditEntry.objects.for_tenant(acme_agent.tenant).get(
        action="membership.changed", target_id=str(acme_agent.pk)
    )
    assert entry.actor == acme_admin.user
    assert entry.changes == {
        "role": ["agent", "analyst"],
        "department": [acme_agent.department_id, None],
        "external_code": ["EMP-1", ""],
    }


def test_granting_the_same_role_again_records_nothing(acme_agent):
    entries = AuditEntry.objects.for_tenant(acme_agent.tenant)
    before = entries.count()

    membership_grant(
        tenant=acme_agent.tenant,
        actor=None,
        user=acme_agent.user,
        role=acme_agent.role,
        department=acme_agent.department,
        external_code=acme_agent.external_code,
    )

    assert entries.count() == before


def test_creating_a_department_is_audited(acme):
    north = Department.objects.for_tenant(acme).get(code="north")

    entry = AuditEntry.objects.for_tenant(acme).get(
        action="department.created", target_id=str(north.pk)
    )

    assert entry.actor is None
    assert entry.changes["parent"] == [None, "head-office"]


def test_every_role_but_admin_and_analyst_needs_a_department(acme):
    user = UserFactory()

    for role in (Role.MANAGER, Role.AGENT, Role.PERFORMER):
        with pytest.raises(ApplicationError) as refused:
            membership_grant(tenant=acme, actor=None, user=user, role=role)
        assert refused.value.fields == {"department": ["Choose the member's department."]}

    assert not Membership.objects.for_tenant(acme).filter(user=user).exists()
