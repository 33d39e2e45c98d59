"""Notifications are stored as a message key with parameters, worded when they are shown in
the reader's language (``notifications.messages``), instead of text rendered once in the
tenant's language.

Rows written before keep their text as it was, under the key ``text``; an app that knows what
its rows meant gives them their real key in a migration of its own (``complaints 0013`` for the
SLA alerts).
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import JSONObject


def text_to_params(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.update(message="text", params=JSONObject(text=F("text")))


def params_to_text(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for pk, params in Notification.objects.values_list("pk", "params"):
        text = str(params.get("text") or "")[:300]
        Notification.objects.filter(pk=pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_delivery_priority"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.CharField(default="text", max_length=60, verbose_name="message"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.CharField(blank=True, max_length=300, verbose_name="text"),
        ),
        migrations.RunPython(text_to_params, params_to_text),
        migrations.RemoveField(model_name="notification", name="text"),
    ]
