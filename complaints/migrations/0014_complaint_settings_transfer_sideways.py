from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0013_sla_notification_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintsettings",
            name="transfer_sideways",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "Members may hand a complaint to any department, not only to their own, "
                    "those above it and those below it."
                ),
                verbose_name="transfers sideways",
            ),
        ),
    ]
