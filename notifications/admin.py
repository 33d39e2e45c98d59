from django.contrib import admin

from notifications.models import Delivery
from tenants.admin import TenantOwnedAdmin


@admin.register(Delivery)
class DeliveryAdmin(TenantOwnedAdmin):
    list_display = ["created_at", "tenant", "channel", "recipient", "subject", "status", "attempts"]
    list_filter = ["tenant", "status", "channel"]
    search_fields = ["recipient", "subject", "dedupe_key"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
