import pytest
from django.apps import apps
from django.db.models import Count, Q

from tenants.models import Brand, Department, Membership, TenantOwned
from tenants.scoping import UnscopedQueryError
from tests.factories import BrandFactory


@pytest.fixture
def brands(acme, globex):
    return {
        "acme": BrandFactory(tenant=acme, slug="acme-direct"),
        "globex": BrandFactory(tenant=globex, slug="globex-road"),
    }


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda: list(Brand.objects.all()), id="list"),
        pytest.param(lambda: Brand.objects.filter(slug="acme-direct").first(), id="first"),
        pytest.param(lambda: Brand.objects.get(slug="acme-direct"), id="get"),
        pytest.param(lambda: Brand.objects.count(), id="count"),
        pytest.param(lambda: Brand.objects.exists(), id="exists"),
        pytest.param(lambda: list(Brand.objects.values_list("slug", flat=True)), id="values"),
        pytest.param(lambda: list(Brand.objects.iterator()), id="iterator"),
        pytest.param(lambda: Brand.objects.aggregate(n=Count("id")), id="aggregate"),
        pytest.param(lambda: Brand.objects.update(name="Hijacked"), id="update"),
        pytest.param(lambda: Brand.objects.all().delete(), id="delete"),
        pytest.param(lambda: Brand.objects.in_bulk(), id="in_bulk"),
        pytest.param(
            lambda: list(Brand.objects.filter(Q(tenant__slug="acme") | Q(slug="x"))),
            id="tenant-only-inside-an-or",
        ),
        pytest.param(lambda: list(Brand.objects.exclude(tenant__slug="acme")), id="negated"),
    ],
)
def test_a_query_that_does_not_name_its_tenant_raises(brands, run):
    with pytest.raises(UnscopedQueryError):
        run()

    # Nothing was changed by the refused update / delete.
    assert sorted(Brand.objects.unscoped().values_list("name", flat=True)) == sorted(
        brand.name for brand in brands.values()
    )


def test_for_tenant_returns_only_that_tenants_rows(brands, acme, globex):
    assert list(Brand.objects.for_tenant(acme)) == [brands["acme"]]
    assert list(Brand.objects.for_tenant(globex.pk).values_list("slug", flat=True)) == [
        "globex-road"
    ]
    assert Brand.objects.for_tenant(acme).filter(slug="globex-road").exists() is False


def test_a_top_level_tenant_condition_counts_as_scope(brands, acme):
    assert list(Brand.objects.filter(tenant=acme, slug="acme-direct")) == [brands["acme"]]
    assert Brand.objects.filter(tenant_id__in=[acme.pk]).count() == 1


def test_unscoped_is_the_explicit_way_across_tenants(brands):
    assert Brand.objects.unscoped().count() == 2


def test_related_managers_of_a_scoped_object_are_in_scope(acme):
    north = Department.objects.for_tenant(acme).get(code="north")

    assert [child.code for child in north.children.all()] == ["north-branch"]


def test_a_users_own_memberships_are_readable_across_tenants(acme_agent, globex):
    Membership.objects.create(tenant=globex, user=acme_agent.user, role="analyst")

    tenants = sorted(acme_agent.user.memberships.values_list("tenant__slug", flat=True))

    assert tenants == ["acme", "globex"]


def test_for_tenant_refuses_an_unsaved_tenant():
    from tenants.models import Tenant

    with pytest.raises(UnscopedQueryError):
        Brand.objects.for_tenant(Tenant())


def test_every_tenant_owned_model_is_scoped_and_indexed_by_tenant_first():
    tenant_owned = [
        model
        for model in apps.get_models()
        if issubclass(model, TenantOwned) and not model._meta.abstract
    ]
    assert {model.__name__ for model in tenant_owned} >= {
        "Brand",
        "Department",
        "Membership",
        "Touchpoint",
    }
    for model in tenant_owned:
        assert hasattr(model.objects, "for_tenant"), model
        leading_fields = [index.fields[0] for index in model._meta.indexes] + [
            constraint.fields[0] for constraint in model._meta.constraints if constraint.fields
        ]
        assert leading_fields, f"{model.__name__} has no index"
        assert set(leading_fields) == {"tenant"}, f"{model.__name__}: {leading_fields}"
