"""Open311 clients (Open311接入方): registering one and finding it by its api_key (see views.py for the
GeoReport v2 endpoints)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core.audit import audit_record
from gongzhi.core.keys import key_digest, new_key
from gongzhi.core.models import AuditAction
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders.models import Open311Client
from gongzhi.work_orders.permissions import can_register_open311

KEY_PREFIX = "o311_"


def open311_client_create(*, name: str, place: Place, user: Any, actor: Any) -> tuple[Open311Client, str]:
    """Register an Open311 client for an estate or a street; returns it and its api_key (shown once).
    Street and community staff over the place (``can_register_open311``); the command acts as the system."""
    can_register_open311.require(actor, place)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写接入方名称"})
    if len(name) > 100:
        raise ValidationError({"name": "接入方名称不能超过100个字"})
    if place.kind not in (PlaceKind.ESTATE, PlaceKind.STREET):
        raise ValidationError({"place": "接入范围只能是小区或街道"})
    if not Place.objects.visible_to(user).filter(pk=place.pk).exists():
        raise ValidationError({"user": "责任账号看不到该小区或街道"})
    key = new_key(KEY_PREFIX)
    with transaction.atomic():
        client = Open311Client.objects.create(name=name, place=place, actor=user, key_hash=key_digest(key))
        # not audited_create: its snapshot would keep the key's digest in the log for years
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            event="work_orders.open311_client.created",
            obj=client,
            summary=f"新建Open311接入方 {name}（{place.name}）",
        )
    return client, key


def client_for_key(key: str) -> Open311Client | None:
    key = (key or "").strip()
    if not key.startswith(KEY_PREFIX):
        return None
    return (
        Open311Client.objects.select_related("place", "actor")
        .filter(key_hash=key_digest(key), active=True, actor__is_active=True)
        .first()
    )
