"""Closing the count and publishing (计票与公布): each motion's tally stored with its chain head; the
publication date kept, since owners may ask a court to revoke a decision within a year (§B 8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_update
from gongzhi.core.errors import Conflict
from gongzhi.core.models import AuditAction
from gongzhi.voting import chain, rules, selectors
from gongzhi.voting.choices import (
    AssemblyStatus,
    Choice,
    PaperStatus,
)
from gongzhi.voting.errors import VotingError
from gongzhi.voting.models import (
    Assembly,
    ElectorateUnit,
    Motion,
    PaperBallot,
)
from gongzhi.voting.permissions import (
    can_close_vote,
    can_publish,
)
from gongzhi.voting.services.base import local_date, refuse_input, utc_now


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
    now = utc_now(now)
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if not assembly.can_close():
            raise Conflict("只有表决中的会议可以计票", code=VotingError.NOT_OPEN)
        if not assembly.is_due(now):
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
            event="voting.assembly.counted",
        )
    return assembly


def assembly_publish(*, assembly: Assembly, actor: Any, published_on: dt.date | None = None) -> Assembly:
    """Publish the decisions (公布表决结果): the date is stored, since owners may ask a court to revoke a
    decision within one year (民法典 art. 280, §B 8); it should be within 3 days of the count (§E 19)."""
    can_publish.require(actor, assembly)
    published_on = published_on or timezone.localdate()
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if not assembly.can_publish():
            raise Conflict("只有已计票的会议可以公布", code=VotingError.NOT_CLOSED)
        if published_on < local_date(assembly.closed_at):
            raise refuse_input({"published_on": "公布日期：不能早于计票日期"})
        changes = {"status": AssemblyStatus.PUBLISHED, "published_on": published_on}
        audited_update(assembly, changes, actor=actor, event="voting.assembly.published", summary=f"公布 {assembly}")
    return assembly
