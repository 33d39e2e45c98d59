"""The audit trail: one row per change, written inside the transaction that makes it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from tenants.models import AuditEntry, Tenant


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
