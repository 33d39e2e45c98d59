"""SLA policies are saved through one writer, with checks and audit: a tenant's admin (as a
member) on the settings pages, the platform's superuser in the Django admin."""

import pytest
from django.urls import reverse

from complaints.models import Category, SlaPolicy
from complaints.policies import sla_policy_save, sla_policy_save_for_tenant
from tenants.errors import ApplicationError, NotFound
from tenants.models import AuditEntry
from tests.factories import UserFactory


def policy_values(**overrides):
    return {
        "name": "Claims, fast",
        "acknowledgement_hours": 4,
        "first_response_hours": 8,
        "resolution_hours": 40,
        **overrides,
    }


def test_a_policy_is_saved_and_its_change_audited(acme_setup, acme_admin):
    claims = Category.objects.for_tenant(acme_setup).get(code="claims")
    policy = sla_policy_save(actor=acme_admin, category=claims, **policy_values())
    sla_policy_save(
        actor=acme_admin,
        policy=policy,
        category=claims,
        **policy_values(resolution_hours=32),
    )

    policy.refresh_from_db()
    assert (policy.category_id, policy.resolution_hours) == (claims.pk, 32)
    assert list(
        AuditEntry.objects.for_tenant(acme_setup)
        .filter(target_type="complaints.slapolicy")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["sla_policy.created", "sla_policy.changed"]
    assert AuditEntry.objects.for_tenant(acme_setup).get(action="sla_policy.changed").changes == {
        "resolution_hours": [40, 32]
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"acknowledgement_hours": 0}, "acknowledgement_hours"),
        ({"first_response_hours": 50}, "first_response_hours"),  # after resolution (40)
        ({"severity": "apocalyptic"}, "severity"),
    ],
)
def test_a_bad_policy_is_refused_with_its_field_and_nothing_saved(
    acme_setup, acme_admin, overrides, field
):
    with pytest.raises(ApplicationError) as refused:
        sla_policy_save(actor=acme_admin, **policy_values(**overrides))

    assert list(refused.value.fields) == [field]
    assert not SlaPolicy.objects.for_tenant(acme_setup).exists()
    assert not AuditEntry.objects.for_tenant(acme_setup).filter(action__startswith="sla").exists()


def test_another_tenants_category_is_refused(acme_setup, globex):
    from complaints.services import category_create

    foreign = category_create(tenant=globex, actor=None, code="x", name="X")

    with pytest.raises(ApplicationError) as refused:
        sla_policy_save_for_tenant(
            tenant=acme_setup, user=None, category=foreign, **policy_values()
        )

    assert refused.value.fields == {"category": ["Choose one of the same tenant."]}


def test_a_superuser_adds_a_policy_in_the_admin_through_the_service(client, acme_setup):
    root = UserFactory(username="root@example.com", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:complaints_slapolicy_add")
    form = {
        "tenant": acme_setup.pk,
        "name": "Critical",
        "severity": "critical",
        "acknowledgement_hours": 1,
        "first_response_hours": 2,
        "resolution_hours": 16,
        "is_active": "on",
    }

    refused = client.post(url, {**form, "first_response_hours": 30})
    saved = client.post(url, form)

    assert refused.status_code == 200  # the form again, with the error
    assert "Acknowledge first, respond next, resolve last" in refused.content.decode()
    assert saved.status_code == 302
    policy = SlaPolicy.objects.for_tenant(acme_setup).get()
    assert (policy.name, policy.severity, policy.resolution_hours) == ("Critical", "critical", 16)
    assert (
        AuditEntry.objects.for_tenant(acme_setup).get(target_type="complaints.slapolicy").actor
        == root
    )


def test_a_superuser_closes_a_day_in_the_admin(client, acme):
    client.force_login(UserFactory(username="root@example.com", is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:tenants_closure_add"),
        {"tenant": acme.pk, "day": "2026-12-24", "name": "Christmas Eve"},
    )

    assert response.status_code == 302
    assert AuditEntry.objects.for_tenant(acme).get(target_type="tenants.closure").action == (
        "closure.set"
    )


def test_another_tenants_policy_is_not_found_and_left_as_it_was(acme_setup, globex, acme_admin):
    theirs = sla_policy_save_for_tenant(tenant=globex, user=None, **policy_values(name="Globex"))

    with pytest.raises(NotFound) as refused:
        sla_policy_save(actor=acme_admin, policy=theirs, **policy_values(name="Mine"))

    assert (refused.value.status, refused.value.code) == (404, "not_found")
    theirs.refresh_from_db()
    assert (theirs.tenant_id, theirs.name) == (globex.pk, "Globex")
    assert not AuditEntry.objects.for_tenant(acme_setup).filter(action__startswith="sla").exists()
