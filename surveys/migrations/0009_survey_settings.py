"""The survey programme's settings: one row per tenant (``SurveySettings``). Each tenant's
throttle and critic rule, until now on the tenant (tenants 0009 removes them there), are copied
into it; reversing copies them back."""

import django.db.models.deletion
from django.db import migrations, models


def copy_from_tenants(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    SurveySettings = apps.get_model("surveys", "SurveySettings")
    SurveySettings.objects.bulk_create(
        [
            SurveySettings(
                tenant_id=tenant_id,
                throttle_days=throttle_days,
                follow_up_critics_without_comment=critics_without_comment,
            )
            for tenant_id, throttle_days, critics_without_comment in Tenant.objects.values_list(
                "pk", "survey_throttle_days", "follow_up_critics_without_comment"
            )
        ]
    )


def copy_back_to_tenants(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    SurveySettings = apps.get_model("surveys", "SurveySettings")
    for row in SurveySettings.objects.all():
        Tenant.objects.filter(pk=row.tenant_id).update(
            survey_throttle_days=row.throttle_days,
            follow_up_critics_without_comment=row.follow_up_critics_without_comment,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0008_close_follow_ups_of_non_critics"),
        ("tenants", "0008_tenant_require_two_factor"),
    ]

    operations = [
        migrations.AlterField(
            model_name="interaction",
            name="decision",
            field=models.CharField(
                choices=[
                    ("pending", "Not decided yet"),
                    ("invited", "Invited"),
                    ("no_rule", "No survey rule matches"),
                    ("not_sampled", "Not in the sample"),
                    ("throttled", "Surveyed recently"),
                    ("opted_out", "Customer opted out"),
                    ("no_email", "No email address"),
                    ("too_old", "Event older than the maximum age"),
                    ("not_eligible", "Complaint rejected, withdrawn or merged"),
                ],
                default="pending",
                max_length=14,
            ),
        ),
        migrations.CreateModel(
            name="SurveySettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "throttle_days",
                    models.PositiveSmallIntegerField(
                        default=30,
                        help_text="A customer gets at most one survey in this many days; 0: no limit.",
                        verbose_name="survey throttle (days)",
                    ),
                ),
                (
                    "max_event_age_hours",
                    models.PositiveSmallIntegerField(
                        default=24,
                        help_text="An older event is not surveyed, and a survey goes out at the latest this long after its event (a rule's delay is at most this long).",
                        verbose_name="maximum age of an event (hours)",
                    ),
                ),
                (
                    "follow_up_critics_without_comment",
                    models.BooleanField(
                        default=True,
                        help_text="A critic who left a comment is always called back; this decides for a critic who only gave a low score.",
                        verbose_name="follow up critics without a comment",
                    ),
                ),
                (
                    "response_rate_low_percent",
                    models.PositiveSmallIntegerField(
                        default=5, verbose_name="response rate norm: lowest (%)"
                    ),
                ),
                (
                    "response_rate_high_percent",
                    models.PositiveSmallIntegerField(
                        default=15, verbose_name="response rate norm: highest (%)"
                    ),
                ),
                (
                    "csat_target_percent",
                    models.PositiveSmallIntegerField(default=60, verbose_name="CSAT target (%)"),
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
                "verbose_name": "survey programme settings",
                "verbose_name_plural": "survey programme settings",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant",), name="survey_settings_one_per_tenant"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("max_event_age_hours__gte", 1)),
                        name="survey_settings_event_age_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("csat_target_percent__lte", 100),
                            ("response_rate_high_percent__lte", 100),
                            (
                                "response_rate_low_percent__lt",
                                models.F("response_rate_high_percent"),
                            ),
                        ),
                        name="survey_settings_percentages",
                    ),
                ],
            },
        ),
        migrations.RunPython(copy_from_tenants, copy_back_to_tenants),
    ]
