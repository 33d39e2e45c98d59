"""Writes of SLA policies: the targets a tenant sets for the complaints that match them.

The SLA clocks (``complaints.sla``: ``policy_for``, the one place a policy is chosen) read the
policies; a policy saved here applies to clocks that start (or are re-targeted by an
assessment) after it is saved, never to due times already set.

Two doors, one writer: a tenant's admin on the settings pages (:func:`sla_policy_save`, acting
as their membership), and the platform's superuser in the Django admin
(:func:`sla_policy_save_for_tenant`, who is no member of the tenant).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Category, Severity, SlaPolicy
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, NotFound
from tenants.models import Brand, Membership, Tenant
from tenants.permissions import Action, require

MAX_TARGET_HOURS = 24 * 365

TARGETS = ("acknowledgement_hours", "first_response_hours", "resolution_hours")


def _state(policy: SlaPolicy) -> dict:
    return {
        "name": policy.name,
        "brand": policy.brand_id,
        "category": policy.category_id,
        "severity": policy.severity,
        **{target: getattr(policy, target) for target in TARGETS},
        "warning_percent": policy.warning_percent,
        "is_active": policy.is_active,
    }


def sla_policy_problems(
    *,
    tenant: Tenant,
    name: str,
    acknowledgement_hours,
    first_response_hours,
    resolution_hours,
    brand: Brand | None = None,
    category: Category | None = None,
    severity: str = "",
    warning_percent=None,
    **_ignored,
) -> dict[str, list[str]]:
    """What is wrong with these values for a policy of ``tenant``, by field (empty: nothing).

    Targets are whole working hours, each at least 1; acknowledgement may not come after first
    response, nor first response after resolution. The warning share, if given, is 1-99 %.
    """
    errors = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the policy a name.")]
    for field, related in (("brand", brand), ("category", category)):
        if related is not None and related.tenant_id != tenant.pk:
            errors[field] = [_("Choose one of the same tenant.")]
    if severity and severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    hours = {
        "acknowledgement_hours": acknowledgement_hours,
        "first_response_hours": first_response_hours,
        "resolution_hours": resolution_hours,
    }
    for field, value in hours.items():
        if not isinstance(value, int) or not 1 <= value <= MAX_TARGET_HOURS:
            errors[field] = [
                _("Between 1 and %(most)s working hours.") % {"most": MAX_TARGET_HOURS}
            ]
    if not errors and not (
        hours["acknowledgement_hours"] <= hours["first_response_hours"] <= hours["resolution_hours"]
    ):
        errors["first_response_hours"] = [
            _("Acknowledge first, respond next, resolve last: targets in that order.")
        ]
    if warning_percent is not None and (
        not isinstance(warning_percent, int) or not 1 <= warning_percent <= 99
    ):
        errors["warning_percent"] = [_("Between 1 and 99 percent, or empty for the default.")]
    return errors


@transaction.atomic
def sla_policy_save(
    *,
    actor: Membership,
    name: str,
    acknowledgement_hours: int,
    first_response_hours: int,
    resolution_hours: int,
    brand: Brand | None = None,
    category: Category | None = None,
    severity: str = "",
    warning_percent: int | None = None,
    is_active: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """A tenant's admin creates a policy (``policy`` None) or changes one (deactivating it with
    ``is_active=False``); audited with what changed.

    Refused (ApplicationError with field errors) when :func:`sla_policy_problems` finds any;
    another tenant's ``policy`` is :class:`NotFound`, as if it did not exist.
    """
    require(actor, Action.MANAGE_TENANT)
    return _save(
        tenant=actor.tenant,
        user=actor.user,
        policy=policy,
        name=name,
        acknowledgement_hours=acknowledgement_hours,
        first_response_hours=first_response_hours,
        resolution_hours=resolution_hours,
        brand=brand,
        category=category,
        severity=severity,
        warning_percent=warning_percent,
        is_active=is_active,
    )


@transaction.atomic
def sla_policy_save_for_tenant(
    *, tenant: Tenant, user: AbstractBaseUser | None, policy: SlaPolicy | None = None, **values
) -> SlaPolicy:
    """The same write for the platform's superuser (the Django admin), who acts on a tenant
    without being its member; the checks and the audit entry are the same."""
    return _save(tenant=tenant, user=user, policy=policy, **values)


def _save(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    policy: SlaPolicy | None,
    name: str,
    acknowledgement_hours: int,
    first_response_hours: int,
    resolution_hours: int,
    brand: Brand | None = None,
    category: Category | None = None,
    severity: str = "",
    warning_percent: int | None = None,
    is_active: bool = True,
) -> SlaPolicy:
    if policy is not None and policy.tenant_id != tenant.pk:
        raise NotFound(_("No such SLA policy."))
    values = {
        "name": (name or "").strip()[:200],
        "brand": brand,
        "category": category,
        "severity": severity or "",
        "acknowledgement_hours": acknowledgement_hours,
        "first_response_hours": first_response_hours,
        "resolution_hours": resolution_hours,
        "warning_percent": warning_percent,
    }
    errors = sla_policy_problems(tenant=tenant, **values)
    if errors:
        raise ApplicationError(_("The SLA policy was not saved."), fields=errors)
    if policy is not None:
        policy = SlaPolicy.objects.for_tenant(tenant).select_for_update().get(pk=policy.pk)
    before = _state(policy) if policy is not None else {}
    policy = policy or SlaPolicy(tenant=tenant)
    for field, value in {**values, "is_active": bool(is_active)}.items():
        setattr(policy, field, value)
    created = policy.pk is None
    changes = field_changes(before, _state(policy))
    if created or changes:
        policy.save()
        audit_record(
            tenant=tenant,
            actor=user,
            action="sla_policy.created" if created else "sla_policy.changed",
            target=policy,
            changes=changes,
        )
    return policy
