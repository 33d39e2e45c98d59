"""Writes of SLA policies: the targets a tenant sets for the complaints that match them.

The SLA clocks (``complaints.sla``) read the policies; a policy saved here applies to clocks that
start (or are re-targeted by an assessment) after it is saved, never to due times already set.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Category, Severity, SlaPolicy
from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError, NotFound
from tenants.models import Brand, Tenant

MAX_TARGET_HOURS = 24 * 365

TARGETS = ("acknowledgement_hours", "first_response_hours", "resolution_hours")


def _state(policy: SlaPolicy) -> dict:
    return {
        "name": policy.name,
        "brand": policy.brand_id,
        "category": policy.category_id,
        "severity": policy.severity,
        **{target: getattr(policy, target) for target in TARGETS},
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
    **_ignored,
) -> dict[str, list[str]]:
    """What is wrong with these values for a policy of ``tenant``, by field (empty: nothing).

    Targets are whole working hours, each at least 1; acknowledgement may not come after first
    response, nor first response after resolution.
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
    return errors


@transaction.atomic
def sla_policy_save(
    *,
    tenant: Tenant,
    actor: AbstractBaseUser | None,
    name: str,
    acknowledgement_hours: int,
    first_response_hours: int,
    resolution_hours: int,
    brand: Brand | None = None,
    category: Category | None = None,
    severity: str = "",
    is_active: bool = True,
    policy: SlaPolicy | None = None,
) -> SlaPolicy:
    """Create a policy (``policy`` None) or change one; audited with what changed.

    Refused (ApplicationError with field errors) when :func:`sla_policy_problems` finds any;
    another tenant's ``policy`` is :class:`NotFound`, as if it did not exist.
    """
    if policy is not None and policy.tenant_id != tenant.pk:
        raise NotFound(_("No such SLA policy."))
    values = {
        "name": (name or "").strip()[:200],
        "brand": brand,
        "category": category,
        "severity": severity,
        "acknowledgement_hours": acknowledgement_hours,
        "first_response_hours": first_response_hours,
        "resolution_hours": resolution_hours,
    }
    errors = sla_policy_problems(tenant=tenant, **values)
    if errors:
        raise ApplicationError(_("The SLA policy was not saved."), fields=errors)
    before = _state(policy) if policy is not None else {}
    policy = policy or SlaPolicy(tenant=tenant)
    for field, value in {**values, "is_active": is_active}.items():
        setattr(policy, field, value)
    created = policy.pk is None
    policy.save()
    audit_record(
        tenant=tenant,
        actor=actor,
        action="sla_policy.created" if created else "sla_policy.changed",
        target=policy,
        changes=field_changes(before, _state(policy)),
    )
    return policy
