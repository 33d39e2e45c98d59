import factory
from django.contrib.auth import get_user_model

from tenants.models import Brand, Department, Membership, Role, Tenant, Touchpoint
from tenants.services import department_create, membership_grant

PASSWORD = "correct horse battery staple"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tenant-{n}")
    name = factory.LazyAttribute(lambda tenant: tenant.slug.title())
    country = "GR"
    time_zone = "Europe/Athens"
    default_language = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda user: user.username)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or PASSWORD)
        if create:
            user.save(update_fields=["password"])


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    slug = factory.Sequence(lambda n: f"brand-{n}")
    name = factory.LazyAttribute(lambda brand: brand.slug.title())
    reference_prefix = factory.Sequence(lambda n: "AB" + "".join(chr(65 + int(d)) for d in str(n)))
    sender_name = factory.LazyAttribute(lambda brand: brand.name)
    sender_email = factory.LazyAttribute(lambda brand: f"care@{brand.slug}.example")


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    code = factory.Sequence(lambda n: f"touchpoint-{n}")
    name = factory.LazyAttribute(lambda touchpoint: touchpoint.code.title())
    kind = Touchpoint.Kind.CALL_CENTRE


def make_tenant(**fields) -> Tenant:
    return TenantFactory(**fields)


def make_department(tenant: Tenant, code: str, name: str, parent: Department | None = None):
    return department_create(tenant=tenant, actor=None, code=code, name=name, parent=parent)


def make_member(
    tenant: Tenant, name: str, role: Role, department_code: str | None, external_code: str = ""
) -> Membership:
    """A user called ``name`` (email ``name@<tenant>.example``) with ``role`` in ``tenant``."""
    user = UserFactory(username=f"{name}@{tenant.slug}.example", first_name=name.title())
    department = (
        Department.objects.for_tenant(tenant).get(code=department_code) if department_code else None
    )
    return membership_grant(
        tenant=tenant,
        actor=None,
        user=user,
        role=role,
        department=department,
        external_code=external_code,
    )


# --- the personas of tests/conftest.py (also built once per module by tests that need many) ---

# persona → (user name, role, department code, external code)
PERSONAS = {
    "acme_admin": ("alice", Role.ADMIN, "head-office", ""),
    "acme_manager": ("mario", Role.MANAGER, "north", ""),
    "acme_agent": ("bob", Role.AGENT, "north-branch", "EMP-1"),
    "acme_south_agent": ("sara", Role.AGENT, "south-branch", "EMP-2"),
    "acme_performer": ("pete", Role.PERFORMER, "north-branch", "EMP-3"),
    "acme_analyst": ("ana", Role.ANALYST, None, ""),
    "globex_agent": ("charlie", Role.AGENT, "hq", ""),
}


def make_acme() -> Tenant:
    """Acme, the tenant under test: a head office, a north and a south region, a branch under
    each."""
    tenant = make_tenant(slug="acme", name="Acme Insurance")
    head_office = make_department(tenant, "head-office", "Head office")
    north = make_department(tenant, "north", "North region", parent=head_office)
    south = make_department(tenant, "south", "South region", parent=head_office)
    make_department(tenant, "north-branch", "North branch", parent=north)
    make_department(tenant, "south-branch", "South branch", parent=south)
    return tenant


def make_globex() -> Tenant:
    """Globex, another tenant whose members must see nothing of Acme."""
    tenant = make_tenant(slug="globex", name="Globex Assistance")
    make_department(tenant, "hq", "Globex HQ")
    return tenant


def make_persona(persona: str, tenant: Tenant) -> Membership:
    name, role, department_code, external_code = PERSONAS[persona]
    return make_member(tenant, name, role, department_code, external_code=external_code)
