from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class LoopdeskAdminSite(AdminSite):
    """Django admin crosses tenants, so it is for superusers only, whatever a staff user's
    model permissions say."""

    site_header = "Loopdesk administration"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


class LoopdeskAdminConfig(AdminConfig):
    default_site = "config.admin.LoopdeskAdminSite"
