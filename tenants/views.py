from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from tenants import rls, selectors
from tenants.brand_services import logo_content_type
from tenants.decorators import member_required
from tenants.filters import MemberFilterSet
from tenants.models import Brand
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


@require_GET
def brand_logo(request, tenant_slug, brand_slug):
    """An active brand's logo, for its public pages: served as the image type its bytes say
    (checked when it was uploaded), never as what a name or a browser guesses."""
    tenant = rls.public_tenant_or_404(tenant_slug)
    brand = get_object_or_404(Brand.objects.for_tenant(tenant), slug=brand_slug, is_active=True)
    if not brand.logo:
        raise Http404("No logo.")
    try:
        stored = brand.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    content_type = logo_content_type(stored.read(16))
    stored.seek(0)
    if content_type is None:
        stored.close()
        raise Http404("No logo.")
    response = FileResponse(stored, content_type=content_type)
    patch_cache_control(response, public=True, max_age=300)
    return response
