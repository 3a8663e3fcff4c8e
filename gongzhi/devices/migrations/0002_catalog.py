"""Seed the device types and their alarm rules (gongzhi.devices.catalog)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gongzhi.devices.catalog import seed as seed_catalog

    seed_catalog(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0001_initial"),
        ("work_orders", "0002_categories"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
