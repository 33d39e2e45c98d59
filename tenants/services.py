"""Writes to the tenant structure: departments and memberships. Each one is audited."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError
from tenants.models import Department, Membership, Role, Tenant
from tenants.trees import tree_node_create


@transaction.atomic
def department_create(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    code: str,
    name: str,
    parent: Department | None = None,
) -> Department:
    """Add a department under ``parent`` (or a root) and record its place in the tree."""
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ApplicationError("The parent department belongs to another tenant.", code="tenant")
    department = tree_node_create(Department, tenant=tenant, parent=parent, code=code, name=name)
    audit_record(
        tenant=tenant,
        actor=actor,
        action="department.created",
        target=department,
        changes={
            "code": [None, code],
            "name": [None, name],
            "parent": [None, parent and parent.code],
        },
    )
    return department


def department_ensure(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    code: str,
    name: str,
    parent: Department | None = None,
) -> Department:
    """The department with ``code``, created under ``parent`` if it does not exist yet."""
    existing = Department.objects.for_tenant(tenant).filter(code=code).first()
    if existing is not None:
        return existing
    return department_create(tenant=tenant, actor=actor, code=code, name=name, parent=parent)


def _membership_state(membership: Membership | None) -> dict:
    if membership is None:
        return {}
    return {
        "role": membership.role,
        "department": membership.department_id,
        "external_code": membership.external_code,
        "is_active": membership.is_active,
    }


@transaction.atomic
def membership_grant(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    user: AbstractBaseUser,
    role: Role,
    department: Department | None = None,
    external_code: str = "",
) -> Membership:
    """Give ``user`` a role in ``tenant`` (or change the one they have); audited if it changed."""
    if department is not None and department.tenant_id != tenant.pk:
        raise ApplicationError("The department belongs to another tenant.", code="tenant")
    if department is None and role not in (Role.ADMIN, Role.ANALYST):
        raise ApplicationError(
            "Managers, agents and performers need a department.",
            fields={"department": ["Choose the member's department."]},
        )
    existing = Membership.objects.for_tenant(tenant).select_for_update().filter(user=user).first()
    before = _membership_state(existing)
    membership, created = Membership.objects.update_or_create(
        tenant=tenant,
        user=user,
        defaults={
            "role": role,
            "department": department,
            "external_code": external_code,
            "is_active": True,
        },
    )
    changes = field_changes(before, _membership_state(membership))
    if changes:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="membership.granted" if created else "membership.changed",
            target=membership,
            changes=changes,
        )
    return membership
