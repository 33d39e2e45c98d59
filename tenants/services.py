"""Writes to the tenant structure: departments, memberships and the calendar's closures.
Each one is audited."""

from datetime import date, time

import holidays
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.audit import audit_record, field_changes
from tenants.calendar import parse_hours
from tenants.errors import ApplicationError
from tenants.models import Closure, Department, Membership, Role, Tenant, known_time_zones
from tenants.permissions import role_sees_whole_tenant
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
    if department is None and not role_sees_whole_tenant(role):
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


@transaction.atomic
def closure_set(*, tenant: Tenant, actor: AbstractBaseUser | None, day: date, name: str) -> Closure:
    """Close ``day`` for the tenant (or rename its closure): no working time that day.

    Clocks already running keep the due times they were given; clocks that start later count
    around the closure.
    """
    name = (name or "").strip()
    if not name:
        raise ApplicationError(
            _("Say why the day is closed."), fields={"name": [_("Say why the day is closed.")]}
        )
    if not isinstance(day, date):
        raise ApplicationError(_("Give a day."), fields={"day": [_("Give a day.")]})
    existing = Closure.objects.for_tenant(tenant).select_for_update().filter(day=day).first()
    closure, created = Closure.objects.update_or_create(
        tenant=tenant, day=day, defaults={"name": name[:200]}
    )
    if created or existing.name != closure.name:
        audit_record(
            tenant=tenant,
            actor=actor,
            action="closure.set",
            target=closure,
            changes={"name": [None if created else existing.name, closure.name]},
            note=day.isoformat(),
        )
    return closure


@transaction.atomic
def closure_remove(*, tenant: Tenant, actor: AbstractBaseUser | None, day: date) -> bool:
    """Open ``day`` again; True when it was closed."""
    closure = Closure.objects.for_tenant(tenant).select_for_update().filter(day=day).first()
    if closure is None:
        return False
    audit_record(
        tenant=tenant,
        actor=actor,
        action="closure.removed",
        target=closure,
        changes={"name": [closure.name, None]},
        note=day.isoformat(),
    )
    Closure.objects.for_tenant(tenant).filter(pk=closure.pk).delete()
    return True


ORGANISATION_FIELDS = (
    "name",
    "time_zone",
    "country",
    "default_language",
    "working_hours",
    "require_two_factor_for_managers",
)


def _working_hours_problems(working_hours: dict) -> list[str]:
    problems = []
    try:
        hours = parse_hours(working_hours)
    except (ValueError, AttributeError, TypeError):
        return [_("Write each span as 09:00-17:00, spans separated by commas.")]
    for day, spans in sorted(hours.items()):
        if not 0 <= day <= 6:
            problems.append(_("Weekdays are numbered 0 (Monday) to 6 (Sunday)."))
        for opening, closing in spans:
            if closing != time(0) and closing <= opening:
                problems.append(
                    _("%(opening)s-%(closing)s ends before it starts.")
                    % {"opening": opening.strftime("%H:%M"), "closing": closing.strftime("%H:%M")}
                )
    if not problems and not any(hours.values()):
        problems.append(_("Give at least one working span: SLA clocks count working time."))
    return problems


@transaction.atomic
def organisation_update(*, actor: Membership, **values) -> Tenant:
    """Change the organisation's name, zone, country, language, working hours or two-factor
    rule (``ORGANISATION_FIELDS``); audited with what changed. Clocks already running keep
    their due times."""
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"not organisation settings: {sorted(unknown)}")
    problems: dict[str, list] = {}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            problems["name"] = [_("Give the organisation a name.")]
    if "time_zone" in values and values["time_zone"] not in known_time_zones():
        problems["time_zone"] = [
            _("%(value)s is not a known time zone.") % {"value": values["time_zone"]}
        ]
    if "country" in values:
        values["country"] = (values["country"] or "").upper()
        if values["country"] not in holidays.list_supported_countries():
            problems["country"] = [_("No public holidays are known for this country code.")]
    if "working_hours" in values:
        hour_problems = _working_hours_problems(values["working_hours"])
        if hour_problems:
            problems["working_hours"] = hour_problems
    if problems:
        raise ApplicationError(_("Some settings are not valid."), fields=problems)
    tenant = Tenant.objects.select_for_update().get(pk=actor.tenant_id)
    before = {name: getattr(tenant, name) for name in values}
    for name, value in values.items():
        setattr(tenant, name, value)
    changes = field_changes(before, values)
    if changes:
        tenant.save(update_fields=list(changes))
        audit_record(
            tenant=tenant,
            actor=actor.user,
            action="organisation.changed",
            target=tenant,
            changes=changes,
        )
    return tenant
