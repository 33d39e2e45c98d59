"""Where a member may hand a complaint, and to whom: the one rule the transfer form offers and
``workflow.complaint_transfer`` enforces.

Departments: the member's own and those below it (what they see), and those above it (up the
tree, to the head office); with the tenant's ``transfer_sideways`` (the default), any other
department too. Members who see the whole tenant (admins) hand work anywhere. A closed
department receives nothing.

Handlers: only in a department the member sees (handing work up or sideways leaves it
unassigned, for that department's managers to give out), a handler of that department or
below it; an agent may take it themselves, not give it to someone else.
"""

from django.db.models import Exists, Q, QuerySet

from complaints.models import ComplaintSettings
from tenants.models import Department, Membership
from tenants.permissions import Action, member_can, visible_subtree
from tenants.trees import tree_path_ids


def transfer_departments(member: Membership) -> QuerySet[Department]:
    """The open departments the member may hand a complaint to, in tree order. The tenant's
    setting is read in the same query (``transfer_sideways``; no settings row: the default)."""
    departments = Department.objects.for_tenant(member.tenant_id).filter(is_active=True)
    subtree = visible_subtree(member)
    if subtree is None:
        return departments.order_by("path")
    not_sideways = ComplaintSettings.objects.for_tenant(member.tenant_id).filter(
        transfer_sideways=False
    )
    return departments.filter(
        Q(path__startswith=subtree)
        | Q(pk__in=tree_path_ids(member.department.path))
        | ~Exists(not_sideways)
    ).order_by("path")


def may_transfer_to(member: Membership, department: Department, *, sideways: bool) -> bool:
    """:func:`transfer_departments`' answer for a department in hand (same tenant)."""
    subtree = visible_subtree(member)
    if subtree is None or sideways:
        return True
    # below (or at) the member's department, or above it
    return department.path.startswith(subtree) or subtree.startswith(department.path)


def may_assign_in(member: Membership, department_path: str) -> bool:
    """Whether the member may name a handler in the department with this path: one they see."""
    subtree = visible_subtree(member)
    return subtree is None or department_path.startswith(subtree)


def offered_handlers(
    member: Membership, department_path: str | None, handlers: list[tuple[int, str]]
) -> list[int]:
    """Of ``handlers`` (``(id, department path)`` of the members a complaint can be given to,
    ``selectors.handlers``), the ids the transfer form offers for the department with
    ``department_path``: none outside what the member sees; an agent only themselves."""
    if department_path is None or not may_assign_in(member, department_path):
        return []
    in_department = [pk for pk, path in handlers if path.startswith(department_path)]
    if member_can(member, Action.SUPERVISE_COMPLAINTS):
        return in_department
    return [pk for pk in in_department if pk == member.pk]
