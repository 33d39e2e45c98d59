"""The audit trail: one row per change, written inside the transaction that makes it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from tenants import rls
from tenants.models import AuditEntry, Membership, Tenant
from tenants.rls import all_tenants


def audit_record(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    action: str,
    target: models.Model,
    changes: dict | None = None,
    note: str = "",
) -> AuditEntry:
    """Record that ``actor`` (None: the system) did ``action`` to ``target``.

    ``changes`` maps a field name to ``[before, after]``.
    """
    return AuditEntry.objects.create(
        tenant=tenant,
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes or {},
        note=note,
    )


def field_changes(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value differs."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def account_audit(*, user: AbstractBaseUser, action: str) -> None:
    """Record a change to ``user``'s account (a password reset, two-factor turned on or off)
    in the audit trail of each of their workspaces: an account is no one tenant's, and each
    tenant's admins see what happened to their members' sign-in."""
    # Deliberately across tenants: the user's own memberships, one audit row in each.
    with all_tenants():
        memberships = list(Membership.objects.unscoped().filter(user=user).select_related("tenant"))
    for membership in memberships:
        with rls.tenant(membership.tenant):
            audit_record(tenant=membership.tenant, actor=user, action=action, target=user)
