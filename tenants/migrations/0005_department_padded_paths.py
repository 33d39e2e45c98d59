"""Department paths become zero-padded id chains (tenants.trees), so ``ORDER BY path`` lists
siblings in id order once ids pass 99. Recomputed from the parent links; the reverse writes
the old unpadded chains back."""

from django.db import migrations

from tenants.trees import tree_paths_rebuild


def pad_paths(apps, schema_editor):
    tree_paths_rebuild(apps.get_model("tenants", "Department"))


def unpad_paths(apps, schema_editor):
    tree_paths_rebuild(apps.get_model("tenants", "Department"), width=0)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_follow_up_critics_without_comment"),
    ]

    operations = [
        migrations.RunPython(pad_paths, unpad_paths, elidable=False),
    ]
