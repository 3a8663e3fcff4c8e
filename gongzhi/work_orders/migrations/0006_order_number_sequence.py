"""Order numbers without a per-day counter row locked by every intake (issue 14 §3).

PostgreSQL: the sequence ``work_order_number_seq`` (1 … 999999, cycling) gives the six digits of
GZ<day>-NNNNNN; ``nextval`` takes no row lock and is never rolled back, so numbers may have gaps.
SQLite (one writer at a time anyway): one row of ``WorkOrderCounter``. Both start after the largest
number already given out, so no number of today is given twice.
"""

from django.db import migrations

SEQUENCE = "work_order_number_seq"


def _last_given(cursor) -> int:
    cursor.execute("SELECT number FROM work_orders_workorder ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    try:
        return int(row[0].rsplit("-", 1)[1]) % 999999 if row else 0
    except (IndexError, ValueError):
        return 0


def create_sequence(apps, schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        last = _last_given(cursor)
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {SEQUENCE} MINVALUE 1 MAXVALUE 999999 CYCLE")
            cursor.execute("SELECT setval(%s, %s, false)", [SEQUENCE, last + 1])
        else:
            counter = apps.get_model("work_orders", "WorkOrderCounter")
            counter.objects.all().delete()  # the old per-day rows
            counter.objects.create(pk=1, last=last)


def drop_sequence(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")


class Migration(migrations.Migration):
    dependencies = [
        ("work_orders", "0005_routing_rule_active"),
    ]

    operations = [
        migrations.RemoveField(model_name="workordercounter", name="day"),
        migrations.RunPython(create_sequence, drop_sequence),
    ]
