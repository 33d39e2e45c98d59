"""Deliveries carry a link nonce and their template; the messages of finished ones are emptied.

Until now the outbox kept every message as sent, survey tokens and unsubscribe links included,
for ever. Rows done with (sent, or failed for good) lose their text, HTML and headers here, as
the sender now empties them when it finishes; the survey links they carried keep working (the
surveys app has only ever stored their hashes). Rows still to send keep their message.
"""

from django.db import migrations, models


def purge_finished_messages(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    Delivery.objects.filter(status__in=["sent", "failed"]).update(body="", html_body="", headers={})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="link_nonce",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="delivery",
            name="template",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.RunPython(purge_finished_messages, migrations.RunPython.noop, elidable=True),
    ]
