"""The follow-up's status becomes a state machine; an invitation points at its first email's
outbox row (the response rate counts what the SMTP server accepted); a response's
``is_critic`` means a critic only (a detractor on the primary question), no longer "left a
comment".

The backfill finds each sent invitation's first email by the outbox key the sender gives it,
``survey-invitation-<pk>-invitation``. The thresholds below are frozen here on purpose: a
migration must mean the same thing when ``surveys.scoring`` changes later.
"""

import django.db.models.deletion
import django_fsm
from django.db import migrations, models
from django.db.models import CharField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat

CRITIC_MAX = {"nps": 6, "csat": 3, "ces": 3}


def link_first_emails(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Delivery = apps.get_model("notifications", "Delivery")
    key = Concat(
        Value("survey-invitation-"),
        Cast(OuterRef("pk"), CharField()),
        Value("-invitation"),
        output_field=CharField(),
    )
    first_email = Delivery.objects.filter(tenant_id=OuterRef("tenant_id"), dedupe_key=key)
    Invitation.objects.filter(sent_at__isnull=False, delivery__isnull=True).update(
        delivery=Subquery(first_email.values("pk")[:1])
    )


def critics_only(apps, schema_editor):
    Response = apps.get_model("surveys", "Response")
    critic = Q(pk__in=[])
    for kind, highest in CRITIC_MAX.items():
        critic |= Q(primary_kind=kind, primary_score__lte=highest)
    Response.objects.filter(critic).exclude(is_critic=True).update(is_critic=True)
    Response.objects.exclude(critic).exclude(is_critic=False).update(is_critic=False)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification"),
        ("surveys", "0005_customer_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="delivery",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="notifications.delivery",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="status",
            field=django_fsm.FSMField(
                choices=[("open", "Open"), ("done", "Done")],
                default="open",
                max_length=6,
                protected=True,
            ),
        ),
        migrations.RunPython(link_first_emails, migrations.RunPython.noop),
        migrations.RunPython(critics_only, migrations.RunPython.noop),
    ]
