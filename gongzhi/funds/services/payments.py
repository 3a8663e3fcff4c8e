"""Money into a campaign (续筹缴款): payments entered by finance staff, bank statements read in all or
nothing and idempotently, and unmatched rows matched by hand; each credits the fund."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AuditAction
from gongzhi.core.tabular import RowError
from gongzhi.funds.choices import (
    MovementKind,
)
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    FundMovement,
    StatementImport,
    UnmatchedRow,
)
from gongzhi.funds.permissions import (
    can_take_payment,
)
from gongzhi.funds.services.accounts import _credit_fund
from gongzhi.funds.services.shared import _today, _user
from gongzhi.funds.statement import MAX_FILE_NAME, StatementFileError, StatementRow, check_rows, read_table


def _apply_payments(
    campaign: Campaign,
    items: list[tuple[CampaignBill, StatementRow | None, int, dt.date, str, str]],
    actor: Any,
    statement: StatementImport | None,
) -> list[CampaignPayment]:
    """Book payments on their bills, add them to the fund, in bulk. ``items``: (bill, row, amount, day, method, ref)."""
    user = _user(actor)
    payments: list[CampaignPayment] = []
    if connection.vendor == "postgresql" and len(items) > COPY_FROM:
        _copy_payments(campaign, items, user, statement)
    else:
        payments = [
            CampaignPayment(
                bill_id=bill.pk,
                campaign=campaign,
                estate_id=campaign.estate_id,
                amount_fen=amount,
                paid_on=day,
                method=method,
                bank_ref=ref,
                statement=statement,
                entered_by=user,
            )
            for bill, _row, amount, day, method, ref in items
        ]
        CampaignPayment.objects.bulk_create(payments, batch_size=2000)
    changed: dict[int, CampaignBill] = {}
    for bill, _row, amount, day, _m, _r in items:
        bill.paid_fen += amount
        if bill.paid_fen >= bill.amount_fen and bill.paid_on is None:
            bill.paid_on = day
        changed[bill.pk] = bill
    _set_paid(list(changed.values()))
    if statement is None:
        # a payment entered by hand: one movement of the unit's share of the fund
        moves = [
            FundMovement(
                estate_id=campaign.estate_id,
                unit_id=bill.unit_id,
                kind=MovementKind.REPLENISH,
                amount_fen=amount,
                occurred_on=day,
                note=f"续筹 {bill.code}",
                document_ref=ref,
                created_by=_user(actor),
            )
            for bill, _row, amount, day, _m, ref in items
        ]
    else:
        # a bank statement: one movement per day credited, as the bank's account shows it; each unit's
        # part is its payment rows (CampaignPayment), not a second copy here
        per_day: dict[dt.date, list[int]] = defaultdict(list)
        for _bill, _row, amount, day, _m, _ref in items:
            per_day[day].append(amount)
        moves = [
            FundMovement(
                estate_id=campaign.estate_id,
                kind=MovementKind.REPLENISH,
                amount_fen=sum(amounts),
                occurred_on=day,
                note=f"续筹交款 {len(amounts)} 笔（银行流水 {statement.file_name[:60]}）",
                document_ref=f"流水导入#{statement.pk}",
                created_by=_user(actor),
            )
            for day, amounts in sorted(per_day.items())
        ]
    _credit_fund(campaign.estate_id, sum(i[2] for i in items), moves)
    return payments


COPY_FROM = 1000  # on PostgreSQL, more rows than this go in by COPY (a statement of 100,000 rows)


def _copy_payments(campaign: Campaign, items: list, user: Any, statement: StatementImport | None) -> None:
    """A large statement's payments by COPY (PostgreSQL): bulk_create would spend most of its time turning
    a million parameters into SQL text."""
    now = timezone.now()
    columns = "bill_id, campaign_id, estate_id, amount_fen, paid_on, method, bank_ref, statement_id, entered_by_id, created_at"
    statement_id = statement.pk if statement is not None else None
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {CampaignPayment._meta.db_table} ({columns}) FROM STDIN") as copy:
            for bill, _row, amount, day, method, ref in items:
                copy.write_row(
                    (bill.pk, campaign.pk, campaign.estate_id, amount, day, method, ref, statement_id, user_id, now)
                )


def _set_paid(bills: list[CampaignBill]) -> None:
    """Write the bills' paid amount and day: on PostgreSQL through a temporary table filled by COPY and one
    UPDATE … FROM; elsewhere bulk_update."""
    if connection.vendor != "postgresql" or len(bills) <= COPY_FROM:
        CampaignBill.objects.bulk_update(
            [CampaignBill(pk=b.pk, paid_fen=b.paid_fen, paid_on=b.paid_on) for b in bills],
            ["paid_fen", "paid_on"],
            batch_size=1000,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS funds_paid_now (id bigint, paid_fen bigint, paid_on date) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE funds_paid_now")
        with cursor.cursor.copy("COPY funds_paid_now (id, paid_fen, paid_on) FROM STDIN") as copy:
            for b in bills:
                copy.write_row((b.pk, b.paid_fen, b.paid_on))
        cursor.execute(
            f"UPDATE {CampaignBill._meta.db_table} AS b SET paid_fen = v.paid_fen, paid_on = v.paid_on "  # noqa: S608 - our table
            "FROM funds_paid_now AS v WHERE b.id = v.id"
        )


def campaign_payment_record(
    *, bill: CampaignBill, amount_fen: int, paid_on: dt.date, method: str, actor: Any, bank_ref: str = ""
) -> CampaignPayment:
    """Finance staff enter a payment (录入缴款): it may not exceed what is still owed."""
    from gongzhi.funds.choices import PaymentMethod

    can_take_payment.require(actor, bill.estate)
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = "缴款方式无效"
    if paid_on > _today():
        errors["paid_on"] = "缴款日期不能晚于今天"
    if amount_fen <= 0:
        errors["amount_fen"] = "金额应大于0"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CampaignBill.objects.select_for_update().select_related("campaign").get(pk=bill.pk)
        if not locked.campaign.can_take_payments():
            raise Conflict("续筹已结束", code=FundsError.CAMPAIGN_CLOSED, fields={"bill": "续筹已结束"})
        if amount_fen > locked.outstanding_fen:
            message = f"金额超过未缴金额（还欠 {locked.outstanding_fen / 100:.2f} 元）"
            raise Invalid(message, code=FundsError.OVER_OUTSTANDING, fields={"amount_fen": message})
        if bank_ref and (
            CampaignPayment.objects.filter(campaign_id=locked.campaign_id, bank_ref=bank_ref).exists()
            or UnmatchedRow.objects.filter(campaign_id=locked.campaign_id, bank_ref=bank_ref).exists()
        ):
            message = "该银行流水号已入账或在待认领列表中"
            raise Conflict(message, code=FundsError.BANK_REF_TAKEN, fields={"bank_ref": message})
        (payment,) = _apply_payments(
            locked.campaign, [(locked, None, amount_fen, paid_on, method, bank_ref)], actor, None
        )
        audit_record(
            event="funds.campaign.payment_recorded",
            actor=actor,
            action=AuditAction.CREATE,
            obj=payment,
            summary=f"续筹缴款 {locked.code}",
            after=snapshot(payment),
        )
    bill.refresh_from_db()
    return payment


@dataclass
class _BillRow:
    """What a statement import needs of a bill, without building a model instance for each of 100,000."""

    pk: int
    unit_id: int
    code: str
    amount_fen: int
    paid_fen: int
    paid_on: dt.date | None

    @property
    def outstanding_fen(self) -> int:
        return max(self.amount_fen - self.paid_fen, 0)


class StatementRejected(Exception):
    """A statement with bad rows: nothing was imported; ``errors`` say row, column and reason."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} 处错误")
        self.errors = errors


@dataclass
class ImportResult:
    statement: StatementImport | None
    matched: int = 0
    unmatched: int = 0
    skipped: int = 0
    unmatched_rows: list[UnmatchedRow] = field(default_factory=list)


def statement_import(*, campaign: Campaign, content: bytes, file_name: str, actor: Any) -> ImportResult:
    """Read a bank statement into a campaign (导入银行流水): all or nothing, idempotent by the bank reference.

    Any malformed row → ``StatementRejected`` and nothing is written. Rows already imported (their
    reference is known) are skipped; rows whose bill cannot be found, or that would pay more than is
    owed, are kept as unmatched for a person to match (``unmatched_match``).
    """
    can_take_payment.require(actor, campaign.estate)
    if len(file_name) > MAX_FILE_NAME:
        raise StatementRejected([RowError(0, "文件名", f"文件名最多 {MAX_FILE_NAME} 个字符，请改短后重新上传")])
    try:
        table = read_table(content, file_name)
        rows, errors = check_rows(table, _today())
    except StatementFileError as exc:
        raise StatementRejected([RowError(0, "文件", str(exc))]) from exc
    if errors:
        raise StatementRejected(errors)
    return statement_import_rows(campaign=campaign, rows=rows, file_name=file_name, actor=actor)


def statement_import_rows(*, campaign: Campaign, rows: list[StatementRow], file_name: str, actor: Any) -> ImportResult:
    """The checked rows of a statement booked in one transaction (a failure anywhere leaves none)."""
    can_take_payment.require(actor, campaign.estate)
    if not campaign.can_take_payments():
        raise Conflict("续筹已结束", code=FundsError.CAMPAIGN_CLOSED, fields={"campaign": "续筹已结束"})
    with transaction.atomic():
        known = _known_refs(campaign, [r.ref for r in rows])
        fresh = [r for r in rows if r.ref not in known]
        unit_ids = {code[1] for r in fresh if (code := r.code) is not None and code[0] == campaign.pk}
        bills = (
            {
                row[1]: _BillRow(*row)
                for row in CampaignBill.objects.select_for_update()
                .filter(campaign=campaign, unit_id__in=unit_ids)
                .order_by("pk")
                .values_list("pk", "unit_id", "code", "amount_fen", "paid_fen", "paid_on")
            }
            if unit_ids
            else {}
        )
        statement = StatementImport.objects.create(
            campaign=campaign,
            estate_id=campaign.estate_id,
            file_name=file_name,
            rows=len(rows),
            created_by=_user(actor),
        )
        items: list[tuple[CampaignBill, StatementRow, int, dt.date, str, str]] = []
        unmatched: list[UnmatchedRow] = []
        owed = {pk: b.outstanding_fen for pk, b in bills.items()}
        for r in fresh:
            code = r.code
            reason = ""
            if code is None:
                reason = "附言中没有缴款识别码"
            elif code[0] != campaign.pk or code[1] not in bills:
                reason = "识别码不属于本次续筹"
            elif r.amount_fen > owed[code[1]]:
                reason = "金额超过未缴金额"
            if reason:
                unmatched.append(
                    UnmatchedRow(
                        statement=statement,
                        campaign=campaign,
                        estate_id=campaign.estate_id,
                        row=r.row,
                        bank_ref=r.ref,
                        paid_on=r.paid_on,
                        amount_fen=r.amount_fen,
                        payer=r.payer,
                        memo=r.memo,
                        reason=reason,
                    )
                )
                continue
            owed[code[1]] -= r.amount_fen
            items.append((bills[code[1]], r, r.amount_fen, r.paid_on, "bank", r.ref))
        if items:
            _apply_payments(campaign, items, actor, statement)
        UnmatchedRow.objects.bulk_create(unmatched, batch_size=2000)
        statement.matched, statement.unmatched, statement.skipped = len(items), len(unmatched), len(rows) - len(fresh)
        StatementImport.objects.filter(pk=statement.pk).update(
            matched=statement.matched, unmatched=statement.unmatched, skipped=statement.skipped
        )
        audit_record(
            event="funds.statement.imported",
            actor=actor,
            action=AuditAction.IMPORT,
            obj=statement,
            summary=f"导入银行流水 {file_name[:60]}：入账 {len(items)}，待认领 {len(unmatched)}，已导入过 {statement.skipped}",
            after={"rows": len(rows), "matched": len(items), "unmatched": len(unmatched), "skipped": statement.skipped},
        )
    return ImportResult(statement, len(items), len(unmatched), statement.skipped, unmatched)


def _known_refs(campaign: Campaign, refs: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(refs), 5000):
        chunk = refs[start : start + 5000]
        known |= set(
            CampaignPayment.objects.filter(campaign=campaign, bank_ref__in=chunk).values_list("bank_ref", flat=True)
        )
        known |= set(
            UnmatchedRow.objects.filter(campaign=campaign, bank_ref__in=chunk).values_list("bank_ref", flat=True)
        )
    return known


def unmatched_match(*, row: UnmatchedRow, bill: CampaignBill, actor: Any) -> CampaignPayment:
    """A person matches an unmatched statement row to a bill (人工认领)."""
    can_take_payment.require(actor, row.estate)
    if bill.campaign_id != row.campaign_id:
        raise ValidationError({"bill": "缴款单不属于本次续筹"})
    with transaction.atomic():
        locked = UnmatchedRow.objects.select_for_update().get(pk=row.pk)
        if not locked.can_match():
            raise Conflict("这笔流水已认领", code=FundsError.ROW_MATCHED, fields={"row": "这笔流水已认领"})
        bill_locked = CampaignBill.objects.select_for_update().select_related("campaign").get(pk=bill.pk)
        if locked.amount_fen > bill_locked.outstanding_fen:
            message = f"金额超过该户未缴金额（还欠 {bill_locked.outstanding_fen / 100:.2f} 元）"
            raise Invalid(message, code=FundsError.OVER_OUTSTANDING, fields={"bill": message})
        (payment,) = _apply_payments(
            bill_locked.campaign,
            [(bill_locked, None, locked.amount_fen, locked.paid_on, "bank", "")],
            actor,
            locked.statement,
        )
        # The reference stays on the unmatched row (unique per campaign); the payment points back to it.
        UnmatchedRow.objects.filter(pk=locked.pk).update(payment=payment)
        audit_record(
            event="funds.statement.row_matched",
            actor=actor,
            action=AuditAction.UPDATE,
            obj=locked,
            summary=f"认领流水 {locked.bank_ref} → {bill_locked.code}",
            after={"payment": payment.pk, "bill": bill_locked.pk},
        )
    row.refresh_from_db()
    return payment
