"""A delivery's priority: transactional mail is sent from the default queue, bulk mail (survey
invitations and reminders) from a queue of its own. Survey emails still waiting to be sent
become bulk (the template names are frozen here: a migration must mean the same thing later);
sent rows keep the default, which nothing reads any more."""

from django.db import migrations, models

SURVEY_TEMPLATES = ("surveys/email/invitation", "surveys/email/reminder")
BULK = 1


def survey_mail_is_bulk(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    Delivery.objects.filter(
        status__in=["pending", "sending"], template__in=SURVEY_TEMPLATES
    ).update(priority=BULK)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_delivery_link_key"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="delivery",
            name="delivery_due_all_tenants",
        ),
        migrations.AddField(
            model_name="delivery",
            name="priority",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Transactional"), (1, "Bulk")], default=0, verbose_name="priority"
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "sending"])),
                fields=["priority", "next_attempt_at"],
                name="delivery_priority_all_tenants",
            ),
        ),
        migrations.RunPython(survey_mail_is_bulk, migrations.RunPython.noop),
    ]
