"""Tenant-scoped reads for the workspace pages."""

from datetime import date

import holidays
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.http import Http404
from django.utils import translation

from tenants.models import Brand, BrandText, Closure, Department, Membership, Touchpoint
from tenants.paging import Page, page_or_404
from tenants.permissions import visible_to
from tenants.rls import all_tenants


def memberships_of_user(user: AbstractBaseUser) -> QuerySet[Membership]:
    """The user's active memberships in active tenants, for the picker and the switcher.

    Deliberately across tenants: these are the user's own rows, one per workspace.
    """
    return (
        Membership.objects.unscoped()
        .filter(user=user, is_active=True, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def workspaces_of(user: AbstractBaseUser) -> list[Membership]:
    """:func:`memberships_of_user`, read: a list across tenants (on purpose, see there)."""
    with all_tenants():
        return list(memberships_of_user(user))


def membership_for_request_or_404(
    user: AbstractBaseUser, tenant_slug: str
) -> tuple[Membership, list[Membership]]:
    """The user's membership in the tenant named by the URL, and all their workspaces.

    One query serves both: the top bar's switcher lists the workspaces on every page, and the
    membership of the URL's tenant is one of them. A tenant the user does not belong to
    answers exactly like a tenant that does not exist.
    """
    with all_tenants():  # the user's own rows, one per workspace (see memberships_of_user)
        workspaces = list(memberships_of_user(user).select_related("department"))
    for membership in workspaces:
        if membership.tenant.slug == tenant_slug:
            membership.user = user  # the request's user: no second copy, no join
            return membership, workspaces
    raise Http404("No workspace matches the given query.")


TEAM_PAGE_SIZE = 50


def team_members(member: Membership) -> QuerySet[Membership]:
    """Members the given member may see: their department subtree, or everyone (for
    ``MemberFilterSet``)."""
    return visible_to(Membership.objects.all(), member)


def team_page(members: QuerySet[Membership], *, number: int = 1) -> Page:
    """Page ``number`` of ``members`` (filtered), by department then name, each with their user
    and department (one query, no COUNT: ``tenants.paging``)."""
    rows = members.select_related("user", "department").order_by(
        "department__path", "user__last_name", "user__first_name", "pk"
    )
    return page_or_404(rows, number=number, size=TEAM_PAGE_SIZE)


def departments(member: Membership) -> QuerySet[Department]:
    """The departments the member can see, in tree order."""
    return visible_to(Department.objects.all(), member, department_field="").order_by("path")


def brands(member: Membership) -> QuerySet[Brand]:
    return Brand.objects.for_tenant(member.tenant_id).filter(is_active=True).order_by("name")


def touchpoints(member: Membership) -> QuerySet[Touchpoint]:
    return Touchpoint.objects.for_tenant(member.tenant_id).filter(is_active=True).order_by("name")


def closures(member: Membership, *, year: int) -> QuerySet[Closure]:
    """The tenant's own closed days in ``year``, by day."""
    return Closure.objects.for_tenant(member.tenant_id).filter(day__year=year).order_by("day")


def public_holidays(member: Membership, *, year: int) -> list[tuple[date, str]]:
    """The public holidays of the tenant's country in ``year`` (the ``holidays`` package's
    names, in the reader's language where it has them), by day; none for a country it does
    not know."""
    try:
        supported = holidays.country_holidays(member.tenant.country).supported_languages
    except NotImplementedError:
        return []
    reader = translation.get_language() or "en"
    language = next(
        (code for code in supported if code.split("_")[0] == reader.split("-")[0]),
        "en_US" if "en_US" in supported else None,
    )
    days = holidays.country_holidays(member.tenant.country, years=year, language=language)
    return sorted(days.items())


# --- the settings pages' lists (whole tenant: only admins and managers read them) ------------


def settings_brands(member: Membership) -> QuerySet[Brand]:
    """Every brand of the tenant, active or not, by name."""
    return Brand.objects.for_tenant(member.tenant_id).order_by("-is_active", "name", "pk")


def settings_touchpoints(member: Membership) -> QuerySet[Touchpoint]:
    """Every touchpoint, active or not, with its owning department (one query)."""
    return (
        Touchpoint.objects.for_tenant(member.tenant_id)
        .select_related("owner_department")
        .order_by("-is_active", "name", "pk")
    )


def settings_departments(member: Membership) -> QuerySet[Department]:
    """Every department, open or closed, in tree order."""
    return Department.objects.for_tenant(member.tenant_id).order_by("path")


def brand_how_to_complain(brand: Brand, language: str) -> str:
    """The brand's own how-to-complain text in ``language`` ("" when it wrote none)."""
    text = (
        BrandText.objects.for_tenant(brand.tenant_id)
        .filter(brand=brand, language=language)
        .values_list("how_to_complain", flat=True)
        .first()
    )
    return text or ""
