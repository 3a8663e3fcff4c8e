"""Device rows are updated with every event (last_seen_at, battery, online): no index on those columns, and
on PostgreSQL room on each page, so the updates stay heap-only (HOT)."""

from django.db import migrations


def fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE devices_device SET (fillfactor = 70)")


class Migration(migrations.Migration):
    dependencies = [
        ("devices", "0002_catalog"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="device", name="devices_device_online_seen"),
        migrations.RunPython(fillfactor, migrations.RunPython.noop),
    ]
