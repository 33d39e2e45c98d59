"""The settings pages' writes to the organisation's structure: the department tree (add,
rename, move, close) and touchpoints. Each takes the acting admin's membership, checks its
input (refusing with ``ApplicationError`` and a message per field) and is audited in its
transaction.

The tree's shape changes one at a time per tenant: every write that adds, moves or closes a
department first locks the tenant's row (``FOR NO KEY UPDATE``, which does not hold back the
inserts that merely point at the tenant), so two moves cannot build a cycle between them.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tenants.audit import audit_record, field_changes
from tenants.errors import ApplicationError
from tenants.guards import department_close_refusals
from tenants.models import Department, Membership, Tenant, Touchpoint
from tenants.trees import tree_node_create, tree_node_move

PATH_LENGTH = Department._meta.get_field("path").max_length


def _lock_tree(actor: Membership) -> Tenant:
    return Tenant.objects.select_for_update(no_key=True).get(pk=actor.tenant_id)


def _locked(actor: Membership, department: Department) -> Department:
    """The department read again under a row lock (its path may have moved meanwhile)."""
    return Department.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=department.pk)


def _code_problems(model, actor: Membership, code: str, *, exclude_pk=None) -> list[str]:
    try:
        validate_slug(code)
    except ValidationError:
        return [_("Use letters, digits, hyphens and underscores only.")]
    taken = model.objects.for_tenant(actor.tenant_id).filter(code=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        return [_("Another one already has this code.")]
    return []


def _refuse(problems: dict[str, list]) -> None:
    if problems:
        first = next(iter(problems.values()))[0]
        raise ApplicationError(first, fields=problems)


# --- departments ------------------------------------------------------------------------------


@transaction.atomic
def department_add(
    *, actor: Membership, code: str, name: str, parent: Department | None
) -> Department:
    """Add a department under ``parent`` (an open department of the tenant). Only a tenant's
    first department has no parent."""
    tenant = _lock_tree(actor)
    code, name = (code or "").strip(), (name or "").strip()
    problems: dict[str, list] = {}
    if not name:
        problems["name"] = [_("Give the department a name.")]
    if code_problems := _code_problems(Department, actor, code):
        problems["code"] = code_problems
    if parent is not None:
        parent = _locked(actor, parent)
        if not parent.is_active:
            problems["parent"] = [_("A closed department takes no new departments.")]
        elif len(parent.path) + 11 > PATH_LENGTH:
            problems["parent"] = [_("The tree cannot go deeper under this department.")]
    elif Department.objects.for_tenant(tenant).exists():
        problems["parent"] = [_("Choose the department it belongs under.")]
    _refuse(problems)
    try:
        with transaction.atomic():
            department = tree_node_create(
                Department, tenant=tenant, parent=parent, code=code, name=name
            )
    except IntegrityError:  # the same code, added at the same moment
        raise ApplicationError(
            _("Another one already has this code."),
            fields={"code": [_("Another one already has this code.")]},
        ) from None
    audit_record(
        tenant=tenant,
        actor=actor.user,
        action="department.created",
        target=department,
        changes={
            "code": [None, code],
            "name": [None, name],
            "parent": [None, parent and parent.code],
        },
    )
    return department


@transaction.atomic
def department_rename(*, actor: Membership, department: Department, name: str) -> Department:
    """Give the department a new name (its code, used by integrators, stays)."""
    name = (name or "").strip()
    _refuse({"name": [_("Give the department a name.")]} if not name else {})
    department = _locked(actor, department)
    if department.name != name:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="department.renamed",
            target=department,
            changes={"name": [department.name, name]},
        )
        department.name = name
        department.save(update_fields=["name"])
    return department


@transaction.atomic
def department_move(*, actor: Membership, department: Department, parent: Department) -> int:
    """Move the department, with everything below it, under ``parent``; the number of
    departments whose path was rewritten (0 when it is already there).

    Visibility follows at once: members see by path, so the moved branch's members keep
    seeing their own complaints and the old parent's managers no longer see them.
    """
    _lock_tree(actor)
    department = _locked(actor, department)
    parent = _locked(actor, parent)
    problems: dict[str, list] = {}
    if parent.path.startswith(department.path):
        problems["parent"] = [_("A department cannot move under itself or a department below it.")]
    elif not parent.is_active:
        problems["parent"] = [_("A closed department takes no new departments.")]
    elif department.parent_id == parent.pk:
        return 0
    _refuse(problems)
    old_parent = department.parent
    try:
        moved = tree_node_move(Department, tenant=actor.tenant, node=department, parent=parent)
    except ValueError:  # the subtree's deepest path would not fit: nothing was written
        message = _("The tree cannot go deeper under this department.")
        raise ApplicationError(message, fields={"parent": [message]}) from None
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="department.moved",
        target=department,
        changes={"parent": [old_parent and old_parent.code, parent.code]},
        note=_("%(count)s departments moved.") % {"count": moved},
    )
    return moved


@transaction.atomic
def department_close(*, actor: Membership, department: Department) -> Department:
    """Close the department: it receives no routed complaints and no new departments.

    Refused while it owns open complaints (asked of the apps that hold them:
    ``tenants.guards``), while a department below it is open, and for the top of the tree,
    where complaints that no rule routes go.
    """
    _lock_tree(actor)
    # FOR UPDATE on the row waits for a complaint being filed into it to commit, so the
    # checks below see that complaint.
    department = _locked(actor, department)
    if not department.is_active:
        return department
    problems = []
    if department.parent_id is None:
        problems.append(
            _("The top of the tree receives the complaints no rule routes: it stays open.")
        )
    elif department.children.filter(is_active=True).exists():
        problems.append(_("Close or move the departments below it first."))
    problems += department_close_refusals(department)
    if problems:
        raise ApplicationError(problems[0], fields={"__all__": problems})
    return _set_open(actor, department, False)


@transaction.atomic
def department_reopen(*, actor: Membership, department: Department) -> Department:
    """Open a closed department again: routing and transfers may send it complaints. Refused
    while the department above it is closed (open that first)."""
    _lock_tree(actor)
    department = _locked(actor, department)
    if department.is_active:
        return department
    if department.parent_id is not None and not department.parent.is_active:
        message = _("Open the department above it first.")
        raise ApplicationError(message, fields={"__all__": [message]})
    return _set_open(actor, department, True)


def _set_open(actor: Membership, department: Department, is_open: bool) -> Department:
    department.is_active = is_open
    department.save(update_fields=["is_active"])
    audit_record(
        tenant=actor.tenant,
        actor=actor.user,
        action="department.reopened" if is_open else "department.closed",
        target=department,
        changes={"is_active": [not is_open, is_open]},
    )
    return department


# --- touchpoints ------------------------------------------------------------------------------

TOUCHPOINT_FIELDS = ("code", "name", "kind", "owner_department", "is_active")


def _touchpoint_state(touchpoint: Touchpoint) -> dict:
    return {
        "code": touchpoint.code,
        "name": touchpoint.name,
        "kind": touchpoint.kind,
        "owner_department": touchpoint.owner_department_id,
        "is_active": touchpoint.is_active,
    }


def _touchpoint_problems(
    actor: Membership, values: dict, *, touchpoint: Touchpoint | None
) -> dict[str, list]:
    problems: dict[str, list] = {}
    values["code"] = (values.get("code") or "").strip()
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        problems["name"] = [_("Give the touchpoint a name.")]
    code_problems = _code_problems(
        Touchpoint, actor, values["code"], exclude_pk=touchpoint and touchpoint.pk
    )
    if code_problems:
        problems["code"] = code_problems
    if values.get("kind") not in Touchpoint.Kind.values:
        problems["kind"] = [_("Choose a kind.")]
    owner = values.get("owner_department")
    if owner is not None:
        kept = touchpoint is not None and touchpoint.owner_department_id == owner.pk
        if owner.tenant_id != actor.tenant_id:
            problems["owner_department"] = [_("Choose a department of this organisation.")]
        elif not owner.is_active and not kept:
            problems["owner_department"] = [_("Choose an open department.")]
    return problems


@transaction.atomic
def touchpoint_save(
    *, actor: Membership, touchpoint: Touchpoint | None = None, **values
) -> Touchpoint:
    """Add a touchpoint (``touchpoint`` None) or change one: code, name, kind, owning
    department (whose managers call back its critics) and whether it is active."""
    unknown = set(values) - set(TOUCHPOINT_FIELDS)
    if unknown:
        raise TypeError(f"not touchpoint fields: {sorted(unknown)}")
    if touchpoint is not None:
        touchpoint = (
            Touchpoint.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=touchpoint.pk)
        )
    _refuse(_touchpoint_problems(actor, values, touchpoint=touchpoint))
    before = _touchpoint_state(touchpoint) if touchpoint else {}
    row = touchpoint or Touchpoint(tenant_id=actor.tenant_id)
    for name, value in values.items():
        setattr(row, name, value)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        message = _("Another one already has this code.")
        raise ApplicationError(message, fields={"code": [message]}) from None
    changes = field_changes(before, _touchpoint_state(row))
    if changes:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="touchpoint.changed" if touchpoint else "touchpoint.created",
            target=row,
            changes=changes,
        )
    return row
