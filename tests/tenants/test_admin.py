import pytest
from django.urls import reverse

from tenants.models import AuditEntry, Brand, Department
from tests.factories import TouchpointFactory, UserFactory


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", ["tenant", "brand", "touchpoint", "department", "membership", "auditentry"]
)
def test_superusers_browse_every_tenants_rows(
    superuser_client, acme_agent, globex_agent, acme_brand, globex_brand, model
):
    for tenant in (acme_agent.tenant, globex_agent.tenant):
        TouchpointFactory(tenant=tenant, code="claims-desk")

    changelist = superuser_client.get(reverse(f"admin:tenants_{model}_changelist"))
    add_form = superuser_client.get(reverse(f"admin:tenants_{model}_add"))

    rows = changelist.context["cl"].result_list
    assert {row.slug if model == "tenant" else row.tenant.slug for row in rows} == {
        "acme",
        "globex",
    }
    # The audit trail is read-only.
    assert add_form.status_code == (403 if model == "auditentry" else 200)


def test_the_admin_adds_a_department_in_the_tree(superuser_client, acme):
    north = Department.objects.for_tenant(acme).get(code="north")

    response = superuser_client.post(
        reverse("admin:tenants_department_add"),
        {"tenant": acme.pk, "code": "north-2", "name": "North branch 2", "parent": north.pk},
    )

    assert response.status_code == 302
    created = Department.objects.for_tenant(acme).get(code="north-2")
    assert created.path == f"{north.path}{created.pk:010d}/"
    entry = AuditEntry.objects.for_tenant(acme).get(target_id=str(created.pk))
    assert (entry.action, entry.actor.username) == ("department.created", "root@example.com")


def test_an_admin_edit_is_audited(superuser_client, acme_agent):
    response = superuser_client.post(
        reverse("admin:tenants_membership_change", args=[acme_agent.pk]),
        {
            "tenant": acme_agent.tenant_id,
            "user": acme_agent.user_id,
            "role": "manager",
            "department": acme_agent.department_id,
            "external_code": "EMP-1",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.for_tenant(acme_agent.tenant).get(action="admin.changed")
    assert entry.target_id == str(acme_agent.pk)
    assert entry.changes == {"role": ["agent", "manager"]}


def test_staff_without_superuser_rights_cannot_see_tenant_data(client, acme_agent):
    from django.contrib.auth.models import Permission

    staff = UserFactory(username="staff@example.com", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_membership"))
    client.force_login(staff)

    response = client.get(reverse("admin:tenants_membership_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_admin_refuses_a_second_brand_with_the_same_reference_prefix(
    superuser_client, acme_brand
):
    response = superuser_client.post(
        reverse("admin:tenants_brand_add"),
        {
            "tenant": acme_brand.tenant_id,
            "slug": "acme-direct",
            "name": "Acme Direct",
            "reference_prefix": "AMO",
            "sender_name": "Acme Direct",
            "sender_email": "care@acme-direct.example",
            "colour": "#1f5fa8",
            "is_active": "on",
        },
    )

    # References (AMO-2026-000123) of two brands would collide.
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": ["Brand with this Tenant and Reference prefix already exists."]
    }
    assert list(
        Brand.objects.for_tenant(acme_brand.tenant).values_list("slug", "reference_prefix")
    ) == [("acme-motor", "AMO")]
