"""Petitions for an extraordinary assembly (临时会议提议, §E 18): owners start and sign; at 20 % of the
heads the committee and the community are told."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse

from gongzhi.accounts.selectors import users_holding_at
from gongzhi.core.audit import audit_record, audited_create
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.registry.models import Place
from gongzhi.voting import selectors
from gongzhi.voting.choices import (
    PetitionStatus,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Petition,
    PetitionSignature,
)
from gongzhi.voting.permissions import (
    RUNNER_ROLES,
    can_petition,
    can_sign,
)
from gongzhi.voting.services.base import conflict, refuse_input, stripped_text, utc_now


def petition_create(*, estate: Place, title: str, actor: Any, reason: str = "") -> Petition:
    """Start a petition for an extraordinary assembly (发起临时会议提议): an owner of the estate, or its
    committee or community staff."""
    can_petition.require(actor, estate)
    title = stripped_text(title, "title", "提议事项", 200)
    if not title:
        raise refuse_input({"title": "提议事项不能为空"})
    with transaction.atomic():
        petition = Petition(
            estate=estate,
            title=title,
            reason=reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audited_create(petition, actor=actor, event="voting.petition.started", summary=f"提议 {title}")
    if can_sign.allows(actor, petition):
        petition_sign(petition=petition, actor=actor)
    return petition


def petition_sign(*, petition: Petition, actor: Any, now: dt.datetime | None = None) -> PetitionSignature:
    """An owner signs (联名); when the signers reach 20 % of the heads the committee is told (§E 18)."""
    can_sign.require(actor, petition)
    now = utc_now(now)
    with transaction.atomic():
        petition = Petition.objects.select_for_update().select_related("estate").get(pk=petition.pk)
        if not petition.can_sign():
            raise Conflict("该提议已结束", code=VotingError.PETITION_CLOSED)
        try:
            with transaction.atomic():
                signature = PetitionSignature.objects.create(
                    petition=petition, person_id=actor.person_id, signed_at=now
                )
        except IntegrityError as exc:
            raise conflict("person_id", "您已联名", VotingError.ALREADY_SIGNED) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=signature,
            summary=f"联名 {petition}",
            event="voting.petition.signed",
            after={"petition": petition.pk},
        )
        progress = selectors.petition_progress(petition)
        if progress.reached and petition.status == PetitionStatus.OPEN:
            reached = Petition.objects.filter(pk=petition.pk, status=PetitionStatus.OPEN).update(
                status=PetitionStatus.REACHED, reached_at=now
            )
            if reached == 1:
                _tell_committee(petition, progress)
    return signature


def _tell_committee(petition: Petition, progress: selectors.PetitionProgress) -> None:
    estate = petition.estate
    # the estate and every place above it (its path is the ids from the root down)
    above = [int(part) for part in estate.path.strip("/").split("/") if part]
    notify(
        users=users_holding_at(RUNNER_ROLES, above),
        title=f"{estate.name}：临时会议提议已达20%",
        body=(
            f"「{petition.title}」已有 {progress.signed_heads} 名业主联名，占总人数 {progress.total_heads} 的"
            f" {progress.percent}%，达到召开临时会议的20%（《北京市物业管理条例》第36条），请依法召集。"
        ),
        link=reverse("voting:petition", args=[petition.pk]),
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        obj=petition,
        after={
            "status": PetitionStatus.REACHED,
            "signed_heads": progress.signed_heads,
            "total_heads": progress.total_heads,
        },
        summary=f"提议达到20% {petition}，已通知业委会和社区",
        event="voting.petition.reached",
    )
