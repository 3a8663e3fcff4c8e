"""Assemblies and their agenda (业主大会会议与议程): the estate's voting settings, calling an assembly,
adding motions, posting the notice (§E 19), opening the vote (freezing the electorate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_create, audited_update, snapshot
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.voting import rules
from gongzhi.voting.choices import (
    AssemblyKind,
    AssemblyStatus,
    Matter,
    PetitionStatus,
    RuleSet,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Assembly,
    Motion,
    MotionDocument,
    Petition,
    VotingSettings,
)
from gongzhi.voting.permissions import (
    can_call_assembly,
    can_configure,
    can_open_vote,
    can_post_notice,
    can_set_agenda,
)
from gongzhi.voting.services.base import local_date, notice_days, refuse_input, utc_now
from gongzhi.voting.services.electorate import freeze


def voting_settings_set(*, estate: Place, count_parking: bool, actor: Any) -> VotingSettings:
    """Record whether parking spaces count toward voting area and heads (§C 13), per the procedural rules."""
    can_configure.require(actor, estate)
    with transaction.atomic():
        row, _ = VotingSettings.objects.select_for_update().get_or_create(estate=estate)
        audited_update(
            row,
            {"count_parking": count_parking},
            actor=actor,
            event="voting.settings.updated",
            summary=f"{estate.name} 表决设置：车位{'计入' if count_parking else '不计入'}",
        )
    return row


def assembly_create(
    *,
    estate: Place,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    actor: Any,
    kind: str = AssemblyKind.REGULAR,
    notice_text: str = "",
    petition: Petition | None = None,
) -> Assembly:
    """Call an owners' assembly (召集业主大会会议) with its voting period; its agenda is added next."""
    can_call_assembly.require(actor, estate)
    if estate.kind not in (PlaceKind.ESTATE, PlaceKind.COMMUNITY):
        raise refuse_input({"estate_id": "小区：请选择小区（几个小区联合表决时选社区）"})
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "会议名称不能为空"
    elif len(title) > 120:
        errors["title"] = "会议名称：最多 120 个字符"
    if closes_at <= opens_at:
        errors["closes_at"] = "表决截止时间应晚于开始时间"
    if kind not in AssemblyKind.values:
        errors["kind"] = "会议类型无效"
    if petition is not None:
        if petition.estate_id != estate.pk:
            errors["petition_id"] = "提议不属于该小区"
        elif not petition.can_call():
            errors["petition_id"] = "提议尚未达到20%业主联名（§E 18）"
        elif Assembly.objects.filter(petition=petition).exists():
            errors["petition_id"] = "该提议已召集会议"
        kind = AssemblyKind.EXTRAORDINARY
    if errors:
        raise refuse_input(errors)
    with transaction.atomic():
        assembly = Assembly(
            estate=estate,
            kind=kind,
            title=title,
            notice_text=notice_text,
            opens_at=opens_at,
            closes_at=closes_at,
            petition=petition,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audited_create(assembly, actor=actor, event="voting.assembly.called", summary=f"召集 {title}")
        if petition is not None:
            Petition.objects.filter(pk=petition.pk).update(status=PetitionStatus.CLOSED)
    return assembly


def motion_add(
    *,
    assembly: Assembly,
    title: str,
    matter: str,
    actor: Any,
    rule_set: str | None = None,
    description: str = "",
    buildings: Iterable[Place] = (),
    documents: Sequence[tuple[str, str]] = (),
    excluded_organisations: Iterable[Any] = (),
    exclusion_note: str = "",
) -> Motion:
    """Put a motion on the agenda (表决事项) before the notice is posted; nothing is voted outside it (§E 19).

    The rule set follows the dates (§D 16): the Property Law for a vote closed before 2021-01-01, the
    Civil Code for one opened after; a vote straddling the date takes the rule set given and is flagged.
    """
    can_set_agenda.require(actor, assembly)
    buildings = list(buildings)
    opens_on, closes_on = local_date(assembly.opens_at), local_date(assembly.closes_at)
    expected = rules.expected_rule_set(opens_on, closes_on)
    rule_set = rule_set or expected or RuleSet.CIVIL_CODE
    if not assembly.can_set_agenda():
        message = "会议已公告，议程不能再增加事项（不得表决公告以外的事项，§E 19）"
        raise Conflict(message, code=VotingError.AGENDA_FIXED)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "表决事项不能为空"
    elif len(title) > 200:
        errors["title"] = "表决事项：最多 200 个字符"
    if matter not in Matter.values:
        errors["matter"] = "事项类别无效"
    if rule_set not in RuleSet.values:
        errors["rule_set"] = "计票规则无效"
    elif expected is not None and rule_set != expected:
        errors["rule_set"] = f"表决期间为 {opens_on}—{closes_on}，应适用{RuleSet(expected).label}（§D 16）"
    for b in buildings:
        if b.kind != PlaceKind.BUILDING or not b.path.startswith(assembly.estate.path):
            errors["building_ids"] = f"{b.name} 不是本小区的楼栋"
    excluded_organisations = list(excluded_organisations)
    exclusion_note = (exclusion_note or "").strip()
    if excluded_organisations and not exclusion_note:
        errors["exclusion_note"] = "不列入名册的产权单位须写明理由"
    elif len(exclusion_note) > 300:
        errors["exclusion_note"] = "不列入名册的理由：最多 300 个字符"
    for doc_title, body in documents:
        if not doc_title.strip() or not body.strip():
            errors["documents"] = "表决材料的标题和内容都不能为空"
    if errors:
        raise refuse_input(errors)
    with transaction.atomic():
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        position = (assembly.motions.aggregate(m=Max("position"))["m"] or 0) + 1
        motion = Motion.objects.create(
            assembly=assembly,
            position=position,
            title=title,
            description=description,
            matter=matter,
            rule_set=rule_set,
            exclusion_note=exclusion_note,
        )
        if excluded_organisations:
            motion.excluded_organisations.set(excluded_organisations)
        if buildings:
            motion.buildings.set(buildings)
        MotionDocument.objects.bulk_create([MotionDocument(motion=motion, title=t, body=b) for t, b in documents])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=motion,
            after={**snapshot(motion), "buildings": [b.pk for b in buildings]},
            summary=f"{assembly} 议程 {motion}",
            event="voting.motion.added",
        )
    return motion


def assembly_post_notice(*, assembly: Assembly, actor: Any, noticed_on: dt.date | None = None) -> Assembly:
    """Post the notice and fix the agenda (发布会议公告): at least 15 days before voting opens (BJ art. 35, §E 19)."""
    can_post_notice.require(actor, assembly)
    noticed_on = noticed_on or timezone.localdate()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if not assembly.can_post_notice():
            raise Conflict("会议已公告", code=VotingError.NOT_DRAFT)
        if not assembly.motions.exists():
            raise Conflict("议程为空：请先添加表决事项", code=VotingError.AGENDA_EMPTY)
        errors: dict[str, str] = {}
        if noticed_on > timezone.localdate():
            errors["noticed_on"] = "公告日期：不能晚于今天"
        opens_on = local_date(assembly.opens_at)
        days = notice_days()
        if not rules.notice_ok(noticed_on, opens_on, days):
            errors["noticed_on"] = f"公告日期：公告应在表决开始（{opens_on}）前至少{days}日发布（§E 19）"
        if errors:
            raise refuse_input(errors)
        changes = {"status": AssemblyStatus.NOTICED, "noticed_on": noticed_on}
        audited_update(assembly, changes, actor=actor, event="voting.assembly.noticed", summary=f"公告 {assembly}")
    return assembly


def assembly_open(*, assembly: Assembly, actor: Any, now: dt.datetime | None = None) -> Assembly:
    """Open the vote (开始表决): freeze each motion's electorate as the registry stands now."""
    can_open_vote.require(actor, assembly)
    now = utc_now(now)
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().select_related("estate").get(pk=assembly.pk)
        if not assembly.can_open():
            raise Conflict("只有已公告的会议可以开始表决", code=VotingError.NOT_NOTICED)
        if now < assembly.opens_at:
            message = f"表决开始时间为 {timezone.localtime(assembly.opens_at):%Y-%m-%d %H:%M}，尚未到"
            raise Conflict(message, code=VotingError.OUTSIDE_PERIOD)
        if now >= assembly.closes_at:
            raise Conflict("表决截止时间已过", code=VotingError.OUTSIDE_PERIOD)
        for motion in assembly.motions.select_related("assembly__estate"):
            freeze(motion, now)
        audited_update(
            assembly,
            {"status": AssemblyStatus.OPEN, "opened_at": now},
            actor=actor,
            event="voting.assembly.opened",
            summary=f"开始表决 {assembly}，名册已冻结",
        )
    return assembly
