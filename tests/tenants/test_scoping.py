import pytest
from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from tenants.models import Brand, Department, Membership, Role, Tenant, TenantOwned
from tenants.scoping import UnscopedQueryError
from tenants.selectors import memberships_of_user
from tenants.services import membership_grant
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
            lambda: list(
                Brand.objects.filter(Q(tenant=Tenant.objects.get(slug="acme")) | Q(slug="x"))
            ),
            id="tenant-only-inside-an-or",
        ),
        pytest.param(
            lambda: list(Brand.objects.exclude(tenant=Tenant.objects.get(slug="acme"))),
            id="negated",
        ),
        pytest.param(
            lambda: list(Brand.objects.filter(tenant__in=Tenant.objects.all())),
            id="tenant-in-query",
        ),
        pytest.param(
            lambda: list(Brand.objects.filter(tenant_id__in=Tenant.objects.values_list("pk"))),
            id="tenant-id-in-subquery",
        ),
        pytest.param(
            lambda: list(
                Brand.objects.filter(
                    tenant_id__in=list(Tenant.objects.values_list("pk", flat=True))
                )
            ),
            id="tenant-in-several-ids",
        ),
        pytest.param(
            lambda: list(Brand.objects.filter(tenant=F("tenant"))), id="tenant-expression"
        ),
        pytest.param(
            lambda: list(Membership.objects.filter(user__memberships__tenant__slug="acme")),
            id="tenant-of-a-joined-table",
        ),
        pytest.param(
            lambda: list(for_acme() | Brand.objects.all()), id="or-with-an-unscoped-queryset"
        ),
        pytest.param(lambda: list(for_acme() ^ Brand.objects.all()), id="xor"),
        pytest.param(lambda: list(for_acme().union(Brand.objects.all())), id="union"),
        pytest.param(
            lambda: list(
                for_acme().annotate(
                    leak=Subquery(
                        Brand.objects.filter(slug="globex-road").values("sender_email")[:1]
                    )
                )
            ),
            id="subquery",
        ),
        pytest.param(
            lambda: list(for_acme().filter(Exists(Brand.objects.filter(slug="globex-road")))),
            id="exists",
        ),
        pytest.param(
            lambda: list(for_acme().filter(pk__in=Brand.objects.filter(slug="globex-road"))),
            id="in-queryset",
        ),
        pytest.param(lambda: list(Brand.objects.raw("SELECT * FROM tenants_brand")), id="raw"),
    ],
)
def test_a_query_that_does_not_name_its_tenant_raises(brands, run):
    with pytest.raises(UnscopedQueryError):
        run()

    # Nothing was changed by the refused update / delete.
    assert sorted(Brand.objects.unscoped().values_list("name", flat=True)) == sorted(
        brand.name for brand in brands.values()
    )


def for_acme():
    return Brand.objects.for_tenant(Tenant.objects.get(slug="acme"))


def test_scoped_subqueries_and_combinations_run(brands, acme):
    same_tenant = Brand.objects.for_tenant(acme).filter(pk=OuterRef("pk"))

    assert list(for_acme().filter(Exists(same_tenant))) == [brands["acme"]]
    assert list(for_acme() | for_acme().filter(slug="x")) == [brands["acme"]]
    assert list(for_acme().order_by().union(for_acme().order_by())) == [brands["acme"]]
    correlated = Brand.objects.filter(tenant=OuterRef("tenant"), slug="acme-direct").values("pk")
    assert list(for_acme().filter(pk__in=Subquery(correlated))) == [brands["acme"]]


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


def test_a_users_own_memberships_are_read_across_tenants_only_explicitly(acme_agent, globex):
    membership_grant(tenant=globex, actor=None, user=acme_agent.user, role=Role.ANALYST)

    with pytest.raises(UnscopedQueryError):
        list(acme_agent.user.memberships.all())
    tenants = [m.tenant.slug for m in memberships_of_user(acme_agent.user)]
    assert tenants == ["acme", "globex"]


def test_for_tenant_refuses_an_unsaved_tenant():
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
        # Only an index named *_all_tenants (a cross-tenant sweep) may lead with another column.
        leading_fields = [
            index.fields[0]
            for index in model._meta.indexes
            if not index.name.endswith("_all_tenants")
        ] + [
            constraint.fields[0]
            for constraint in model._meta.constraints
            if getattr(constraint, "fields", None) and not constraint.name.endswith("_all_tenants")
        ]
        assert leading_fields, f"{model.__name__} has no index"
        assert set(leading_fields) == {"tenant"}, f"{model.__name__}: {leading_fields}"
