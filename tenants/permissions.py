"""Who may do what, and who may see which rows: the one permission helper.

Two questions, answered the same way by every view, API view and service:

* **May this member do X?** The member's role decides (``member_can``, ``require``; for queries
  that pick members by what they may do, ``roles_allowed``; for a role not yet held,
  ``role_can``). No other module compares a role (``tests/test_architecture.py``).
* **May this member see this row?** The row must be in the member's tenant (else it does not
  exist for them: 404) and, for rows that belong to a department, in the member's department
  subtree (``visible_subtree``; in queries ``visible_to``, ``get_visible_or_404``; for a row in
  hand ``can_see``, and ``require_visible``, which refuses with the same 404 as a missing row).
  Survey data (interactions, responses, follow-ups) is seen whole by those whose role may
  ``SEE_ALL_SURVEY_DATA`` (admins, managers, analysts), by everyone else in their subtree:
  those helpers take it as ``whole_tenant=Action.SEE_ALL_SURVEY_DATA``.
"""

from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tenants.errors import NotAllowed, NotFound
from tenants.models import Department, Membership, Role


class Action(StrEnum):
    VIEW_WORKSPACE = "view_workspace"
    VIEW_TEAM = "view_team"
    # Read the workspace's settings pages (managers); change them (MANAGE_TENANT: admins).
    VIEW_SETTINGS = "view_settings"
    MANAGE_TENANT = "manage_tenant"
    VIEW_COMPLAINTS = "view_complaints"
    # Work on complaints: file them, take the steps of the ones they handle, write on them.
    HANDLE_COMPLAINTS = "handle_complaints"
    # Act on every complaint they see (not only their own), give complaints to others, reject
    # them, complete internal reviews, update anyone's corrective actions.
    SUPERVISE_COMPLAINTS = "supervise_complaints"
    # Be a complaint's handler (its assignee) or a corrective action's owner.
    TAKE_ASSIGNMENTS = "take_assignments"
    MANAGE_COMPLAINTS = "manage_complaints"
    VIEW_SURVEYS = "view_surveys"
    MANAGE_SURVEYS = "manage_surveys"
    # See every department's survey data (interactions, responses, follow-ups); without it, a
    # member sees the survey data of their department subtree, as they see complaints.
    SEE_ALL_SURVEY_DATA = "see_all_survey_data"
    VIEW_DASHBOARDS = "view_dashboards"
    VIEW_OWN_RATING = "view_own_rating"
    VIEW_RATINGS = "view_ratings"
    # Recompute a period's ratings, close and reopen periods.
    MANAGE_RATINGS = "manage_ratings"
    DECIDE_DISPUTES = "decide_disputes"


_READ_ALL = {
    Action.VIEW_WORKSPACE,
    Action.VIEW_TEAM,
    Action.VIEW_COMPLAINTS,
    Action.VIEW_SURVEYS,
    Action.SEE_ALL_SURVEY_DATA,
    Action.VIEW_DASHBOARDS,
    Action.VIEW_RATINGS,
}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.MANAGER: frozenset(
        _READ_ALL
        | {
            Action.HANDLE_COMPLAINTS,
            Action.SUPERVISE_COMPLAINTS,
            Action.TAKE_ASSIGNMENTS,
            Action.MANAGE_COMPLAINTS,
            Action.MANAGE_SURVEYS,
            Action.VIEW_OWN_RATING,
            Action.DECIDE_DISPUTES,
            Action.MANAGE_RATINGS,
            Action.VIEW_SETTINGS,
        }
    ),
    Role.AGENT: frozenset(
        {
            Action.VIEW_WORKSPACE,
            Action.VIEW_COMPLAINTS,
            Action.HANDLE_COMPLAINTS,
            Action.TAKE_ASSIGNMENTS,
            Action.VIEW_SURVEYS,
            Action.VIEW_OWN_RATING,
        }
    ),
    Role.PERFORMER: frozenset({Action.VIEW_WORKSPACE, Action.VIEW_OWN_RATING}),
    Role.ANALYST: frozenset(_READ_ALL),
}


def member_can(member: Membership, action: Action) -> bool:
    """Whether the member's role allows ``action`` (anywhere in what they can see)."""
    return member.is_active and role_can(member.role, action)


def role_can(role: str, action: Action) -> bool:
    """Whether a role allows ``action``, before any membership holds it (a user being set up
    with that role: the demo makes those who may manage the tenant Django staff)."""
    return action in ROLE_ACTIONS[role]


def require(member: Membership, action: Action) -> None:
    """Refuse with :class:`NotAllowed` (403) when the role does not allow ``action``."""
    if not member_can(member, action):
        raise NotAllowed(_("Your role does not allow this."))


# Roles whose members must sign in with a second factor where their tenant asks for it.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def must_use_two_factor(member: Membership) -> bool:
    """Whether the member must have signed in with a second factor to use the workspace: their
    tenant requires it (``Tenant.require_two_factor_for_managers``) of their role."""
    return member.tenant.require_two_factor_for_managers and member.role in TWO_FACTOR_ROLES


def roles_allowed(action: Action) -> list[str]:
    """The roles whose members may ``action``: for queries that pick members by what they may
    do (``Membership.objects.filter(role__in=roles_allowed(Action.TAKE_ASSIGNMENTS))``)."""
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def role_sees_whole_tenant(role: str) -> bool:
    """Admins and analysts see every department's rows; every other role has a department."""
    return role in (Role.ADMIN, Role.ANALYST)


def sees_whole_tenant(member: Membership) -> bool:
    """Whether the member sees every department's rows (else their department subtree's)."""
    return role_sees_whole_tenant(member.role)


def supervises_department(member: Membership) -> bool:
    """A supervisor held by a department (a manager): its SLA breaches and escalations go to
    them. Supervisors who see the whole tenant (admins) are the fallback above every level."""
    return member_can(member, Action.SUPERVISE_COMPLAINTS) and not sees_whole_tenant(member)


def visible_subtree(member: Membership, *, whole_tenant: Action | None = None) -> str | None:
    """The department path whose subtree the member sees; ``None`` when they see every
    department of their tenant (or, for the rows asked about, their role may ``whole_tenant``:
    ``Action.SEE_ALL_SURVEY_DATA`` for survey data)."""
    if sees_whole_tenant(member) or (whole_tenant is not None and member_can(member, whole_tenant)):
        return None
    return member.department.path


# ``can_see``'s default: the row holds its department as ``.department``.
_HELD = object()


def can_see(
    member: Membership | None, row, *, department=_HELD, whole_tenant: Action | None = None
) -> bool:
    """Whether the member may see ``row``: a department, or a row held by one (``.department``:
    a complaint, a membership; or ``department``, given for rows that reach theirs through
    another row, as a follow-up through its performer). It must be in the member's tenant
    and, unless the member sees the whole tenant (see :func:`visible_subtree` for
    ``whole_tenant``), in their department subtree; a row with no department is seen only by
    members who see the whole tenant."""
    if member is None or not member.is_active or member.tenant_id != row.tenant_id:
        return False
    subtree = visible_subtree(member, whole_tenant=whole_tenant)
    if subtree is None:
        return True
    if department is _HELD:
        department = row if isinstance(row, Department) else row.department
    return department is not None and department.path.startswith(subtree)


def require_visible(
    member: Membership | None, row, *, department=_HELD, whole_tenant: Action | None = None
) -> None:
    """Refuse with :class:`NotFound` (404) when the member may not see ``row``: a row they
    cannot see answers exactly like a row that does not exist."""
    if not can_see(member, row, department=department, whole_tenant=whole_tenant):
        raise NotFound(
            _("No %(thing)s matches the given query.") % {"thing": row._meta.verbose_name}
        )


def visible_to(
    queryset: QuerySet,
    member: Membership,
    *,
    department_field: str | None = "department",
    whole_tenant: Action | None = None,
):
    """``queryset`` narrowed to the member's tenant and department subtree.

    ``department_field`` names the row's department (``"department"``, ``"owner_department"``,
    ``"performer__department"``), is ``""`` when the rows are departments themselves, and
    ``None`` for models that are not held by a department. Rows with no department are seen
    only by members who see the whole tenant (see :func:`visible_subtree` for ``whole_tenant``).
    """
    queryset = queryset.for_tenant(member.tenant_id)
    subtree = visible_subtree(member, whole_tenant=whole_tenant)
    if department_field is None or subtree is None:
        return queryset
    prefix = f"{department_field}__" if department_field else ""
    return queryset.filter(**{f"{prefix}path__startswith": subtree})


def get_visible_or_404(
    queryset: QuerySet,
    member: Membership,
    *,
    department_field: str | None = "department",
    whole_tenant: Action | None = None,
    **lookup,
):
    """One row the member may see, or 404 — the same 404 as for a row that does not exist."""
    try:
        rows = visible_to(
            queryset, member, department_field=department_field, whole_tenant=whole_tenant
        )
        return rows.get(**lookup)
    except queryset.model.DoesNotExist as missing:
        raise Http404(
            f"No {queryset.model._meta.verbose_name} matches the given query."
        ) from missing


def is_rated(member: Membership) -> bool:
    """Whether the member is rated and told the rating norms: they see their own rating and do
    not manage ratings (agents and performers)."""
    return member.role in _rated_roles()


def rated_among(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """The active rated members among ``memberships`` (see :func:`is_rated`)."""
    return memberships.filter(role__in=_rated_roles(), is_active=True)


def _rated_roles() -> list[str]:
    return [
        role
        for role in roles_allowed(Action.VIEW_OWN_RATING)
        if not role_can(role, Action.MANAGE_RATINGS)
    ]


def managers_among(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """The active managers among ``memberships`` (who a survey critic's call-back goes to)."""
    return memberships.filter(role=Role.MANAGER, is_active=True)
