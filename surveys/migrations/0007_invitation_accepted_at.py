"""An invitation keeps when the SMTP server accepted its first email (``accepted_at``): the
response rate counts from it. From now on the outbox's ``DeliverySent`` event stamps it; here
the invitations whose first email was sent before get the time their outbox row was sent."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def stamp_accepted(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Delivery = apps.get_model("notifications", "Delivery")
    sent_email = Delivery.objects.filter(pk=OuterRef("delivery_id"), status="sent")
    Invitation.objects.filter(accepted_at__isnull=True, delivery__status="sent").update(
        # An old row sent without its time (none should be) counts from the invitation's.
        accepted_at=Coalesce(Subquery(sent_email.values("sent_at")[:1]), "sent_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification"),
        ("surveys", "0006_follow_up_machine_invitation_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(stamp_accepted, migrations.RunPython.noop),
    ]
