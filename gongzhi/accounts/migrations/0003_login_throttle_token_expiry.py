"""Logins are throttled per client address (FailedAttempt) instead of locking accounts, and every API
token expires.

Tokens made before expiry existed get one: API_TOKEN_DAYS after they were made, but never sooner than
GRACE_DAYS after this migration runs, so no integration stops on the day of the upgrade without its
owner seeing the date on the token page first."""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

GRACE_DAYS = 30


def give_tokens_an_expiry(apps, schema_editor):  # noqa: ANN001, ANN201
    ApiToken = apps.get_model("accounts", "ApiToken")
    floor = timezone.now() + dt.timedelta(days=GRACE_DAYS)
    life = dt.timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at").iterator():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=max(token.created_at + life, floor))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_property_finance_role"),
    ]

    operations = [
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
        migrations.RunPython(give_tokens_an_expiry, migrations.RunPython.noop),
    ]
