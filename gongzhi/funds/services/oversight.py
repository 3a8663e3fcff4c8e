"""Oversight (查阅监督, 富南5条): the Party organisation or the committee signs a periodic review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongzhi.core.audit import GENESIS, audited_create
from gongzhi.core.errors import Conflict
from gongzhi.core.scoping import actor_scope
from gongzhi.funds.choices import (
    ReviewerBody,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    FundAccount,
    LedgerHead,
    Review,
)
from gongzhi.funds.permissions import (
    can_review,
    party_reviewer,
)
from gongzhi.funds.services.ledger import ledger_verify
from gongzhi.funds.services.shared import _today, _user
from gongzhi.registry.models import Place

# --- oversight -----------------------------------------------------------------------------------------------


def review_sign(
    *, estate: Place, subject: str, period_start: dt.date, period_end: dt.date, comments: str, actor: Any
) -> Review:
    """Sign a periodic review (查阅监督签字, 富南5条) of the fund, the revenue ledger or the committee's
    accounts; records the ledger's chain head and whether it verified."""
    from gongzhi.funds.choices import ReviewSubject

    can_review.require(actor, estate)
    errors = {}
    if subject not in ReviewSubject.values:
        errors["subject"] = "查阅内容无效"
    if period_end < period_start:
        errors["period_end"] = "期间止不能早于期间起"
    if period_end > _today():
        errors["period_end"] = "不能查阅尚未结束的期间"
    if not comments.strip():
        errors["comments"] = "请填写查阅意见"
    if errors:
        raise ValidationError(errors)
    # the reviewer signs for the Party organisation when they hold a Party role over the estate
    party = party_reviewer(actor_scope(actor), estate)
    head = LedgerHead.objects.filter(estate=estate).first()
    ok, bad = ledger_verify(estate)
    if not ok:
        # a signature is a statement that the books were checked: never on books that do not verify
        where = (
            f"第 {bad.seq} 条（{bad.occurred_on:%Y-%m-%d}，{bad.description}）"
            if bad
            else "账本末尾（链头与最后一条不符）"
        )
        raise Conflict(
            f"公共收益账本校验未通过，不能签字：第一条不符的记录是{where}。请先由物业和街道核查账本被改动的原因",
            code=FundsError.CHAIN_BROKEN,
        )
    account = FundAccount.objects.filter(estate=estate).first()
    with transaction.atomic():
        review = audited_create(
            Review(
                estate=estate,
                subject=subject,
                body=ReviewerBody.PARTY if party else ReviewerBody.COMMITTEE,
                period_start=period_start,
                period_end=period_end,
                comments=comments.strip(),
                head_seq=head.last_seq if head else 0,
                head_hash=head.last_hash if head else GENESIS,
                chain_ok=ok,
                fund_balance_fen=account.balance_fen if account else None,
                reviewer=_user(actor),
                reviewed_at=timezone.now(),
            ),
            actor=actor,
            event="funds.review.signed",
            summary=f"查阅监督：{ReviewSubject(subject).label} {period_start}–{period_end}",
        )
    return review
