"""Superusers configure complaint handling per tenant here; agents work in the workspace."""

from django.contrib import admin

from complaints.models import (
    Category,
    Complaint,
    ComplaintSettings,
    Customer,
    RootCause,
    RoutingRule,
)
from complaints.services import category_create, email_key, phone_key
from tenants.admin import TenantOwnedAdmin, TreeNodeAdmin


@admin.register(ComplaintSettings)
class ComplaintSettingsAdmin(TenantOwnedAdmin):
    list_display = ["tenant", "reopen_window_days", "repeat_threshold", "resolution_days"]


@admin.register(Category)
class CategoryAdmin(TreeNodeAdmin):
    list_display = ["name", "code", "parent", "tenant", "is_active"]
    search_fields = ["name", "code"]

    def create_node(self, request, obj):
        return category_create(
            tenant=obj.tenant, actor=request.user, code=obj.code, name=obj.name, parent=obj.parent
        )


@admin.register(RootCause)
class RootCauseAdmin(TenantOwnedAdmin):
    list_display = ["name", "code", "tenant", "is_active"]
    search_fields = ["name", "code"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(TenantOwnedAdmin):
    list_display = ["order", "name", "tenant", "department", "strategy", "is_active"]
    list_display_links = ["name"]
    list_select_related = ["tenant", "department"]


@admin.register(Customer)
class CustomerAdmin(TenantOwnedAdmin):
    list_display = ["name", "email", "phone", "segment", "tenant", "survey_opt_out"]
    list_filter = ["tenant", "segment", "survey_opt_out"]
    search_fields = ["name", "email_key", "phone_key", "external_id"]
    readonly_fields = ["email_key", "phone_key"]

    def save_model(self, request, obj, form, change):
        obj.email_key, obj.phone_key = email_key(obj.email), phone_key(obj.phone)
        super().save_model(request, obj, form, change)


@admin.register(Complaint)
class ComplaintAdmin(TenantOwnedAdmin):
    """Read-only: a complaint changes only through its workflow, in the workspace."""

    list_display = ["reference", "subject", "tenant", "state", "priority", "received_at"]
    list_filter = ["tenant", "state"]
    list_select_related = ["tenant"]
    search_fields = ["reference", "subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
