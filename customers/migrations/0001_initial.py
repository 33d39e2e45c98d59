"""Customer moves out of complaints into this app: the same table (renamed), the same rows and
ids, so every foreign key to it stays as it is. Phone keys become E.164 in the tenant's country,
and a phone number stops being unique to one customer (a household or an office shares one).
Reversed, customers who came to share a phone key keep it only on the earliest of them."""

import re

import django.db.models.deletion
import phonenumbers
from django.db import migrations, models


def phone_key(phone: str, region: str) -> str:
    # customers.keys.phone_key as it is today, frozen here: a migration must not change with it.
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.startswith("+") and digits else digits


def recompute_phone_keys(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Tenant = apps.get_model("tenants", "Tenant")
    countries = dict(Tenant.objects.values_list("pk", "country"))
    changed = []
    rows = Customer.objects.exclude(phone="").only("pk", "tenant_id", "phone", "phone_key")
    for customer in rows.iterator(chunk_size=2000):
        key = phone_key(customer.phone, countries.get(customer.tenant_id, ""))
        if key != customer.phone_key:
            customer.phone_key = key
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["phone_key"], batch_size=2000)


def unique_phone_keys(apps, schema_editor):
    """Going back: complaints' customer had one customer per phone key (``customer_unique_phone``,
    which reversing the RemoveConstraint below adds again). Where customers now share a phone
    key, the earliest keeps it and the others' keys are emptied (their phone stays as typed), so
    the constraint can be added; matching then finds them by their email."""
    Customer = apps.get_model("customers", "Customer")
    shared = (
        Customer.objects.exclude(phone_key="")
        .values("tenant_id", "phone_key")
        .annotate(first=models.Min("pk"), customers=models.Count("pk"))
        .filter(customers__gt=1)
    )
    for group in shared.iterator(chunk_size=2000):
        Customer.objects.filter(
            tenant_id=group["tenant_id"], phone_key=group["phone_key"], pk__gt=group["first"]
        ).update(phone_key="")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenants", "0003_working_hours_closures"),
        ("complaints", "0007_sla_check_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Customer",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="email"),
                        ),
                        (
                            "phone",
                            models.CharField(blank=True, max_length=32, verbose_name="phone"),
                        ),
                        ("email_key", models.CharField(blank=True, editable=False, max_length=254)),
                        ("phone_key", models.CharField(blank=True, editable=False, max_length=32)),
                        (
                            "language",
                            models.CharField(
                                choices=[
                                    ("en", "English"),
                                    ("el", "Greek"),
                                    ("it", "Italian"),
                                    ("es", "Spanish"),
                                    ("ru", "Russian"),
                                ],
                                default="en",
                                max_length=8,
                                verbose_name="preferred language",
                            ),
                        ),
                        (
                            "external_id",
                            models.CharField(blank=True, max_length=64, verbose_name="external id"),
                        ),
                        (
                            "segment",
                            models.CharField(
                                choices=[
                                    ("standard", "Standard"),
                                    ("vip", "VIP"),
                                    ("watchlist", "Watchlist"),
                                ],
                                default="standard",
                                max_length=12,
                                verbose_name="segment",
                            ),
                        ),
                        (
                            "consent_email",
                            models.BooleanField(default=True, verbose_name="agrees to email"),
                        ),
                        (
                            "consent_sms",
                            models.BooleanField(default=False, verbose_name="agrees to SMS"),
                        ),
                        (
                            "survey_opt_out",
                            models.BooleanField(default=False, verbose_name="no surveys"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
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
                        "verbose_name": "customer",
                        "verbose_name_plural": "customers",
                        "db_table": "complaints_customer",
                        "indexes": [
                            models.Index(fields=["tenant", "name"], name="customer_tenant_name")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("email_key", ""), _negated=True),
                                fields=("tenant", "email_key"),
                                name="customer_unique_email",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("phone_key", ""), _negated=True),
                                fields=("tenant", "phone_key"),
                                name="customer_unique_phone",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="customer", table=None),
        migrations.RemoveConstraint(model_name="customer", name="customer_unique_phone"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("phone_key", ""), _negated=True),
                fields=["tenant", "phone_key"],
                name="customer_tenant_phone",
            ),
        ),
        migrations.RunPython(recompute_phone_keys, unique_phone_keys),
    ]
