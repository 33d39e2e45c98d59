from django.contrib import admin

from customers.models import Customer
from customers.services import customer_keys_refresh
from tenants.admin import TenantOwnedAdmin


@admin.register(Customer)
class CustomerAdmin(TenantOwnedAdmin):
    list_display = ["name", "email", "phone", "segment", "tenant", "survey_opt_out"]
    list_filter = ["tenant", "segment", "survey_opt_out"]
    search_fields = ["name", "email_key", "phone_key", "external_id"]
    readonly_fields = ["email_key", "phone_key"]

    def save_model(self, request, obj, form, change):
        customer_keys_refresh(customer=obj)
        super().save_model(request, obj, form, change)
