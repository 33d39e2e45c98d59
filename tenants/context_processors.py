from django.utils.functional import SimpleLazyObject

from tenants.navigation import navigation_for
from tenants.selectors import workspaces_of


def workspace(request) -> dict:
    """The current member, their navigation and the workspaces they can switch to."""
    member = getattr(request, "member", None)
    if member is None:
        return {}
    url_name = request.resolver_match.url_name if request.resolver_match else None
    return {
        "member": member,
        "tenant": member.tenant,
        "navigation": navigation_for(member, url_name),
        # Read with the membership (``member_required``); a view that set ``request.member``
        # some other way gets them on demand.
        "workspaces": getattr(request, "workspaces", None)
        or SimpleLazyObject(lambda: workspaces_of(request.user)),
    }
