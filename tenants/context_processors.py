from django.utils.functional import SimpleLazyObject

from tenants.navigation import navigation_for
from tenants.selectors import memberships_of_user


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
        "workspaces": SimpleLazyObject(lambda: list(memberships_of_user(request.user))),
    }
