"""The survey programme's settings left the tenant for ``surveys.SurveySettings``: surveys
0009 copied each tenant's values there first (and copies them back when reversed)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0010_brand_contact_texts_department_open"),
        ("surveys", "0009_survey_settings"),
    ]

    operations = [
        migrations.RemoveField(model_name="tenant", name="follow_up_critics_without_comment"),
        migrations.RemoveField(model_name="tenant", name="survey_throttle_days"),
    ]
