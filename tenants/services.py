"""Writes to the tenant structure: departments and memberships."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tenants.errors import ApplicationError
from tenants.models import Department, Membership, Role, Tenant


@transaction.atomic
def department_create(
    *, tenant: Tenant, code: str, name: str, parent: Department | None = None
) -> Department:
    """Add a department under ``parent`` (or a root) and record its place in the tree."""
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ApplicationError("The parent department belongs to another tenant.", code="tenant")
    department = Department.objects.create(
        tenant=tenant, code=code, name=name, parent=parent, path=""
    )
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    Department.objects.for_tenant(tenant).filter(pk=department.pk).update(path=department.path)
    return department


def department_ensure(
    *, tenant: Tenant, code: str, name: str, parent: Department | None = None
) -> Department:
    """The department with ``code``, created under ``parent`` if it does not exist yet."""
    existing = Department.objects.for_tenant(tenant).filter(code=code).first()
    if existing is not None:
        return existing
    return department_create(tenant=tenant, code=code, name=name, parent=parent)


def membership_grant(
    *,
    tenant: Tenant,
    user: AbstractBaseUser,
    role: Role,
    department: Department | None = None,
    external_code: str = "",
) -> Membership:
    """Give ``user`` a role in ``tenant`` (or change the one they have)."""
    if department is not None and department.tenant_id != tenant.pk:
        raise ApplicationError("The department belongs to another tenant.", code="tenant")
    membership, _created = Membership.objects.update_or_create(
        tenant=tenant,
        user=user,
        defaults={
            "role": role,
            "department": department,
            "external_code": external_code,
            "is_active": True,
        },
    )
    return membership
