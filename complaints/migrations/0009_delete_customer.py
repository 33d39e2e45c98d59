"""The old Customer model leaves complaints' state once nothing points at it (its table is
customers_customer since customers 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_customer_and_calendar_move_out"),
        ("surveys", "0005_customer_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Customer")],
        ),
    ]
