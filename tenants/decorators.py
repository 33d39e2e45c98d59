from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from tenants import rls
from tenants.permissions import Action, must_use_two_factor, require
from tenants.selectors import membership_for_request_or_404
from tenants.two_factor import is_verified


def member_required(action: Action = Action.VIEW_WORKSPACE) -> Callable:
    """Resolve the tenant from the URL's ``tenant_slug`` through the user's membership, and act
    for it (``tenants.rls``) for the rest of the request.

    Sets ``request.member``, ``request.tenant`` and ``request.workspaces`` (the top bar's
    switcher, read in the same query) and shows times in the tenant's time zone.
    Someone who is not a member gets the 404 of
    a tenant that does not exist; a member whose role lacks ``action`` gets 403. A member whose
    tenant requires a second factor of their role (``must_use_two_factor``) and who did not
    sign in with one is sent to set it up (or to give a code) first, then back here.

    Every answer is marked ``Cache-Control: no-store, private``: staff pages show customers'
    names, contacts and complaints, which must stay out of a shared proxy and out of the
    browser's cache (the Back button after logging out, or the next user of a shared computer,
    must not bring them back).
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request, tenant_slug: str, *args, **kwargs):
            member, workspaces = membership_for_request_or_404(request.user, tenant_slug)
            if must_use_two_factor(member) and not is_verified(request):
                query = urlencode({"next": request.get_full_path()})
                response = redirect(f"{reverse('two-factor')}?{query}")
                patch_cache_control(response, no_store=True, private=True)
                return response
            require(member, action)
            request.member = member
            request.workspaces = workspaces
            request.tenant = member.tenant
            # The database shows this request this tenant's rows only (PostgreSQL).
            rls.activate(member.tenant_id)
            # Times are stored in UTC and shown in the tenant's time zone.
            with timezone.override(member.tenant.time_zone):
                response = view(request, *args, **kwargs)
            patch_cache_control(response, no_store=True, private=True)
            return response

        return wrapper

    return decorator
