from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig

from tenants import rls


class LoopdeskAdminSite(AdminSite):
    """Django admin crosses tenants, so it is for superusers only, whatever a staff user's
    model permissions say."""

    site_header = "Loopdesk administration"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        """A superuser's admin page sees every tenant's rows (PostgreSQL row-level security:
        ``tenants.rls``) for the rest of the request, its template's rendering included."""
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def across_tenants(request, *args, **kwargs):
            if self.has_permission(request):
                rls.activate_all_tenants()
            return checked(request, *args, **kwargs)

        return across_tenants


class LoopdeskAdminConfig(AdminConfig):
    default_site = "config.admin.LoopdeskAdminSite"
