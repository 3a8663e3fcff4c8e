"""The ballot chain (选票哈希链): how a ballot entry is hashed, and how anyone checks a motion's chain.

Like the audit log (gongzhi.core.audit), each entry's hash is SHA-256 over the previous entry's hash
and the entry's own content, so a changed, removed, inserted or reordered ballot breaks the chain
from that point on. Each motion has its own chain, starting from ``GENESIS``; its head and length
are kept on the motion and published with the result (开箱验票, done digitally).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def entry_payload(ballot: Any) -> list[Any]:
    """The content a ballot entry's hash covers (ids, not names)."""
    return [
        ballot.motion_id,
        ballot.seq,
        ballot.kind,
        ballot.unit_id,
        ballot.round,
        ballot.choice,
        ballot.channel,
        ballot.voter_person_id,
        ballot.proxy_name,
        ballot.proxy_note,
        ballot.sheet_no,
        ballot.entered_by_id,
        ballot.confirmed_by_id,
        ballot.voids_id,
        ballot.reason,
        ballot.at.isoformat(),
    ]


def entry_hash(prev_hash: str, ballot: Any) -> str:
    payload = json.dumps([prev_hash, *entry_payload(ballot)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    """What checking a motion's chain found."""

    ok: bool
    length: int
    head: str
    bad_seq: int | None = None
    bad_unit_id: int | None = None
    problem: str = ""


def verify(motion: Any) -> Verification:
    """Walk the motion's chain in order; name the first entry that does not fit, else report its head.

    Also checks that the chain ends where the motion says it ends (no entry removed from the end or
    added behind its back) and that the electorate's live choices are the chain's (the tally reads them).
    """
    from gongzhi.voting import rules
    from gongzhi.voting.models import Ballot, ElectorateUnit

    prev = GENESIS
    expected_seq = 1
    live: dict[int, tuple[int, str]] = {}
    length = 0
    for ballot in Ballot.objects.filter(motion_id=motion.pk).order_by("seq").iterator(chunk_size=5000):
        if ballot.seq != expected_seq:
            return Verification(
                False, length, prev, ballot.seq, ballot.unit_id, f"序号应为 {expected_seq}，实为 {ballot.seq}"
            )
        if ballot.prev_hash != prev:
            return Verification(
                False, length, prev, ballot.seq, ballot.unit_id, "前一哈希与链不符（之前的选票被改动或删除）"
            )
        if entry_hash(prev, ballot) != ballot.hash:
            return Verification(False, length, prev, ballot.seq, ballot.unit_id, "内容与哈希不符（该选票被改动）")
        if ballot.kind == "cast":
            live[ballot.unit_id] = (ballot.pk, ballot.choice)
        else:
            live.pop(ballot.unit_id, None)
        prev = ballot.hash
        length += 1
        expected_seq += 1
    if length != motion.chain_length or prev != (motion.chain_head or GENESIS):
        return Verification(
            False,
            length,
            prev,
            None,
            None,
            f"链末与公布的不符：公布 {motion.chain_length} 张、末哈希 {motion.chain_head or GENESIS}",
        )
    rows = ElectorateUnit.objects.filter(motion_id=motion.pk).values_list(
        "unit_id", "ballot_id", "choice", "head_no", "head_lead", "head_state"
    )
    heads: dict[int, list[str]] = {}
    leads: dict[int, tuple[int, str]] = {}
    for unit_id, ballot_id, choice, head_no, head_lead, head_state in rows.iterator(chunk_size=5000):
        want = live.pop(unit_id, (None, ""))
        if (ballot_id, choice) != want:
            return Verification(False, length, prev, None, unit_id, "计票用的有效意见与选票链不符")
        heads.setdefault(head_no, []).append(choice)
        if head_lead:
            leads[head_no] = (unit_id, head_state)
    for head_no, choices in heads.items():
        unit_id, state = leads.get(head_no, (None, None))
        if state != rules.head_position(choices):
            return Verification(False, length, prev, None, unit_id, "计票人意见与其各户选票不符")
    if live:
        unit_id = next(iter(live))
        return Verification(False, length, prev, None, unit_id, "选票所投房屋不在表决名册中")
    return Verification(True, length, prev)
