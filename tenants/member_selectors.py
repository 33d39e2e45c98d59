"""Reads of the members' settings page: the tenant's members (active or not) and its open
invitations."""

from django.db.models import QuerySet
from django.http import Http404

from tenants.models import Department, MemberInvitation, Membership
from tenants.paging import Page, page_or_404

MEMBERS_PAGE_SIZE = 50
# Open invitations shown at once, newest first: more than an admin waits on in practice.
OPEN_INVITATIONS_SHOWN = 100


def members_page(member: Membership, *, number: int = 1) -> Page:
    """Page ``number`` of the tenant's members, active ones first, by name, each with their
    user and department (one query, no COUNT)."""
    rows = (
        Membership.objects.for_tenant(member.tenant_id)
        .select_related("user", "department")
        .order_by("-is_active", "user__last_name", "user__first_name", "user__email", "pk")
    )
    return page_or_404(rows, number=number, size=MEMBERS_PAGE_SIZE)


def open_invitations(member: Membership) -> list[MemberInvitation]:
    """The newest ``OPEN_INVITATIONS_SHOWN`` invitations neither accepted nor withdrawn
    (expired ones included: they may be resent)."""
    return list(
        MemberInvitation.objects.for_tenant(member.tenant_id)
        .filter(accepted_at__isnull=True, withdrawn_at__isnull=True)
        .select_related("department")
        .order_by("-created_at", "-pk")[:OPEN_INVITATIONS_SHOWN]
    )


def tenant_departments(member: Membership) -> QuerySet[Department]:
    """Every department of the tenant, in tree order: where a member may be placed."""
    return Department.objects.for_tenant(member.tenant_id).order_by("path")


def membership_or_404(member: Membership, membership_id: int) -> Membership:
    """A member of the asker's tenant; another tenant's answers like a missing one."""
    found = (
        Membership.objects.for_tenant(member.tenant_id)
        .select_related("user", "department")
        .filter(pk=membership_id)
        .first()
    )
    if found is None:
        raise Http404("No membership matches the given query.")
    return found


def invitation_or_404(member: Membership, invitation_id: int) -> MemberInvitation:
    """An invitation of the asker's tenant; another tenant's answers like a missing one."""
    found = MemberInvitation.objects.for_tenant(member.tenant_id).filter(pk=invitation_id).first()
    if found is None:
        raise Http404("No invitation matches the given query.")
    return found
