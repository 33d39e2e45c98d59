import pytest

from tenants.errors import ApplicationError
from tenants.models import Department, Membership, Role
from tenants.services import department_create, membership_grant
from tests.factories import UserFactory


def test_departments_record_their_place_in_the_tree(acme):
    north = Department.objects.for_tenant(acme).get(code="north")
    branch = Department.objects.for_tenant(acme).get(code="north-branch")
    head_office = Department.objects.for_tenant(acme).get(code="head-office")

    assert head_office.path == f"/{head_office.pk}/"
    assert branch.path == f"/{head_office.pk}/{north.pk}/{branch.pk}/"
    assert north.contains(branch) and not branch.contains(north)


def test_a_department_cannot_hang_under_another_tenants(acme, globex):
    foreign_parent = Department.objects.for_tenant(globex).get(code="hq")

    with pytest.raises(ApplicationError):
        department_create(tenant=acme, code="stray", name="Stray", parent=foreign_parent)

    assert not Department.objects.for_tenant(acme).filter(code="stray").exists()


def test_a_membership_cannot_point_at_another_tenants_department(acme, globex):
    user = UserFactory()

    with pytest.raises(ApplicationError):
        membership_grant(
            tenant=acme,
            user=user,
            role=Role.AGENT,
            department=Department.objects.for_tenant(globex).get(code="hq"),
        )

    assert not Membership.objects.for_tenant(acme).filter(user=user).exists()


def test_granting_again_changes_the_role_instead_of_adding_a_membership(acme_agent):
    membership_grant(tenant=acme_agent.tenant, user=acme_agent.user, role=Role.MANAGER)

    memberships = Membership.objects.for_tenant(acme_agent.tenant).filter(user=acme_agent.user)
    assert [(m.role, m.department_id) for m in memberships] == [(Role.MANAGER, None)]
