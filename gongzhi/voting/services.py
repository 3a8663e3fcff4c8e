"""Every write of owners' votes (业主大会表决): assemblies and their agendas, opening (freezing the
electorate), online and paper ballots, voiding, closing (the tally), publication, petitions.

Each service runs in one transaction and writes an audit row. Who may act is decided by the named
permissions of ``gongzhi.voting.permissions`` (the estate's committee members and community staff run
a vote; a current owner of a unit votes for it): each service guards with its permission first and
refuses anyone else with ``Forbidden`` (403, the permission's code and reason). A vote not in the
state an act needs is a ``Conflict`` (409), bad input ``Invalid`` (400), with codes from
``gongzhi.voting.errors``; nothing is cut short silently. Ballots are
appended to the motion's hash chain under a lock on the motion row, and one live ballot per unit is
also a database constraint, so racing submissions leave exactly one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Max, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.selectors import users_holding_at
from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, Forbidden, Invalid
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify
from gongzhi.registry.choices import OwnerKind, PlaceKind, UnitUse
from gongzhi.registry.models import Ownership, Place, Unit
from gongzhi.voting import chain, rules, selectors
from gongzhi.voting.choices import (
    AssemblyKind,
    AssemblyStatus,
    BallotChannel,
    BallotKind,
    Choice,
    Matter,
    PaperStatus,
    PetitionStatus,
    RuleSet,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Assembly,
    Ballot,
    ElectorateUnit,
    Motion,
    MotionDocument,
    PaperBallot,
    Petition,
    PetitionSignature,
    VotingSettings,
)
from gongzhi.voting.permissions import (
    RUNNER_ROLES,
    can_call_assembly,
    can_cast,
    can_close_vote,
    can_configure,
    can_confirm_paper_ballot,
    can_key_paper_ballot,
    can_open_vote,
    can_petition,
    can_post_notice,
    can_publish,
    can_set_agenda,
    can_sign,
    can_void_ballot,
)


def _conflict(field: str, message: str, code: str) -> Conflict:
    """A clash with an existing row or a state that does not allow the act: the API answers 409."""
    return Conflict(message, code=code, fields={field: message})


def _invalid(errors: dict[str, str], code: str = VotingError.INVALID) -> Invalid:
    """Input the voting rules refuse (400), each field with its message."""
    return Invalid("；".join(errors.values()), code=code, fields=errors)


def _text(value: str, field: str, label: str, max_length: int) -> str:
    """Text as it will be stored: stripped, and refused (never cut) when longer than its column."""
    value = (value or "").strip()
    if len(value) > max_length:
        raise _invalid({field: f"{label}：最多 {max_length} 个字符"})
    return value


def _same_person(actor: Any, other_id: int | None) -> None:
    """The four-eyes rule (双人复核): who keyed a paper ballot may not also confirm it — administrators included."""
    if other_id is not None and getattr(actor, "pk", None) == other_id:
        raise Forbidden("复核须由另一名工作人员进行", code=VotingError.SAME_PERSON)


def notice_days() -> int:
    return getattr(settings, "VOTING_NOTICE_DAYS", rules.NOTICE_DAYS)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _now(now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()).astimezone(dt.UTC)


# --- Settings, assemblies, motions -------------------------------------------------------------------


def voting_settings_set(*, estate: Place, count_parking: bool, actor: Any) -> VotingSettings:
    """Record whether parking spaces count toward voting area and heads (§C 13), per the procedural rules."""
    can_configure.require(actor, estate)
    with transaction.atomic():
        row, _ = VotingSettings.objects.select_for_update().get_or_create(estate=estate)
        before = snapshot(row, ["count_parking"])
        row.count_parking = count_parking
        row.save(update_fields=["count_parking", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=row,
            before=before,
            after=snapshot(row, ["count_parking"]),
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
        raise _invalid({"estate_id": "小区：请选择小区（几个小区联合表决时选社区）"})
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
        elif petition.status != PetitionStatus.REACHED:
            errors["petition_id"] = "提议尚未达到20%业主联名（§E 18）"
        elif Assembly.objects.filter(petition=petition).exists():
            errors["petition_id"] = "该提议已召集会议"
        kind = AssemblyKind.EXTRAORDINARY
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        assembly = Assembly.objects.create(
            estate=estate,
            kind=kind,
            title=title,
            notice_text=notice_text,
            opens_at=opens_at,
            closes_at=closes_at,
            petition=petition,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if petition is not None:
            Petition.objects.filter(pk=petition.pk).update(status=PetitionStatus.CLOSED)
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=assembly, after=snapshot(assembly), summary=f"召集 {assembly}"
        )
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
    opens_on, closes_on = _local_date(assembly.opens_at), _local_date(assembly.closes_at)
    expected = rules.expected_rule_set(opens_on, closes_on)
    rule_set = rule_set or expected or RuleSet.CIVIL_CODE
    if assembly.status != AssemblyStatus.DRAFT:
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
        raise _invalid(errors)
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
        )
    return motion


def assembly_post_notice(*, assembly: Assembly, actor: Any, noticed_on: dt.date | None = None) -> Assembly:
    """Post the notice and fix the agenda (发布会议公告): at least 15 days before voting opens (BJ art. 35, §E 19)."""
    can_post_notice.require(actor, assembly)
    noticed_on = noticed_on or timezone.localdate()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != AssemblyStatus.DRAFT:
            raise Conflict("会议已公告", code=VotingError.NOT_DRAFT)
        if not assembly.motions.exists():
            raise Conflict("议程为空：请先添加表决事项", code=VotingError.AGENDA_EMPTY)
        errors: dict[str, str] = {}
        if noticed_on > timezone.localdate():
            errors["noticed_on"] = "公告日期：不能晚于今天"
        opens_on = _local_date(assembly.opens_at)
        days = notice_days()
        if not rules.notice_ok(noticed_on, opens_on, days):
            errors["noticed_on"] = f"公告日期：公告应在表决开始（{opens_on}）前至少{days}日发布（§E 19）"
        if errors:
            raise _invalid(errors)
        assembly.status = AssemblyStatus.NOTICED
        assembly.noticed_on = noticed_on
        assembly.save(update_fields=["status", "noticed_on", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=assembly,
            after=snapshot(assembly, ["status", "noticed_on"]),
            summary=f"公告 {assembly}",
        )
    return assembly


def current_owner_keys(unit_ids: list[int]) -> dict[int, list[str]]:
    """The owner keys ("p:<person>" / "o:<organisation>") of each unit's current owners (§C 12)."""
    keys: dict[int, list[str]] = {}
    rows = Ownership.objects.filter(unit_id__in=unit_ids, until__isnull=True).values_list(
        "unit_id", "owner_kind", "person_id", "organisation_id"
    )
    for unit_id, kind, person_id, org_id in rows:
        keys.setdefault(unit_id, []).append(f"p:{person_id}" if kind == OwnerKind.PERSON else f"o:{org_id}")
    return keys


def electorate_units(estate: Place, buildings: Sequence[Place] = (), excluded: Sequence[Any] = ()) -> list[Unit]:
    """The units that vote on an estate's matters now (or on a community's, when several estates vote
    together): all, or some buildings'; parking spaces only if the procedural rules count them (§C 13);
    without the units of organisations left out of the roll by a recorded decision."""
    count_parking = VotingSettings.objects.filter(estate=estate, count_parking=True).exists()
    units = Unit.objects.filter(path__startswith=estate.path).select_related("building", "entrance")
    if not count_parking:
        units = units.exclude(use=UnitUse.PARKING)
    if buildings:
        units = units.filter(building__in=buildings)
    if excluded:
        held = Ownership.objects.filter(organisation__in=excluded, until__isnull=True).values("unit_id")
        units = units.exclude(pk__in=held)
    return list(units.order_by("path", "number", "pk"))


def _freeze(motion: Motion, now: dt.datetime) -> None:
    """Write the motion's electorate as the registry stands now (§C 11–13); later changes do not touch it."""
    units = electorate_units(
        motion.assembly.estate, list(motion.buildings.all()), list(motion.excluded_organisations.all())
    )
    if not units:
        message = f"「{motion.title}」的表决范围内没有房屋"
        raise Conflict(message, code=VotingError.EMPTY_ELECTORATE, fields={"motions": message})
    keys = current_owner_keys([u.pk for u in units])
    heads: dict[str, int] = {}
    members: dict[str, int] = {}
    prepared = []
    for u in units:
        owner_keys = sorted(keys.get(u.pk, []))
        head = rules.head_key(unit_id=u.pk, owner_keys=frozenset(owner_keys), developer_unsold=u.developer_unsold)
        heads.setdefault(head, len(heads) + 1)
        members[head] = members.get(head, 0) + 1
        prepared.append((u, owner_keys, head))
    rows = []
    leads: set[str] = set()
    for u, owner_keys, head in prepared:
        area = u.area if u.area is not None else Decimal("0.00")
        rows.append(
            ElectorateUnit(
                motion=motion,
                unit=u,
                building_id=u.building_id,
                label=u.label,
                use=u.use,
                area=area,
                area_cents=int(area * 100),
                area_source=u.area_source,
                owner_keys=",".join(owner_keys),
                developer_unsold=u.developer_unsold,
                head=head,
                head_no=heads[head],
                shared_head=members[head] > 1,
                head_lead=head not in leads,
            )
        )
        leads.add(head)
    ElectorateUnit.objects.bulk_create(rows, batch_size=2000)
    counts, _ = rules.count([rules.VoterUnit(r.unit_id, r.area, r.head) for r in rows], {})
    motion.frozen_at = now
    motion.total_area = counts.total_area
    motion.total_heads = counts.total_heads
    motion.total_units = len(rows)
    motion.save(update_fields=["frozen_at", "total_area", "total_heads", "total_units", "updated_at"])


def assembly_open(*, assembly: Assembly, actor: Any, now: dt.datetime | None = None) -> Assembly:
    """Open the vote (开始表决): freeze each motion's electorate as the registry stands now."""
    can_open_vote.require(actor, assembly)
    now = _now(now)
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().select_related("estate").get(pk=assembly.pk)
        if assembly.status != AssemblyStatus.NOTICED:
            raise Conflict("只有已公告的会议可以开始表决", code=VotingError.NOT_NOTICED)
        if now < assembly.opens_at:
            message = f"表决开始时间为 {timezone.localtime(assembly.opens_at):%Y-%m-%d %H:%M}，尚未到"
            raise Conflict(message, code=VotingError.OUTSIDE_PERIOD)
        if now >= assembly.closes_at:
            raise Conflict("表决截止时间已过", code=VotingError.OUTSIDE_PERIOD)
        for motion in assembly.motions.select_related("assembly__estate"):
            _freeze(motion, now)
        assembly.status = AssemblyStatus.OPEN
        assembly.opened_at = now
        assembly.save(update_fields=["status", "opened_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=assembly,
            after=snapshot(assembly, ["status", "opened_at"]),
            summary=f"开始表决 {assembly}，名册已冻结",
        )
    return assembly


# --- Ballots -----------------------------------------------------------------------------------------


def _lock(motion_id: int) -> Motion:
    """Lock the motion row: every entry of its chain is appended under this lock, one at a time."""
    return Motion.objects.select_for_update().get(pk=motion_id)


def _append(motion: Motion, **fields: Any) -> Ballot:
    """Append one entry to a locked motion's chain (call inside the transaction that took ``_lock``)."""
    ballot = Ballot(
        motion_id=motion.pk,
        seq=motion.chain_length + 1,
        prev_hash=motion.chain_head or chain.GENESIS,
        **fields,
    )
    ballot.hash = chain.entry_hash(ballot.prev_hash, ballot)
    try:
        ballot.save(force_insert=True)
    except IntegrityError as exc:  # the database's own one-ballot-per-unit rule; the transaction rolls back
        raise _conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED) from exc
    motion.chain_head = ballot.hash
    motion.chain_length = ballot.seq
    Motion.objects.filter(pk=motion.pk).update(chain_head=ballot.hash, chain_length=ballot.seq)
    return ballot


def _set_live(row: ElectorateUnit, ballot: Ballot | None, choice: str, **extra: Any) -> None:
    """Point a unit's electorate row at its live ballot and keep its head's position (§C 12)."""
    if not row.shared_head:
        ElectorateUnit.objects.filter(pk=row.pk).update(
            ballot=ballot, choice=choice, head_state=rules.head_position([choice]), **extra
        )
        return
    ElectorateUnit.objects.filter(pk=row.pk).update(ballot=ballot, choice=choice, **extra)
    _refresh_heads(row.motion_id, [row.head_no])


def _refresh_heads(motion_id: int, head_nos: Iterable[int]) -> None:
    """Recompute the position of heads of several units from their units' live choices."""
    choices: dict[int, list[str]] = {}
    for head_no, choice in ElectorateUnit.objects.filter(motion_id=motion_id, head_no__in=set(head_nos)).values_list(
        "head_no", "choice"
    ):
        choices.setdefault(head_no, []).append(choice)
    for head_no, cast in choices.items():
        ElectorateUnit.objects.filter(motion_id=motion_id, head_no=head_no, head_lead=True).update(
            head_state=rules.head_position(cast)
        )


def _cast(
    *,
    motion: Motion,
    unit_id: int,
    choice: str,
    channel: str,
    at: dt.datetime,
    voter_person_id: int | None = None,
    entered_by: Any = None,
    confirmed_by: Any = None,
    proxy_name: str = "",
    proxy_note: str = "",
    sheet_no: str = "",
) -> Ballot:
    if choice not in Choice.values:
        raise _invalid({"choice": "表决意见应为 同意/不同意/弃权"})
    locked = _lock(motion.pk)  # serialize the chain before looking at the unit
    row = ElectorateUnit.objects.filter(motion_id=motion.pk, unit_id=unit_id).first()
    if row is None:
        raise _invalid({"unit_id": "该房屋不在本事项的表决名册中"}, VotingError.NOT_IN_ELECTORATE)
    if row.ballot_id is not None:
        raise _conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED)
    ballot = _append(
        locked,
        kind=BallotKind.CAST,
        unit_id=unit_id,
        round=row.round,
        choice=choice,
        channel=channel,
        voter_person_id=voter_person_id,
        proxy_name=proxy_name.strip(),
        proxy_note=proxy_note.strip(),
        sheet_no=sheet_no.strip(),
        entered_by=entered_by if getattr(entered_by, "is_authenticated", False) else None,
        confirmed_by=confirmed_by if getattr(confirmed_by, "is_authenticated", False) else None,
        at=at,
    )
    _set_live(row, ballot, choice)
    return ballot


def _require_open(motion: Motion) -> None:
    if motion.assembly.status != AssemblyStatus.OPEN:
        raise Conflict("该会议不在表决中", code=VotingError.NOT_OPEN)


def ballot_cast(*, motion: Motion, unit: Unit, choice: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """An owner votes online for a unit (网上投票). One ballot per unit, shared by its co-owners; it
    cannot be changed. Only a current owner of the unit may vote (a tenant may not); after a sale
    during the vote, the new owner votes if the old one has not (§C 14)."""
    can_cast.require(actor, unit)
    now = _now(now)
    person_id = actor.person_id
    motion = Motion.objects.select_related("assembly").get(pk=motion.pk)
    _require_open(motion)
    if not (motion.assembly.opens_at <= now < motion.assembly.closes_at):
        raise Conflict("不在表决时间内", code=VotingError.OUTSIDE_PERIOD)
    with transaction.atomic():
        ballot = _cast(
            motion=motion,
            unit_id=unit.pk,
            choice=choice,
            channel=BallotChannel.ONLINE,
            at=now,
            voter_person_id=person_id,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=ballot,
            summary=f"网上投票 {motion} 第{ballot.seq}号",
            after={"unit": unit.pk, "seq": ballot.seq, "hash": ballot.hash},
        )
    return ballot


def ballot_void(*, ballot: Ballot, reason: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """Void a cast ballot (作废选票) with a reason: a new chain entry; the unit may then vote again."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=ballot.motion_id)
    can_void_ballot.require(actor, motion)
    reason = _text(reason, "reason", "作废原因", 200)
    if not reason:
        raise _invalid({"reason": "请填写作废原因"})
    _require_open(motion)
    with transaction.atomic():
        locked = _lock(motion.pk)
        row = ElectorateUnit.objects.filter(motion_id=motion.pk, unit_id=ballot.unit_id).first()
        if ballot.kind != BallotKind.CAST or row is None or row.ballot_id != ballot.pk:
            raise Conflict("只能作废该户当前有效的选票", code=VotingError.NOT_LIVE_BALLOT)
        entry = _append(
            locked,
            kind=BallotKind.VOID,
            unit_id=ballot.unit_id,
            round=ballot.round,
            voids_id=ballot.pk,
            reason=reason,
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            at=_now(now),
        )
        _set_live(row, None, "", round=row.round + 1)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=ballot,
            summary=f"作废选票 {motion} 第{ballot.seq}号：{reason}",
            after={"void_seq": entry.seq, "reason": reason},
        )
    return entry


def paper_ballot_enter(
    *,
    motion: Motion,
    unit: Unit,
    choice: str,
    actor: Any,
    sheet_no: str = "",
    proxy_name: str = "",
    proxy_note: str = "",
) -> PaperBallot:
    """First keying of a paper ballot (纸质票录入); it counts only after a second person confirms it."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=motion.pk)
    can_key_paper_ballot.require(actor, motion)
    _require_open(motion)
    if choice not in Choice.values:
        raise _invalid({"choice": "表决意见应为 同意/不同意/弃权"})
    sheet_no = _text(sheet_no, "sheet_no", "纸质票编号", 40)
    proxy_name = _text(proxy_name, "proxy_name", "受托人", 50)
    proxy_note = _text(proxy_note, "proxy_note", "委托书", 200)
    row = ElectorateUnit.objects.filter(motion=motion, unit=unit).first()
    if row is None:
        raise _invalid({"unit_id": "该房屋不在本事项的表决名册中"}, VotingError.NOT_IN_ELECTORATE)
    if row.ballot_id is not None:
        raise _conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED)
    if proxy_name and not proxy_note:
        raise _invalid({"proxy_note": "委托投票须登记委托书（编号或说明）"})
    try:
        with transaction.atomic():
            paper = PaperBallot.objects.create(
                motion=motion,
                unit=unit,
                choice=choice,
                sheet_no=sheet_no,
                proxy_name=proxy_name,
                proxy_note=proxy_note,
                entered_by=actor,
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=paper,
                after=snapshot(paper),
                summary=f"录入纸质票 {motion} {row.label}",
            )
    except IntegrityError as exc:
        raise _conflict("unit_id", "该户已有一张待复核的纸质票", VotingError.PAPER_WAITING) from exc
    return paper


def paper_ballot_confirm(*, paper: PaperBallot, choice: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """Second keying (双人复核): another staff member keys the same ballot without seeing the first entry;
    when both agree the ballot joins the chain, otherwise nothing changes."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=paper.motion_id)
    can_confirm_paper_ballot.require(actor, motion)
    _same_person(actor, paper.entered_by_id)
    _require_open(motion)
    with transaction.atomic():
        paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
        if paper.status != PaperStatus.PENDING:
            raise Conflict("该纸质票已处理", code=VotingError.PAPER_DECIDED)
        if choice != paper.choice:
            message = "复核录入的意见与首次录入不一致，请对照纸质票核实"
            raise Invalid(message, code=VotingError.CONFIRM_MISMATCH, fields={"choice": message})
        ballot = _cast(
            motion=motion,
            unit_id=paper.unit_id,
            choice=paper.choice,
            channel=BallotChannel.PAPER,
            at=_now(now),
            entered_by=paper.entered_by,
            confirmed_by=actor,
            proxy_name=paper.proxy_name,
            proxy_note=paper.proxy_note,
            sheet_no=paper.sheet_no,
        )
        paper.status = PaperStatus.CONFIRMED
        paper.decided_by = actor
        paper.ballot = ballot
        paper.save(update_fields=["status", "decided_by", "ballot", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=paper,
            after=snapshot(paper, ["status", "decided_by", "ballot"]),
            summary=f"复核纸质票 {motion} 第{ballot.seq}号",
        )
    return ballot


def paper_ballot_reject(*, paper: PaperBallot, reason: str, actor: Any) -> PaperBallot:
    """Send a keyed paper ballot back (退回) — a wrong unit or an unreadable sheet; it never counted."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=paper.motion_id)
    can_confirm_paper_ballot.require(actor, motion)
    reason = _text(reason, "reason", "退回原因", 200)
    if not reason:
        raise _invalid({"reason": "请填写退回原因"})
    with transaction.atomic():
        paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
        if paper.status != PaperStatus.PENDING:
            raise Conflict("该纸质票已处理", code=VotingError.PAPER_DECIDED)
        paper.status = PaperStatus.REJECTED
        paper.decided_by = actor
        paper.reason = reason
        paper.save(update_fields=["status", "decided_by", "reason", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=paper,
            after=snapshot(paper, ["status", "decided_by", "reason"]),
            summary=f"退回纸质票 {motion}：{reason}",
        )
    return paper


def paper_ballots_import(
    *,
    motion: Motion,
    rows: Sequence[tuple[str, str, str]],
    actor: Any,
    confirmer: Any,
    at: dt.datetime | None = None,
) -> int:
    """A counted box of paper ballots (开箱验票) entered at once: rows of (房号, 意见, 票号), keyed by
    ``actor`` and checked by ``confirmer`` (two people). Every row is checked first; one bad row and
    nothing is entered (the error names the row)."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=motion.pk)
    can_key_paper_ballot.require(actor, motion)
    can_confirm_paper_ballot.require(confirmer, motion)
    _same_person(actor, getattr(confirmer, "pk", None))
    _require_open(motion)
    choice_of = {str(label): value for value, label in Choice.choices} | {v: v for v in Choice.values}
    at = _now(at)
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        by_label = {e.label: e for e in ElectorateUnit.objects.filter(motion=motion)}
        errors: dict[str, str] = {}
        seen: set[str] = set()
        for index, (label, choice, sheet) in enumerate(rows, start=1):
            entry = by_label.get(label)
            if len(sheet.strip()) > 40:
                errors[f"row {index}"] = f"第{index}行：纸质票编号最多 40 个字符"
            elif entry is None:
                errors[f"row {index}"] = f"第{index}行：房号「{label}」不在表决名册中"
            elif entry.ballot_id is not None or label in seen:
                errors[f"row {index}"] = f"第{index}行：{label} 已投票"
            elif choice not in choice_of:
                errors[f"row {index}"] = f"第{index}行：表决意见「{choice}」无效，应为 同意/不同意/弃权"
            seen.add(label)
        if errors:
            raise _invalid(errors)
        prev, seq = locked.chain_head or chain.GENESIS, locked.chain_length
        ballots = []
        for label, choice, sheet in rows:
            seq += 1
            b = Ballot(
                motion_id=motion.pk,
                seq=seq,
                kind=BallotKind.CAST,
                unit_id=by_label[label].unit_id,
                round=by_label[label].round,
                choice=choice_of[choice],
                channel=BallotChannel.PAPER,
                sheet_no=sheet.strip(),
                entered_by=actor,
                confirmed_by=confirmer,
                at=at,
                prev_hash=prev,
            )
            b.hash = prev = chain.entry_hash(prev, b)
            ballots.append(b)
        Ballot.objects.bulk_create(ballots, batch_size=2000)
        # one UPDATE: each newly voting unit points at its new ballot (the unique (motion, unit, round) index finds it)
        new = Ballot.objects.filter(
            motion_id=motion.pk, unit_id=OuterRef("unit_id"), kind=BallotKind.CAST, seq__gt=locked.chain_length
        )
        voted = ElectorateUnit.objects.filter(motion=motion, unit_id__in=[b.unit_id for b in ballots])
        voted.update(ballot_id=Subquery(new.values("pk")[:1]), choice=Subquery(new.values("choice")[:1]))
        voted.filter(shared_head=False).update(
            head_state=Case(When(choice=Choice.AGREE, then=Value(rules.HEAD_AGREE)), default=Value(rules.HEAD_NOT))
        )
        _refresh_heads(motion.pk, {by_label[label].head_no for label, _c, _s in rows if by_label[label].shared_head})
        Motion.objects.filter(pk=motion.pk).update(chain_head=prev, chain_length=seq)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=motion,
            summary=f"纸质票开箱录入 {motion}：{len(ballots)} 张，复核人 {confirmer.get_username()}",
            after={"count": len(ballots), "chain_head": prev, "confirmed_by": confirmer.pk},
        )
    return len(ballots)


# --- Closing, publishing -----------------------------------------------------------------------------


def result_of(motion: Motion, tally: rules.Tally, mixed: int) -> dict[str, Any]:
    """A tally as stored with the motion and shown on the result page (numbers, never names).

    Beside the legal head count it keeps the count by household (户, one per unit), the figure
    reports and older notices use; where an owner holds several units the two differ (§C 12)."""
    n = ElectorateUnit.objects.filter(motion=motion).aggregate(
        total=Count("pk"), voted=Count("pk", filter=~Q(choice="")), agree=Count("pk", filter=Q(choice=Choice.AGREE))
    )
    total_units, voted_units, agree_units = n["total"], n["voted"], n["agree"]
    households = {
        "total": total_units,
        "participating": voted_units,
        "agreeing": agree_units,
        "percent_participating": str(rules.percent(voted_units, total_units)),
        "percent_agreeing": str(rules.percent(agree_units, total_units)),
    }
    conditions = []
    for c in tally.conditions:
        row = asdict(c)
        row.update(
            threshold=f"{c.threshold.numerator}/{c.threshold.denominator}",
            threshold_text=c.threshold_text,
            percent=str(c.percent),
            why=c.why,
            unit=c.unit,
        )
        conditions.append({k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()})
    counts = {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(tally.counts).items()}
    return {
        "rule_set": tally.rule_set,
        "matter": tally.matter,
        "passed": tally.passed,
        "counts": counts,
        "conditions": conditions,
        "flags": list(tally.flags),
        "mixed_heads": mixed,
        "households": households,
        "chain_head": motion.chain_head or chain.GENESIS,
        "chain_length": motion.chain_length,
    }


def assembly_close(*, assembly: Assembly, actor: Any, now: dt.datetime | None = None) -> Assembly:
    """Close the count (计票): after the voting period, with every paper ballot confirmed or sent back;
    each motion's tally is computed and stored with its chain head."""
    can_close_vote.require(actor, assembly)
    now = _now(now)
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != AssemblyStatus.OPEN:
            raise Conflict("只有表决中的会议可以计票", code=VotingError.NOT_OPEN)
        if now < assembly.closes_at:
            raise Conflict("表决尚未截止", code=VotingError.STILL_OPEN)
        pending = PaperBallot.objects.filter(motion__assembly=assembly, status=PaperStatus.PENDING).count()
        if pending:
            raise Conflict(f"还有 {pending} 张纸质票待复核", code=VotingError.PAPER_PENDING)
        for motion in assembly.motions.select_for_update():
            tally, mixed = selectors.motion_tally(motion)
            motion.result = result_of(motion, tally, mixed)
            motion.passed = tally.passed
            motion.save(update_fields=["result", "passed", "updated_at"])
        assembly.status = AssemblyStatus.CLOSED
        assembly.closed_at = now
        assembly.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=assembly,
            after={
                "status": assembly.status,
                "results": {m.pk: [m.passed, m.chain_head] for m in assembly.motions.all()},
            },
            summary=f"计票 {assembly}",
        )
    return assembly


def assembly_publish(*, assembly: Assembly, actor: Any, published_on: dt.date | None = None) -> Assembly:
    """Publish the decisions (公布表决结果): the date is stored, since owners may ask a court to revoke a
    decision within one year (民法典 art. 280, §B 8); it should be within 3 days of the count (§E 19)."""
    can_publish.require(actor, assembly)
    published_on = published_on or timezone.localdate()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != AssemblyStatus.CLOSED:
            raise Conflict("只有已计票的会议可以公布", code=VotingError.NOT_CLOSED)
        if published_on < _local_date(assembly.closed_at):
            raise _invalid({"published_on": "公布日期：不能早于计票日期"})
        assembly.status = AssemblyStatus.PUBLISHED
        assembly.published_on = published_on
        assembly.save(update_fields=["status", "published_on", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=assembly,
            after=snapshot(assembly, ["status", "published_on"]),
            summary=f"公布 {assembly}",
        )
    return assembly


# --- Petitions (§E 18) ---------------------------------------------------------------------------------


def petition_create(*, estate: Place, title: str, actor: Any, reason: str = "") -> Petition:
    """Start a petition for an extraordinary assembly (发起临时会议提议): an owner of the estate, or its
    committee or community staff."""
    can_petition.require(actor, estate)
    title = _text(title, "title", "提议事项", 200)
    if not title:
        raise _invalid({"title": "提议事项不能为空"})
    with transaction.atomic():
        petition = Petition.objects.create(
            estate=estate,
            title=title,
            reason=reason,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor, action=AuditAction.CREATE, obj=petition, after=snapshot(petition), summary=f"提议 {petition}"
        )
    if can_sign.allows(actor, petition):
        petition_sign(petition=petition, actor=actor)
    return petition


def petition_sign(*, petition: Petition, actor: Any, now: dt.datetime | None = None) -> PetitionSignature:
    """An owner signs (联名); when the signers reach 20 % of the heads the committee is told (§E 18)."""
    can_sign.require(actor, petition)
    now = _now(now)
    with transaction.atomic():
        petition = Petition.objects.select_for_update().select_related("estate").get(pk=petition.pk)
        if petition.status == PetitionStatus.CLOSED:
            raise Conflict("该提议已结束", code=VotingError.PETITION_CLOSED)
        try:
            with transaction.atomic():
                signature = PetitionSignature.objects.create(
                    petition=petition, person_id=actor.person_id, signed_at=now
                )
        except IntegrityError as exc:
            raise _conflict("person_id", "您已联名", VotingError.ALREADY_SIGNED) from exc
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=signature,
            summary=f"联名 {petition}",
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
            f" {progress.percent}%，达到召开临时会议的20%（§E 18），请依法召集。"
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
    )
