"""A complaint keeps the contact typed with it (its messages go there, whoever its customer
is), and single-use keys to its status page are stored as hashes (complaints.access).

Complaints filed before this take their customer's details as they are now: the closest to
what was typed that is left."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def contact_from_customer(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Customer = apps.get_model("customers", "Customer")
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    Complaint.objects.update(
        contact_name=Subquery(customer.values("name")[:1]),
        contact_email=Subquery(customer.values("email")[:1]),
        contact_phone=Subquery(customer.values("phone")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0011_category_padded_paths"),
        ("tenants", "0007_submission_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="email given"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="contact_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="name given"),
        ),
        migrations.AddField(
            model_name="complaint",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=32, verbose_name="phone given"),
        ),
        migrations.CreateModel(
            name="AccessKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64)),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("email", "Link in a message about the complaint"),
                            ("lookup", "Link asked for on the lookup page"),
                        ],
                        max_length=8,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="complaints.complaint",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["tenant", "complaint", "expires_at"], name="accesskey_complaint"
                    ),
                    models.Index(fields=["expires_at"], name="accesskey_expires_all_tenants"),
                ],
            },
        ),
        migrations.RunPython(contact_from_customer, migrations.RunPython.noop),
    ]
