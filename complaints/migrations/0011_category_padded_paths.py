"""Category paths become zero-padded id chains (tenants.trees), as Department's did, so
``ORDER BY path`` lists sibling categories in id order once ids pass 99. Recomputed from the
parent links; the reverse writes the old unpadded chains back."""

from django.db import migrations

from tenants.trees import tree_paths_rebuild


def pad_paths(apps, schema_editor):
    tree_paths_rebuild(apps.get_model("complaints", "Category"))


def unpad_paths(apps, schema_editor):
    tree_paths_rebuild(apps.get_model("complaints", "Category"), width=0)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0010_corrective_action_status_machine"),
        ("tenants", "0005_department_padded_paths"),
    ]

    operations = [
        migrations.RunPython(pad_paths, unpad_paths, elidable=False),
    ]
