"""Customer now lives in the customers app (same table, renamed by customers 0001), and the
business calendar in tenants: working hours move onto the tenant, closures to tenants.Closure."""

import django.db.models.deletion
from django.db import migrations, models


def calendar_to_tenants(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    ComplaintSettings = apps.get_model("complaints", "ComplaintSettings")
    OldClosure = apps.get_model("complaints", "Closure")
    NewClosure = apps.get_model("tenants", "Closure")
    for settings in ComplaintSettings.objects.all():
        Tenant.objects.filter(pk=settings.tenant_id).update(working_hours=settings.working_hours)
    NewClosure.objects.bulk_create(
        [
            NewClosure(tenant_id=closure.tenant_id, day=closure.day, name=closure.name)
            for closure in OldClosure.objects.all()
        ],
        ignore_conflicts=True,
    )
    # The audit trail names the moved models by their new labels.
    AuditEntry = apps.get_model("tenants", "AuditEntry")
    AuditEntry.objects.filter(target_type="complaints.customer").update(
        target_type="customers.customer"
    )
    AuditEntry.objects.filter(target_type="complaints.closure").update(
        target_type="tenants.closure"
    )


def calendar_back(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    ComplaintSettings = apps.get_model("complaints", "ComplaintSettings")
    OldClosure = apps.get_model("complaints", "Closure")
    NewClosure = apps.get_model("tenants", "Closure")
    for tenant in Tenant.objects.all():
        ComplaintSettings.objects.filter(tenant_id=tenant.pk).update(
            working_hours=tenant.working_hours
        )
    OldClosure.objects.bulk_create(
        [
            OldClosure(tenant_id=closure.tenant_id, day=closure.day, name=closure.name)
            for closure in NewClosure.objects.all()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_sla_check_table"),
        ("customers", "0001_initial"),
        ("tenants", "0003_working_hours_closures"),
    ]

    operations = [
        migrations.RunPython(calendar_to_tenants, calendar_back),
        migrations.RemoveField(model_name="complaintsettings", name="working_hours"),
        migrations.DeleteModel(name="Closure"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="complaint",
                    name="customer",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="complaints",
                        to="customers.customer",
                    ),
                ),
            ],
        ),
    ]
