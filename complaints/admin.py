"""Superusers configure complaint handling per tenant here; agents work in the workspace."""

from django import forms
from django.contrib import admin

from complaints.models import (
    Category,
    Complaint,
    ComplaintSettings,
    RootCause,
    RoutingRule,
    SlaPolicy,
)
from complaints.policies import TARGETS, sla_policy_problems, sla_policy_save_for_tenant
from complaints.services import category_create
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


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "tenant",
            "name",
            "brand",
            "category",
            "severity",
            *TARGETS,
            "warning_percent",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        if data.get("tenant") is not None:
            problems = sla_policy_problems(**data)
            for field, messages in problems.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(TenantOwnedAdmin):
    """Saved through the policies' one writer (checks and audit), as the settings pages are."""

    form = SlaPolicyForm
    list_display = ["name", "tenant", "brand", "category", "severity", "resolution_hours"]
    list_select_related = ["tenant", "brand", "category"]

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        saved = sla_policy_save_for_tenant(
            user=request.user,
            policy=SlaPolicy.objects.unscoped().get(pk=obj.pk) if change else None,
            **data,
        )
        obj.pk = saved.pk
