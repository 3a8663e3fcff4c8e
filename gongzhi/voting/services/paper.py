"""Paper ballots under four eyes (纸质票双人复核): keyed by one staff member, confirmed or sent back by
another, or a counted box entered at once by two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, OuterRef, Subquery, Value, When

from gongzhi.core.audit import audit_record, audited_create, audited_update
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AuditAction
from gongzhi.registry.models import Unit
from gongzhi.voting import chain, rules
from gongzhi.voting.choices import (
    BallotChannel,
    BallotKind,
    Choice,
    PaperStatus,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Ballot,
    ElectorateUnit,
    Motion,
    PaperBallot,
)
from gongzhi.voting.permissions import (
    can_confirm_paper_ballot,
    can_key_paper_ballot,
)
from gongzhi.voting.services.ballots import cast, refresh_heads, require_open
from gongzhi.voting.services.base import conflict, refuse_input, require_another_person, stripped_text, utc_now


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
    require_open(motion)
    if choice not in Choice.values:
        raise refuse_input({"choice": "表决意见应为 同意/不同意/弃权"})
    sheet_no = stripped_text(sheet_no, "sheet_no", "纸质票编号", 40)
    proxy_name = stripped_text(proxy_name, "proxy_name", "受托人", 50)
    proxy_note = stripped_text(proxy_note, "proxy_note", "委托书", 200)
    row = ElectorateUnit.objects.filter(motion=motion, unit=unit).first()
    if row is None:
        raise refuse_input({"unit_id": "该房屋不在本事项的表决名册中"}, VotingError.NOT_IN_ELECTORATE)
    if row.ballot_id is not None:
        raise conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED)
    if proxy_name and not proxy_note:
        raise refuse_input({"proxy_note": "委托投票须登记委托书（编号或说明）"})
    try:
        with transaction.atomic():
            paper = PaperBallot(
                motion=motion,
                unit=unit,
                choice=choice,
                sheet_no=sheet_no,
                proxy_name=proxy_name,
                proxy_note=proxy_note,
                entered_by=actor,
            )
            audited_create(paper, actor=actor, event="voting.paper.keyed", summary=f"录入纸质票 {motion} {row.label}")
    except IntegrityError as exc:
        raise conflict("unit_id", "该户已有一张待复核的纸质票", VotingError.PAPER_WAITING) from exc
    return paper


def paper_ballot_confirm(*, paper: PaperBallot, choice: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """Second keying (双人复核): another staff member keys the same ballot without seeing the first entry;
    when both agree the ballot joins the chain, otherwise nothing changes."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=paper.motion_id)
    can_confirm_paper_ballot.require(actor, motion)
    require_another_person(actor, paper.entered_by_id)
    require_open(motion)
    with transaction.atomic():
        paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
        if not paper.can_decide():
            raise Conflict("该纸质票已处理", code=VotingError.PAPER_DECIDED)
        if choice != paper.choice:
            message = "复核录入的意见与首次录入不一致，请对照纸质票核实"
            raise Invalid(message, code=VotingError.CONFIRM_MISMATCH, fields={"choice": message})
        ballot = cast(
            motion=motion,
            unit_id=paper.unit_id,
            choice=paper.choice,
            channel=BallotChannel.PAPER,
            at=utc_now(now),
            entered_by=paper.entered_by,
            confirmed_by=actor,
            proxy_name=paper.proxy_name,
            proxy_note=paper.proxy_note,
            sheet_no=paper.sheet_no,
        )
        audited_update(
            paper,
            {"status": PaperStatus.CONFIRMED, "decided_by": actor, "ballot": ballot},
            actor=actor,
            event="voting.paper.confirmed",
            summary=f"复核纸质票 {motion} 第{ballot.seq}号",
        )
    return ballot


def paper_ballot_reject(*, paper: PaperBallot, reason: str, actor: Any) -> PaperBallot:
    """Send a keyed paper ballot back (退回) — a wrong unit or an unreadable sheet; it never counted."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=paper.motion_id)
    can_confirm_paper_ballot.require(actor, motion)
    reason = stripped_text(reason, "reason", "退回原因", 200)
    if not reason:
        raise refuse_input({"reason": "请填写退回原因"})
    with transaction.atomic():
        paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
        if not paper.can_decide():
            raise Conflict("该纸质票已处理", code=VotingError.PAPER_DECIDED)
        audited_update(
            paper,
            {"status": PaperStatus.REJECTED, "decided_by": actor, "reason": reason},
            actor=actor,
            event="voting.paper.rejected",
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
    require_another_person(actor, getattr(confirmer, "pk", None))
    require_open(motion)
    choice_of = {str(label): value for value, label in Choice.choices} | {v: v for v in Choice.values}
    at = utc_now(at)
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
            raise refuse_input(errors)
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
        refresh_heads(motion.pk, {by_label[label].head_no for label, _c, _s in rows if by_label[label].shared_head})
        Motion.objects.filter(pk=motion.pk).update(chain_head=prev, chain_length=seq)
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=motion,
            event="voting.paper.box_entered",
            summary=f"纸质票开箱录入 {motion}：{len(ballots)} 张，复核人 {confirmer.get_username()}",
            after={"count": len(ballots), "chain_head": prev, "confirmed_by": confirmer.pk},
        )
    return len(ballots)
