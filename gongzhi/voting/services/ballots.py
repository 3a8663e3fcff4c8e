"""Ballots in the motion's hash chain (选票): appending under the motion's lock, online votes by owners,
voiding with a reason; each unit's live choice and its head's position kept beside the chain (§C 12)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.registry.models import Unit
from gongzhi.voting import chain, rules
from gongzhi.voting.choices import (
    BallotChannel,
    BallotKind,
    Choice,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Ballot,
    ElectorateUnit,
    Motion,
)
from gongzhi.voting.permissions import (
    can_cast,
    can_void_ballot,
)
from gongzhi.voting.services.base import conflict, refuse_input, stripped_text, utc_now


def lock_chain(motion_id: int) -> Motion:
    """Lock the motion row: every entry of its chain is appended under this lock, one at a time."""
    return Motion.objects.select_for_update().get(pk=motion_id)


def append_entry(motion: Motion, **fields: Any) -> Ballot:
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
        raise conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED) from exc
    motion.chain_head = ballot.hash
    motion.chain_length = ballot.seq
    Motion.objects.filter(pk=motion.pk).update(chain_head=ballot.hash, chain_length=ballot.seq)
    return ballot


def set_live(row: ElectorateUnit, ballot: Ballot | None, choice: str, **extra: Any) -> None:
    """Point a unit's electorate row at its live ballot and keep its head's position (§C 12)."""
    if not row.shared_head:
        ElectorateUnit.objects.filter(pk=row.pk).update(
            ballot=ballot, choice=choice, head_state=rules.head_position([choice]), **extra
        )
        return
    ElectorateUnit.objects.filter(pk=row.pk).update(ballot=ballot, choice=choice, **extra)
    refresh_heads(row.motion_id, [row.head_no])


def refresh_heads(motion_id: int, head_nos: Iterable[int]) -> None:
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


def cast(
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
        raise refuse_input({"choice": "表决意见应为 同意/不同意/弃权"})
    locked = lock_chain(motion.pk)  # serialize the chain before looking at the unit
    row = ElectorateUnit.objects.filter(motion_id=motion.pk, unit_id=unit_id).first()
    if row is None:
        raise refuse_input({"unit_id": "该房屋不在本事项的表决名册中"}, VotingError.NOT_IN_ELECTORATE)
    if row.ballot_id is not None:
        raise conflict("unit_id", "该户已投票，选票不可更改", VotingError.ALREADY_VOTED)
    ballot = append_entry(
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
    set_live(row, ballot, choice)
    return ballot


def require_open(motion: Motion) -> None:
    if not motion.assembly.is_open:
        raise Conflict("该会议不在表决中", code=VotingError.NOT_OPEN)


def ballot_cast(*, motion: Motion, unit: Unit, choice: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """An owner votes online for a unit (网上投票). One ballot per unit, shared by its co-owners; it
    cannot be changed. Only a current owner of the unit may vote (a tenant may not); after a sale
    during the vote, the new owner votes if the old one has not (§C 14)."""
    can_cast.require(actor, unit)
    now = utc_now(now)
    person_id = actor.person_id
    motion = Motion.objects.select_related("assembly").get(pk=motion.pk)
    require_open(motion)
    if not motion.assembly.can_vote(now):
        raise Conflict("不在表决时间内", code=VotingError.OUTSIDE_PERIOD)
    with transaction.atomic():
        ballot = cast(
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
            event="voting.ballot.cast",
            after={"unit": unit.pk, "seq": ballot.seq, "hash": ballot.hash},
        )
    return ballot


def ballot_void(*, ballot: Ballot, reason: str, actor: Any, now: dt.datetime | None = None) -> Ballot:
    """Void a cast ballot (作废选票) with a reason: a new chain entry; the unit may then vote again."""
    motion = Motion.objects.select_related("assembly__estate").get(pk=ballot.motion_id)
    can_void_ballot.require(actor, motion)
    reason = stripped_text(reason, "reason", "作废原因", 200)
    if not reason:
        raise refuse_input({"reason": "请填写作废原因"})
    require_open(motion)
    with transaction.atomic():
        locked = lock_chain(motion.pk)
        row = ElectorateUnit.objects.filter(motion_id=motion.pk, unit_id=ballot.unit_id).first()
        if ballot.kind != BallotKind.CAST or row is None or row.ballot_id != ballot.pk:
            raise Conflict("只能作废该户当前有效的选票", code=VotingError.NOT_LIVE_BALLOT)
        entry = append_entry(
            locked,
            kind=BallotKind.VOID,
            unit_id=ballot.unit_id,
            round=ballot.round,
            voids_id=ballot.pk,
            reason=reason,
            entered_by=actor if getattr(actor, "is_authenticated", False) else None,
            at=utc_now(now),
        )
        set_live(row, None, "", round=row.round + 1)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=ballot,
            summary=f"作废选票 {motion} 第{ballot.seq}号：{reason}",
            event="voting.ballot.voided",
            after={"void_seq": entry.seq, "reason": reason},
        )
    return entry
