"""The funds JSON API (资金与公共收益接口): fund accounts, re-raising campaigns and their bills, payments
and bank statements, property fees, the public-revenue ledger, oversight reviews and cost splits.

Each endpoint finds rows through ``visible_to`` / ``find_for_user`` (404 for who may not see them),
asks the act's permission (gongzhi.funds.permissions: 403 with its code and reason, the same the
service guards with), calls a funds service for every write (400/409 for refused input or state, with
a code: nothing changes), and shapes the answer. Money is integer fen; rates are exact fractions.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile

from gongzhi.core.api_support import ApiError, ObjectId, PageQuery, find_for_user, paginate, responses, service_errors
from gongzhi.core.errors import Forbidden
from gongzhi.core.scoping import scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.errors import FundsError
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignStep,
    CostSplit,
    FeeBill,
    FeePlan,
    FundAccount,
    FundMovement,
    LedgerEntry,
    Review,
    UnmatchedRow,
)
from gongzhi.funds.schemas import (
    AccountingPeriodOut,
    BillPage,
    BillQuery,
    CampaignDetailOut,
    CampaignIn,
    CampaignPage,
    CollectionQuery,
    CollectionRowOut,
    ContactIn,
    ContactOut,
    EntryIn,
    EntryOut,
    FeeIssueIn,
    FeeIssueOut,
    FeePaymentIn,
    FeePaymentOut,
    FeePlanIn,
    FeePlanOut,
    FundOpenIn,
    FundOut,
    ImportOut,
    LeftOut,
    MatchIn,
    MovementIn,
    MovementOut,
    MyBillsOut,
    ObjectionIn,
    ObjectionOut,
    PaymentIn,
    PaymentOut,
    PeriodIn,
    RevenueLedgerOut,
    ReverseIn,
    ReviewIn,
    ReviewOut,
    ReviewsOut,
    SnapshotOut,
    SplitIn,
    SplitOut,
    TodoOut,
    UnmatchedOut,
    VerifyOut,
)
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.models import Place

router = Router(tags=["资金与公共收益"])


def _rate(part: int, whole: int) -> dict[str, Any]:
    value: Fraction | None = rules.rate(part, whole)
    return {"part": part, "whole": whole, "percent": rules.percent_number(value)}


def _estate(request: HttpRequest, estate_id: int) -> Place:
    return find_for_user(Place.objects.estates(), request.auth, estate_id)


# --- fund -------------------------------------------------------------------------------------------


def _fund_out(request: HttpRequest, estate: Place) -> dict[str, Any]:
    account = FundAccount.objects.visible_to(request.auth).filter(estate=estate).first()
    if account is None:
        raise ApiError(404, "not_found", "该小区尚未建立维修资金账户")
    return {
        "estate_id": estate.pk,
        "first_phase_fen": account.first_phase_fen,
        "balance_fen": account.balance_fen,
        "of_first_phase": _rate(account.balance_fen, account.first_phase_fen),
        "replenishment_due": rules.replenishment_due(account.balance_fen, account.first_phase_fen),
        "movements": list(FundMovement.objects.visible_to(request.auth).filter(account=account)[:500]),
    }


@router.get(
    "/funds/estates/{estate_id}/fund",
    response=responses(200, FundOut),
    summary="维修资金账户",
    operation_id="fund_detail",
)
def fund_detail(request: HttpRequest, estate_id: ObjectId) -> dict:
    """余额、首期归集额、是否应续筹（§F 23）与资金变动。"""
    return _fund_out(request, _estate(request, estate_id))


@router.post(
    "/funds/estates/{estate_id}/fund",
    response=responses(201, FundOut, write=True),
    summary="建立维修资金账户",
    operation_id="fund_open",
)
def fund_open(request: HttpRequest, estate_id: ObjectId, payload: FundOpenIn) -> Any:
    """业委会/物管会或社区建账：首期归集额按面积分到各户。"""
    estate = _estate(request, estate_id)
    perms.can_manage_fund.require(request.auth, estate)
    with service_errors():
        services.fund_account_open(estate=estate, actor=request.auth, **payload.dict())
    return Status(201, _fund_out(request, estate))


@router.post(
    "/funds/estates/{estate_id}/fund/movements",
    response=responses(201, MovementOut, write=True),
    summary="登记维修资金变动",
    operation_id="fund_movement_create",
)
def fund_movement_create(request: HttpRequest, estate_id: ObjectId, payload: MovementIn) -> Any:
    """使用支出（负数，须有依据）、利息、更正等；余额低于30%时通知业委会和社区。"""
    estate = _estate(request, estate_id)
    perms.can_manage_fund.require(request.auth, estate)
    account = FundAccount.objects.filter(estate=estate).first()
    if account is None:
        raise ApiError(404, "not_found", "该小区尚未建立维修资金账户")
    with service_errors():
        move = services.fund_movement_record(account=account, actor=request.auth, **payload.dict())
    return Status(201, move)


# --- campaigns ----------------------------------------------------------------------------------------


def _campaign_out(c: Campaign, *, steps: bool = False) -> dict[str, Any]:
    total, _ = selectors.campaign_progress(c)
    out = {
        "id": c.pk,
        "estate_id": c.estate_id,
        "estate_name": c.estate.name,
        "title": c.title,
        "decision_date": c.decision_date,
        "decision_body": c.decision_body,
        "decision_document": c.decision_document,
        "motion_ref": c.motion_ref,
        "rate_fen": c.rate_fen,
        "starts_on": c.starts_on,
        "status": c.status,
        "units": total.units,
        "units_paid": total.units_paid,
        "due_fen": total.due_fen,
        "paid_fen": total.paid_fen,
        "rate_by_count": _rate(total.units_paid, total.units),
        "rate_by_amount": _rate(total.paid_fen, total.due_fen),
    }
    if steps:
        out["steps"] = list(CampaignStep.objects.filter(campaign=c))
    return out


def _bill_out(b: CampaignBill) -> dict[str, Any]:
    return {
        "id": b.pk,
        "campaign_id": b.campaign_id,
        "unit_id": b.unit_id,
        "unit_label": b.unit.label,
        "building_id": b.building_id,
        "code": b.code,
        "area": b.area,
        "amount_fen": b.amount_fen,
        "paid_fen": b.paid_fen,
        "paid_on": b.paid_on,
        "step": b.step,
    }


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return find_for_user(Campaign.objects.select_related("estate"), request.auth, campaign_id)


@router.get(
    "/funds/campaigns", response=responses(200, CampaignPage), summary="续筹活动列表", operation_id="campaign_list"
)
def campaign_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    """可见小区的续筹活动及其交款率（户数、金额，精确比例）。"""
    out = paginate(selectors.campaigns_for_user(request.auth), page)
    out["items"] = [_campaign_out(c) for c in out["items"]]
    return out


@router.post(
    "/funds/campaigns",
    response=responses(201, CampaignDetailOut, write=True),
    summary="发起续筹",
    operation_id="campaign_start",
)
def campaign_start(request: HttpRequest, payload: CampaignIn) -> Any:
    """依业主大会（或分楼组表决）的决定发起：每户出账（面积×标准，四舍五入到分），默认五步递进法。"""
    estate = find_for_user(Place.objects.estates(), request.auth, payload.estate_id, field="estate_id")
    perms.can_run_campaign.require(request.auth, estate)
    data = payload.dict(exclude={"estate_id", "steps"})
    steps = [s.dict() for s in payload.steps] if payload.steps is not None else None
    with service_errors():
        c = services.campaign_start(estate=estate, steps=steps, actor=request.auth, **data)
    return Status(201, _campaign_out(c, steps=True))


@router.get(
    "/funds/campaigns/{campaign_id}",
    response=responses(200, CampaignDetailOut),
    summary="续筹详情",
    operation_id="campaign_detail",
)
def campaign_detail(request: HttpRequest, campaign_id: ObjectId) -> dict:
    """决定、标准、步骤与当前交款率。"""
    return _campaign_out(_campaign(request, campaign_id), steps=True)


@router.get(
    "/funds/campaigns/{campaign_id}/bills",
    response=responses(200, BillPage),
    summary="续筹缴款单",
    operation_id="campaign_bills",
)
def campaign_bills(request: HttpRequest, campaign_id: ObjectId, filters: Query[BillQuery]) -> dict:
    """本次续筹的每户缴款单；业主只看到自己的。"""
    c = _campaign(request, campaign_id)
    qs = (
        CampaignBill.objects.visible_to(request.auth)
        .filter(campaign=c)
        .select_related("unit__building", "unit__entrance")
    )
    if filters.unpaid:
        qs = qs.filter(paid_on__isnull=True)
    if filters.step is not None:
        qs = qs.filter(step=filters.step)
    out = paginate(qs.order_by("building_id", "unit_id"), filters)
    out["items"] = [_bill_out(b) for b in out["items"]]
    return out


@router.get(
    "/funds/campaigns/{campaign_id}/snapshots",
    response=responses(200, list[SnapshotOut]),
    summary="每日交款率",
    operation_id="campaign_snapshots",
)
def campaign_snapshots(request: HttpRequest, campaign_id: ObjectId) -> list:
    """每日快照（全小区与分楼栋），复盘曲线的数据。"""
    c = _campaign(request, campaign_id)
    from gongzhi.funds.models import RateSnapshot

    return [
        {
            "day": s.day,
            "building_id": s.building_id,
            "units": s.units,
            "units_paid": s.units_paid,
            "due_fen": s.due_fen,
            "paid_fen": s.paid_fen,
            "rate_by_count": _rate(s.units_paid, s.units),
            "rate_by_amount": _rate(s.paid_fen, s.due_fen),
        }
        for s in RateSnapshot.objects.visible_to(request.auth)
        .filter(campaign=c)
        .order_by("day", F("building_id").asc(nulls_first=True))[:5000]
    ]


@router.get(
    "/funds/campaigns/{campaign_id}/left",
    response=responses(200, list[LeftOut]),
    summary="未交名单",
    operation_id="campaign_left",
)
def campaign_left(request: HttpRequest, campaign_id: ObjectId) -> list:
    """每周复盘：谁没交、在第几步、谁在跟进（工作人员可见）。"""
    c = _campaign(request, campaign_id)
    if not scope_of(request.auth).is_staff:
        # an owner sees the campaign and their own bill, not the neighbours' list
        raise Forbidden("未交名单只有工作人员可以查看", code=FundsError.STAFF_ONLY)
    return [
        {
            "bill": _bill_out(r.bill),
            "step_name": r.step.name if r.step else "",
            "assignee_role": r.step.assignee_role if r.step else "",
            "people": r.people,
            "last_contact_at": r.last_contact.at if r.last_contact else None,
            "last_contact_kind": r.last_contact.kind if r.last_contact else "",
            "last_contact_outcome": r.last_contact.outcome if r.last_contact else "",
        }
        for r in selectors.campaign_left(c)
    ]


@router.post(
    "/funds/campaigns/{campaign_id}/statements",
    response=responses(201, ImportOut, write=True),
    summary="导入银行流水",
    operation_id="campaign_statement_import",
)
def campaign_statement_import(request: HttpRequest, campaign_id: ObjectId, file: File[UploadedFile]) -> Any:
    """上传 .xlsx/.csv（表头：交易流水号、交易日期、金额、付款人、附言）。全部或全不：任一行有错则不导入，
    错误以 400 列出行、列和原因；同一流水号只入账一次；找不到缴款单的行进入待认领。"""
    c = _campaign(request, campaign_id)
    perms.can_take_payment.require(request.auth, c.estate)
    try:
        with service_errors():
            result = services.statement_import(
                campaign=c, content=file.read(), file_name=file.name or "", actor=request.auth
            )
    except services.StatementRejected as exc:
        fields = {f"第{e.row}行·{e.column}" if e.row else e.column: e.message for e in exc.errors[:200]}
        raise ApiError(400, "statement_rejected", f"文件有 {len(exc.errors)} 处错误，没有导入任何一笔", fields) from exc
    return Status(
        201,
        {
            "statement_id": result.statement.pk if result.statement else None,
            "matched": result.matched,
            "unmatched": result.unmatched,
            "skipped": result.skipped,
        },
    )


@router.get(
    "/funds/campaigns/{campaign_id}/unmatched",
    response=responses(200, list[UnmatchedOut]),
    summary="待认领流水",
    operation_id="campaign_unmatched",
)
def campaign_unmatched(request: HttpRequest, campaign_id: ObjectId) -> list:
    """导入时找不到缴款单的银行流水，待人工认领。"""
    c = _campaign(request, campaign_id)
    perms.can_take_payment.require(request.auth, c.estate)
    return list(UnmatchedRow.objects.filter(campaign=c, payment__isnull=True).order_by("statement_id", "row")[:1000])


@router.post(
    "/funds/unmatched/{row_id}/match",
    response=responses(201, PaymentOut, write=True),
    summary="认领流水",
    operation_id="unmatched_match",
)
def unmatched_match(request: HttpRequest, row_id: ObjectId, payload: MatchIn) -> Any:
    """把一笔待认领流水记到一张缴款单上（以缴款单编号或缴款识别码指明）。"""
    row = find_for_user(UnmatchedRow.objects.select_related("estate"), request.auth, row_id)
    perms.can_take_payment.require(request.auth, row.estate)
    bill = selectors.bill_for_match(row, bill_id=payload.bill_id, code=payload.code)
    if bill is None:
        field = "bill_id" if payload.bill_id is not None else "code"
        raise ApiError(404, "not_found", "本次续筹没有这张缴款单", {field: "本次续筹没有这张缴款单"})
    with service_errors():
        payment = services.unmatched_match(row=row, bill=bill, actor=request.auth)
    return Status(201, payment)


@router.post(
    "/funds/bills/{bill_id}/payments",
    response=responses(201, PaymentOut, write=True),
    summary="录入缴款",
    operation_id="bill_payment",
)
def bill_payment(request: HttpRequest, bill_id: ObjectId, payload: PaymentIn) -> Any:
    """物业财务人员录入一笔续筹缴款；不得超过未缴金额。"""
    bill = find_for_user(CampaignBill.objects.select_related("estate"), request.auth, bill_id)
    perms.can_take_payment.require(request.auth, bill.estate)
    with service_errors():
        payment = services.campaign_payment_record(bill=bill, actor=request.auth, **payload.dict())
    return Status(201, payment)


@router.post(
    "/funds/bills/{bill_id}/contacts",
    response=responses(201, ContactOut, write=True),
    summary="记录联系",
    operation_id="bill_contact",
)
def bill_contact(request: HttpRequest, bill_id: ObjectId, payload: ContactIn) -> Any:
    """上门、电话、微信、志愿者谈心、约谈、律师函，及结果。"""
    bill = find_for_user(CampaignBill.objects.select_related("estate"), request.auth, bill_id)
    perms.can_log_contact.require(request.auth, bill.estate)
    with service_errors():
        log = services.contact_log(bill=bill, actor=request.auth, **payload.dict())
    return Status(201, log)


@router.get("/funds/todo", response=responses(200, list[TodoOut]), summary="我的续筹待办", operation_id="funds_todo")
def funds_todo(request: HttpRequest) -> list:
    """按步骤列出由我所在角色负责的未缴房屋。"""
    return [
        {
            "campaign_id": step.campaign_id,
            "estate_name": step.campaign.estate.name,
            "step": step.number,
            "step_name": step.name,
            "bills": [_bill_out(b) for b in bills],
        }
        for step, bills in selectors.todo_for_user(request.auth)
    ]


@router.get("/funds/my/bills", response=responses(200, MyBillsOut), summary="我的账单", operation_id="my_bills")
def my_bills(request: HttpRequest) -> dict:
    """业主本人名下房屋的续筹缴款单和物业费账单。"""
    data = selectors.my_bills(request.auth)
    return {
        "campaign_bills": [_bill_out(b) for b in data["campaign_bills"]],
        "fee_bills": data["fee_bills"],
        "fee_owed_fen": data["fee_owed_fen"],
    }


# --- ledger ---------------------------------------------------------------------------------------------


@router.get(
    "/funds/estates/{estate_id}/ledger",
    response=responses(200, RevenueLedgerOut),
    summary="公共收益台账",
    operation_id="ledger_list",
)
def ledger_list(request: HttpRequest, estate_id: ObjectId) -> dict:
    """本小区业主可读；每笔带前一笔与本笔的哈希。"""
    estate = _estate(request, estate_id)
    return {
        "estate_id": estate.pk,
        "balance_fen": selectors.ledger_balance(estate),
        "entries": list(selectors.ledger_for_user(request.auth, estate)[:1000]),
    }


@router.post(
    "/funds/estates/{estate_id}/ledger",
    response=responses(201, EntryOut, write=True),
    summary="公共收益记账",
    operation_id="ledger_append",
)
def ledger_append(request: HttpRequest, estate_id: ObjectId, payload: EntryIn) -> Any:
    """收入须有来源单据，成本须有证明，支出须有业主决定；只能追加。"""
    estate = _estate(request, estate_id)
    perms.can_book.require(request.auth, estate)
    data = payload.dict(exclude={"building_id", "source"})
    with service_errors():
        building = selectors.estate_building(estate, payload.building_id)
        entry = services.ledger_append(
            estate=estate, source=payload.source or "", building=building, actor=request.auth, **data
        )
    return Status(201, entry)


@router.get(
    "/funds/estates/{estate_id}/ledger/verify",
    response=responses(200, VerifyOut),
    summary="校验台账",
    operation_id="ledger_verify",
)
def ledger_verify(request: HttpRequest, estate_id: ObjectId) -> dict:
    """从第一笔起逐笔核对哈希链，指出第一笔不符的分录。"""
    estate = _estate(request, estate_id)
    ok, bad = services.ledger_verify(estate)
    return {
        "ok": ok,
        "first_bad_seq": bad.seq if bad else None,
        "entries": LedgerEntry.objects.filter(estate=estate).count(),
    }


@router.post(
    "/funds/ledger/{entry_id}/reverse",
    response=responses(201, EntryOut, write=True),
    summary="冲正",
    operation_id="ledger_reverse",
)
def ledger_reverse(request: HttpRequest, entry_id: ObjectId, payload: ReverseIn) -> Any:
    """以一笔等额冲正分录更正，原分录不变。"""
    entry = find_for_user(LedgerEntry.objects.select_related("estate"), request.auth, entry_id)
    perms.can_book.require(request.auth, entry.estate)
    with service_errors():
        reversal = services.ledger_reverse(entry=entry, reason=payload.reason, actor=request.auth)
    return Status(201, reversal)


@router.post(
    "/funds/ledger/{entry_id}/objections",
    response=responses(201, ObjectionOut, write=True),
    summary="我有疑问",
    operation_id="ledger_objection",
)
def ledger_objection(request: HttpRequest, entry_id: ObjectId, payload: ObjectionIn) -> Any:
    """本小区业主对一笔分录提出疑问，记账人和业委会收到通知。"""
    entry = find_for_user(LedgerEntry.objects.select_related("estate"), request.auth, entry_id)
    perms.can_object.require(request.auth, entry.estate)
    with service_errors():
        objection = services.objection_file(entry=entry, text=payload.text, actor=request.auth)
    return Status(201, objection)


@router.post(
    "/funds/estates/{estate_id}/ledger/periods",
    response=responses(201, AccountingPeriodOut, write=True),
    summary="结账",
    operation_id="ledger_close",
)
def ledger_close(request: HttpRequest, estate_id: ObjectId, payload: PeriodIn) -> Any:
    """结账并生成期间报表；维修资金低于30%时净收益一半以上须已转入维修资金（§F 24）。"""
    estate = _estate(request, estate_id)
    perms.can_close_period.require(request.auth, estate)
    with service_errors():
        period = services.ledger_period_close(estate=estate, start=payload.start, end=payload.end, actor=request.auth)
    return Status(201, period)


# --- reviews ---------------------------------------------------------------------------------------------


@router.get(
    "/funds/estates/{estate_id}/reviews",
    response=responses(200, ReviewsOut),
    summary="查阅监督记录",
    operation_id="review_list",
)
def review_list(request: HttpRequest, estate_id: ObjectId) -> dict:
    """党组织和业委会的定期查阅记录，及逾期未查阅的内容。"""
    estate = _estate(request, estate_id)
    return {
        "overdue": [s.subject for s in selectors.review_status(estate) if s.overdue],
        "reviews": list(Review.objects.visible_to(request.auth).filter(estate=estate)[:200]),
    }


@router.post(
    "/funds/estates/{estate_id}/reviews",
    response=responses(201, ReviewOut, write=True),
    summary="签署查阅意见",
    operation_id="review_sign",
)
def review_sign(request: HttpRequest, estate_id: ObjectId, payload: ReviewIn) -> Any:
    """只有本小区（社区）的党组织工作人员和业委会委员可以签署；记录所覆盖的台账链头。"""
    estate = _estate(request, estate_id)
    perms.can_review.require(request.auth, estate)
    with service_errors():
        review = services.review_sign(estate=estate, actor=request.auth, **payload.dict())
    return Status(201, review)


# --- fees -------------------------------------------------------------------------------------------------


@router.post(
    "/funds/estates/{estate_id}/fee-plan",
    response=responses(201, FeePlanOut, write=True),
    summary="设定收费方案",
    operation_id="fee_plan_set",
)
def fee_plan_set(request: HttpRequest, estate_id: ObjectId, payload: FeePlanIn) -> Any:
    """按现行服务合同设定分用途单价和首个计费月（先服务、再体验、后收费）。"""
    estate = _estate(request, estate_id)
    contract = current_contract(estate, timezone.localdate())
    if contract is None:
        raise ApiError(404, "not_found", "该小区没有现行的物业服务合同")
    perms.can_set_fee_plan.require(request.auth, contract)
    with service_errors():
        plan = services.fee_plan_set(contract=contract, actor=request.auth, **payload.dict())
    return Status(201, plan)


@router.post(
    "/funds/estates/{estate_id}/fee-bills",
    response=responses(201, FeeIssueOut, write=True),
    summary="物业费出账",
    operation_id="fee_bills_issue",
)
def fee_bills_issue(request: HttpRequest, estate_id: ObjectId, payload: FeeIssueIn) -> Any:
    """给每户出一个月的账单；体验期内和合同期外拒绝；重复出账不重复。"""
    estate = _estate(request, estate_id)
    perms.can_collect_fees.require(request.auth, estate)
    plan = FeePlan.objects.filter(estate=estate).order_by("-pk").first()
    if plan is None:
        raise ApiError(404, "not_found", "该小区尚未设定收费方案")
    with service_errors():
        made = services.fee_bills_issue(plan=plan, month=payload.month, actor=request.auth)
    return Status(201, {"created": made})


@router.post(
    "/funds/fee-bills/{bill_id}/payments",
    response=responses(201, FeePaymentOut, write=True),
    summary="物业费收费",
    operation_id="fee_payment",
)
def fee_payment(request: HttpRequest, bill_id: ObjectId, payload: FeePaymentIn) -> Any:
    """物业财务人员收费并开具收据。"""
    bill = find_for_user(FeeBill.objects.select_related("estate"), request.auth, bill_id)
    perms.can_collect_fees.require(request.auth, bill.estate)
    with service_errors():
        payment = services.fee_payment_record(bill=bill, actor=request.auth, **payload.dict())
    return Status(201, payment)


@router.get(
    "/funds/collection-rates",
    response=responses(200, list[CollectionRowOut]),
    summary="物业费收缴率",
    operation_id="collection_rates",
)
def collection_rates(request: HttpRequest, filters: Query[CollectionQuery]) -> list:
    """按小区、楼栋或月份，按户数和金额（精确比例），只统计可见的账单。"""
    estate = _estate(request, filters.estate) if filters.estate else None
    rows = selectors.collection_rates(request.auth, by=filters.by, estate=estate, since=filters.since)
    return [
        {
            "key": str(r.key),
            "label": r.label,
            "bills": r.bills,
            "paid": r.paid,
            "due_fen": r.due_fen,
            "paid_fen": r.paid_fen,
            "rate_by_count": _rate(r.paid, r.bills),
            "rate_by_amount": _rate(r.paid_fen, r.due_fen),
        }
        for r in rows
    ]


# --- splits ------------------------------------------------------------------------------------------------


def _split_out(s: CostSplit) -> dict[str, Any]:
    return {
        "id": s.pk,
        "estate_id": s.estate_id,
        "title": s.title,
        "total_fen": s.total_fen,
        "basis": s.basis,
        "decision_ref": s.decision_ref,
        "shares": list(s.shares.all()),
    }


@router.post(
    "/funds/estates/{estate_id}/splits",
    response=responses(201, SplitOut, write=True),
    summary="费用分摊",
    operation_id="split_create",
)
def split_create(request: HttpRequest, estate_id: ObjectId, payload: SplitIn) -> Any:
    """按面积分摊（民法典第283条），精确到分，合计等于总额。"""
    estate = _estate(request, estate_id)
    perms.can_split_costs.require(request.auth, estate)
    with service_errors():
        split = services.cost_split_create(estate=estate, actor=request.auth, **payload.dict())
    return Status(201, _split_out(split))


@router.get(
    "/funds/splits/{split_id}", response=responses(200, SplitOut), summary="分摊表", operation_id="split_detail"
)
def split_detail(request: HttpRequest, split_id: ObjectId) -> dict:
    """分摊表，各方面积与分摊额。"""
    return _split_out(find_for_user(CostSplit.objects.all(), request.auth, split_id))
