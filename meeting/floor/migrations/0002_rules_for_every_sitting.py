"""Every existing sitting gets its floor rules row (new ones get it when created)."""

from django.db import migrations


def create_missing(apps, schema_editor):
    Sitting = apps.get_model("meeting", "Sitting")
    FloorRules = apps.get_model("floor", "FloorRules")
    have = set(FloorRules.objects.values_list("sitting_id", flat=True))
    FloorRules.objects.bulk_create(
        FloorRules(sitting_id=pk)
        for pk in Sitting.objects.values_list("pk", flat=True)
        if pk not in have
    )


class Migration(migrations.Migration):
    dependencies = [("floor", "0001_initial")]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
