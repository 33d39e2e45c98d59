from django.contrib import admin

from notifications.models import Delivery, Notification
from tenants.admin import TenantOwnedAdmin


@admin.register(Delivery)
class DeliveryAdmin(TenantOwnedAdmin):
    list_display = [
        "created_at",
        "tenant",
        "channel",
        "priority",
        "recipient",
        "subject",
        "status",
        "attempts",
    ]
    list_filter = ["tenant", "status", "channel", "priority"]
    search_fields = ["recipient", "subject", "dedupe_key", "template"]
    # The nonce is half of a link's secret (``notifications.links``): nobody needs to read it.
    exclude = ["link_nonce"]
    readonly_fields = [field.name for field in Delivery._meta.fields if field.name != "link_nonce"]

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(TenantOwnedAdmin):
    """Read-only: notifications are written by the services that raise them."""

    list_display = ["created_at", "tenant", "recipient", "text", "read_at"]
    list_filter = ["tenant"]
    list_select_related = ["tenant", "recipient__user"]
    search_fields = ["text", "dedupe_key", "recipient__user__email"]
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
