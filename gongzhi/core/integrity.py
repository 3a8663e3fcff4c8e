"""No NUL character is ever stored (a safety net under the input schemas).

PostgreSQL refuses NUL in any text column (SQLite silently keeps it), so a value that slipped past a
schema — a service called from a command, an import, a bridge — would be a 500 in production and
fine in development. Every save checks its text fields first and refuses with ``Invalid`` naming the
field, the same on both databases. (Bulk inserts bypass ``pre_save``; their callers parse their rows.)
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gongzhi.core.errors import invalid


def refuse_nul(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname, None)
            if isinstance(value, str) and "\x00" in value:
                raise invalid(field.name, f"{field.verbose_name}：含有不允许的控制字符（NUL），请删除后重试")
