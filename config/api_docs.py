"""The API's OpenAPI schema and its Swagger page, only for staff.

The schema lists every endpoint, field and filter: a map for an attacker, and nothing a
customer needs. So both answer only a signed-in member of an active workspace (or a
superuser), through the API's own authentication (a session today, an API key when the API
gets one: it joins ``DEFAULT_AUTHENTICATION_CLASSES``). Anyone else gets 403 for the schema;
the docs page sends an anonymous browser to the login page first.
"""

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission

from tenants.rls import all_tenants
from tenants.selectors import memberships_of_user


class IsStaff(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        with all_tenants():  # a member of any workspace: the user's own rows
            return user.is_superuser or memberships_of_user(user).exists()


schema = SpectacularAPIView.as_view(permission_classes=[IsStaff])
# The docs page's own script (``?script``) goes through the same check as the page.
docs = login_required(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[IsStaff])
)
