"""A corrective action's status becomes a django-fsm field: the same varchar column and values,
so only Django's state changes (no table rebuild, no data touched)."""

import django_fsm
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0009_delete_customer"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="correctiveaction",
                    name="status",
                    field=django_fsm.FSMField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="open",
                        max_length=12,
                        protected=True,
                        verbose_name="status",
                    ),
                ),
            ],
        ),
    ]
