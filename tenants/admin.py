from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tenants.audit import audit_record
from tenants.models import (
    AuditEntry,
    Brand,
    Closure,
    Department,
    Membership,
    Tenant,
    Touchpoint,
    time_zone_choices,
)
from tenants.onboarding import tenant_create, tenant_problems
from tenants.scoping import TenantManager
from tenants.services import closure_remove, closure_set, department_create


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits land in the tenant's audit trail like any other change."""

    def tenant_of(self, obj):
        return obj.tenant

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            tenant=self.tenant_of(obj),
            actor=request.user,
            action=f"admin.{'changed' if change else 'added'}",
            target=obj,
            changes={
                name: [
                    str(form.initial[name]) if change and name in form.initial else None,
                    str(form.cleaned_data[name]),
                ]
                for name in form.changed_data
            },
        )

    def delete_model(self, request, obj):
        audit_record(
            tenant=self.tenant_of(obj), actor=request.user, action="admin.deleted", target=obj
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class TenantOwnedAdmin(AuditedAdmin):
    """Django admin is for superusers, who work across tenants: its queries are unscoped."""

    list_filter = ["tenant"]
    list_select_related = ["tenant"]

    def get_queryset(self, request):
        return self.model.objects.unscoped()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if isinstance(related._default_manager, TenantManager):
            kwargs["queryset"] = related.objects.unscoped()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TenantCreateForm(forms.ModelForm):
    """A new tenant and its first admin's address (``tenants.onboarding.tenant_create``)."""

    admin_email = forms.EmailField(
        label=_("First admin's email"),
        help_text=_("They are sent an invitation to choose a password and sign in."),
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "country", "time_zone", "default_language"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            problems = tenant_problems(
                name=data["name"].strip(),
                slug=data["slug"],
                admin_email=data["admin_email"],
                country=data["country"].upper(),
                time_zone=data["time_zone"],
                language=data["default_language"],
            )
            for field, messages in problems.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(Tenant)
class TenantAdmin(AuditedAdmin):
    list_display = ["name", "slug", "country", "time_zone", "default_language", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    add_fields = [*TenantCreateForm.Meta.fields, "admin_email"]

    def tenant_of(self, obj):
        return obj

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs.update(form=TenantCreateForm, fields=self.add_fields)
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.add_fields})]
        return super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # The same service as ``manage.py tenant_create``: the tenant, its admin, the email.
        data = form.cleaned_data
        tenant, _invitation = tenant_create(
            actor=request.user,
            name=data["name"],
            slug=data["slug"],
            admin_email=data["admin_email"],
            country=data["country"],
            time_zone=data["time_zone"],
            language=data["default_language"],
        )
        obj.pk = tenant.pk
        obj._state.adding = False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            # A select of the known zones: a typo cannot be typed (the model validates too).
            kwargs["widget"] = forms.Select(choices=time_zone_choices())
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def delete_model(self, request, obj):
        # The tenant's audit trail goes with it; deleting a tenant is not recorded inside it.
        obj.delete()


@admin.register(Brand)
class BrandAdmin(TenantOwnedAdmin):
    list_display = ["name", "slug", "tenant", "sender_email", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(Touchpoint)
class TouchpointAdmin(TenantOwnedAdmin):
    list_display = ["name", "code", "kind", "tenant", "is_active"]
    list_filter = ["tenant", "kind"]
    search_fields = ["name", "code"]


class TreeNodeAdmin(TenantOwnedAdmin):
    """A node of a tenant tree (tenants.trees): added through its service, never moved."""

    list_select_related = ["tenant", "parent"]  # the list shows the parent of every row

    def create_node(self, request, obj):
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        # Moving a node would have to rewrite its subtree's paths; not an admin edit.
        return ["tenant", "parent", "path"] if obj else ["path"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = self.create_node(request, obj)
        obj.pk, obj.path = created.pk, created.path


@admin.register(Department)
class DepartmentAdmin(TreeNodeAdmin):
    list_display = ["name", "code", "parent", "tenant", "is_active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Closed only through tenants.structure.department_close, which checks its complaints.
        return [*super().get_readonly_fields(request, obj), "is_active"]

    def create_node(self, request, obj):
        return department_create(
            tenant=obj.tenant, actor=request.user, code=obj.code, name=obj.name, parent=obj.parent
        )


@admin.register(Membership)
class MembershipAdmin(TenantOwnedAdmin):
    list_display = ["user", "tenant", "role", "department", "external_code", "is_active"]
    list_filter = ["tenant", "role", "is_active"]
    list_select_related = ["user", "tenant", "department"]
    search_fields = ["user__email", "user__username", "external_code"]
    raw_id_fields = ["user"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            # A member's department is one of their tenant's (a list across every tenant, or
            # a raw id looked up without a tenant, would not do).
            departments = Department.objects.for_tenant(obj.tenant_id).order_by("path")
            form.base_fields["department"].queryset = departments
        return form


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantOwnedAdmin):
    list_display = ["created_at", "tenant", "actor", "action", "target_type", "target_id"]
    list_filter = ["tenant", "action"]
    list_select_related = ["tenant", "actor"]
    search_fields = ["target_id", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Closure)
class ClosureAdmin(TenantOwnedAdmin):
    """Saved through the calendar's services (``closure_set`` / ``closure_remove``)."""

    list_display = ["day", "name", "tenant"]
    date_hierarchy = "day"

    def get_readonly_fields(self, request, obj=None):
        return ["tenant", "day"] if obj else []

    def save_model(self, request, obj, form, change):
        saved = closure_set(tenant=obj.tenant, actor=request.user, day=obj.day, name=obj.name)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        closure_remove(tenant=obj.tenant, actor=request.user, day=obj.day)
