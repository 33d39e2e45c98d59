from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from tenants import selectors
from tenants.decorators import member_required
from tenants.filters import MemberFilterSet
from tenants.paging import page_number
from tenants.permissions import Action


@login_required
def workspace_picker(request):
    """After login: straight into the only workspace, or a choice between several."""
    memberships = selectors.workspaces_of(request.user)
    if len(memberships) == 1:
        return redirect("home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "tenants/picker.html", {"memberships": memberships})


@member_required()
def home(request):
    member = request.member
    return render(
        request,
        "tenants/home.html",
        {
            "brands": selectors.brands(member),
            "touchpoints": selectors.touchpoints(member),
        },
    )


@member_required(Action.VIEW_TEAM)
def team(request):
    member = request.member
    filterset = MemberFilterSet(
        request.GET, queryset=selectors.team_members(member), request=request
    )
    return render(
        request,
        "tenants/team.html",
        {
            "departments": selectors.departments(member),
            "filterset": filterset,
            "page": selectors.team_page(filterset.qs, number=page_number(request)),
        },
    )
