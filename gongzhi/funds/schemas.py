"""Input and output schemas of the funds API (资金接口): money in integer fen, areas as decimal strings,
rates as exact fractions (numerator/denominator) with a display percent. No logic here.

One input schema per write, shared by the API and the page form (``core.forms.parse_form``). A page
takes money in yuan as people type it ("1,234.50"): its ``…Form`` schema is the API schema with the
amount fields typed ``Yuan`` instead of ``Fen`` — the same field names, limits and Chinese titles
otherwise — so both refuse the same values the same way and both end in fen.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, model_validator

from gongzhi.core.api_support import Day, Name, ObjectId, Page, PageQuery, Text, choices_help
from gongzhi.core.inputs import Fen, Int, Line, Yuan
from gongzhi.funds.choices import (
    ContactKind,
    ContactOutcome,
    DecisionBody,
    EntryKind,
    MovementKind,
    PaymentMethod,
    RevenueSource,
    ReviewSubject,
    SplitBasis,
)


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("不能为空")
    return value


# Free text that may not be empty (a question, an answer, review comments: several lines are fine).
Said = Annotated[Text, AfterValidator(_not_blank)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CollectionRateOut(Schema):
    part: int = Field(title="分子")
    whole: int = Field(title="分母")
    percent: str | None = Field(title="百分比", description="两位小数，四舍五入；分母为0时为空")


# --- fund -------------------------------------------------------------------------------------------


class MovementOut(Schema):
    id: int
    kind: str = Field(title="类型", description=choices_help(MovementKind))
    amount_fen: int = Field(title="金额(分)", description="收入为正，支出为负")
    occurred_on: dt.date = Field(title="发生日期")
    unit_id: int | None = Field(title="房屋编号")
    note: str = Field(title="说明")
    document_ref: str = Field(title="凭证")


class FundOut(Schema):
    estate_id: int
    first_phase_fen: int = Field(title="首期归集额(分)")
    balance_fen: int = Field(title="余额(分)")
    of_first_phase: CollectionRateOut = Field(title="余额占首期比例")
    replenishment_due: bool = Field(title="应续筹", description="余额低于首期的30%（§F 23）")
    movements: list[MovementOut]


class FundOpenIn(Input):
    first_phase_fen: Fen = Field(gt=0, title="首期归集额(分)")
    balance_fen: Fen = Field(ge=0, title="当前余额(分)")
    opened_on: Day = Field(title="建账日期")
    document_ref: Text = Field("", max_length=120, title="依据")


class FundOpenForm(FundOpenIn):
    first_phase_fen: Yuan = Field(gt=0, title="首期归集额（元）")
    balance_fen: Yuan = Field(ge=0, title="当前余额（元）")


class MovementIn(Input):
    kind: MovementKind = Field(title="类型", description=choices_help(MovementKind))
    amount_fen: Fen = Field(title="金额(分)", description="支出为负数")
    occurred_on: Day = Field(title="发生日期")
    note: Text = Field("", max_length=200, title="说明")
    document_ref: Text = Field("", max_length=120, title="凭证/依据")


class MovementForm(MovementIn):
    amount_fen: Yuan = Field(title="金额（元）", description="支出为负数")


# --- campaigns --------------------------------------------------------------------------------------


class StepIn(Input):
    name: Name = Field(max_length=60, title="名称")
    starts_on: Day = Field(title="开始日期")
    assignee_role: str = Field(
        max_length=20,
        title="负责角色",
        description="property_staff、grid_worker、volunteer、community_staff、committee_member",
    )
    unpaid_below_percent: Int | None = Field(None, ge=1, le=100, title="未交比例低于(%)才进入")
    description: Text = Field("", max_length=200, title="做法")


class StepOut(Schema):
    number: int = Field(title="步骤")
    name: str = Field(title="名称")
    starts_on: dt.date = Field(title="开始日期")
    assignee_role: str = Field(title="负责角色")
    unpaid_below_percent: int | None = Field(title="未交比例低于(%)才进入")
    description: str = Field(title="做法")


class CampaignIn(Input):
    estate_id: ObjectId = Field(title="小区编号")
    title: Name = Field(max_length=100, title="名称")
    decision_date: Day = Field(title="决定日期")
    decision_body: DecisionBody = Field(title="决定方式", description=choices_help(DecisionBody))
    decision_document: Name = Field(max_length=200, title="决定文件")
    motion_ref: Text = Field(
        "", max_length=40, title="表决事项编号", description="在本系统表决时，关联的表决事项（可空）"
    )
    rate_fen: Int = Field(ge=1, le=10**7, title="续筹标准(分/㎡)")
    starts_on: Day = Field(title="开始送达缴款单")
    steps: list[StepIn] | None = Field(None, max_length=10, title="步骤", description="不填则为五步递进法")


class CampaignForm(CampaignIn):
    """The page's form: the standard in yuan per m², as the owners' decision states it."""

    rate_fen: Yuan = Field(ge=1, le=10**7, title="续筹标准（元/㎡）")


class CampaignOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    title: str
    decision_date: dt.date
    decision_body: str
    decision_document: str
    motion_ref: str
    rate_fen: int = Field(title="续筹标准(分/㎡)")
    starts_on: dt.date
    status: str
    units: int = Field(title="户数")
    units_paid: int = Field(title="已缴户数")
    due_fen: int = Field(title="应缴合计(分)")
    paid_fen: int = Field(title="已缴合计(分)")
    rate_by_count: CollectionRateOut = Field(title="交款率（户数）")
    rate_by_amount: CollectionRateOut = Field(title="交款率（金额）")


class CampaignDetailOut(CampaignOut):
    steps: list[StepOut]


class CampaignPage(Page[CampaignOut]):
    """One page of collection campaigns (its own name in the OpenAPI schema)."""


class BillOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit_label: str = Field(title="房屋")
    building_id: int
    code: str = Field(title="缴款识别码")
    area: Decimal = Field(title="计费面积(㎡)")
    amount_fen: int = Field(title="应缴(分)")
    paid_fen: int = Field(title="已缴(分)")
    paid_on: dt.date | None = Field(title="缴清日期")
    step: int = Field(title="当前步骤")


class BillPage(Page[BillOut]):
    """One page of a campaign's bills (its own name in the OpenAPI schema)."""


class BillQuery(PageQuery):
    unpaid: bool | None = Field(None, title="只看未缴")
    step: Int | None = Field(None, ge=0, le=20, title="步骤")


class SnapshotOut(Schema):
    day: dt.date
    building_id: int | None = Field(title="楼栋编号", description="空为全小区")
    units: int
    units_paid: int
    due_fen: int
    paid_fen: int
    rate_by_count: CollectionRateOut
    rate_by_amount: CollectionRateOut


class LeftOut(Schema):
    bill: BillOut
    step_name: str = Field(title="步骤")
    assignee_role: str = Field(title="负责角色")
    people: list[str] = Field(title="负责人")
    last_contact_at: dt.datetime | None = Field(title="最近联系")
    last_contact_kind: str = Field(title="最近联系方式")
    last_contact_outcome: str = Field(title="最近联系结果")


class PaymentIn(Input):
    amount_fen: Fen = Field(gt=0, title="金额(分)")
    paid_on: Day = Field(title="缴款日期")
    method: PaymentMethod = Field(title="方式", description=choices_help(PaymentMethod))
    bank_ref: Line = Field("", max_length=64, title="银行流水号")


class PaymentForm(PaymentIn):
    amount_fen: Yuan = Field(gt=0, title="金额（元）")


class PaymentOut(Schema):
    id: int
    bill_id: int
    amount_fen: int
    paid_on: dt.date
    method: str
    bank_ref: str


class ContactIn(Input):
    kind: ContactKind = Field(title="方式", description=choices_help(ContactKind))
    outcome: ContactOutcome = Field(title="结果", description=choices_help(ContactOutcome))
    note: Text = Field("", max_length=300, title="备注")


class ContactOut(Schema):
    id: int
    bill_id: int
    step: int
    kind: str
    outcome: str
    note: str
    at: dt.datetime


class RowErrorOut(Schema):
    row: int = Field(title="行号")
    column: str = Field(title="列")
    message: str = Field(title="原因")


class ImportOut(Schema):
    statement_id: int | None
    matched: int = Field(title="入账笔数")
    unmatched: int = Field(title="待认领笔数")
    skipped: int = Field(title="已导入过的笔数")


class UnmatchedOut(Schema):
    id: int
    row: int
    bank_ref: str
    paid_on: dt.date
    amount_fen: int
    payer: str
    memo: str
    reason: str


class MatchIn(Input):
    bill_id: ObjectId | None = Field(None, title="缴款单编号")
    code: Line = Field("", max_length=24, title="缴款识别码", description="缴款单编号或识别码，填一个")

    @model_validator(mode="after")
    def _one_of(self) -> MatchIn:
        if self.bill_id is None and not self.code:
            raise ValueError("请填写缴款识别码或缴款单编号")
        return self


class TodoOut(Schema):
    campaign_id: int
    estate_name: str
    step: int
    step_name: str
    bills: list[BillOut]


class MyBillsOut(Schema):
    campaign_bills: list[BillOut]
    fee_bills: list[FeeBillOut]
    fee_owed_fen: int = Field(title="物业费未缴合计(分)")


# --- fees -------------------------------------------------------------------------------------------


class FeeBillOut(Schema):
    id: int
    unit_id: int
    month: dt.date = Field(title="计费月")
    area: Decimal
    rate_fen: int = Field(title="单价(分/㎡·月)")
    amount_fen: int
    paid_fen: int
    paid_on: dt.date | None


class FeePlanIn(Input):
    first_bill_month: Day = Field(title="首个计费月", description="体验期结束后的第一个月，某月1日")
    residential_fen: Int | None = Field(None, ge=0, le=10**6, title="住宅(分/㎡·月)", description="不填取合同标准")
    commercial_fen: Int | None = Field(None, ge=0, le=10**6, title="商业(分/㎡·月)")
    office_fen: Int | None = Field(None, ge=0, le=10**6, title="办公(分/㎡·月)")
    parking_fen: Int | None = Field(None, ge=0, le=10**6, title="车位(分/㎡·月)")


class FeePlanOut(Schema):
    id: int
    contract_id: int
    residential_fen: int
    commercial_fen: int | None
    office_fen: int | None
    parking_fen: int | None
    first_bill_month: dt.date


class FeeIssueIn(Input):
    month: Day = Field(title="计费月")


class FeeIssueOut(Schema):
    created: int = Field(title="新出账单数")


class FeePaymentOut(Schema):
    id: int
    bill_id: int
    amount_fen: int
    paid_on: dt.date
    method: str
    receipt_no: str = Field(title="收据号")


class FeePaymentIn(Input):
    amount_fen: Fen = Field(gt=0, title="金额(分)")
    paid_on: Day = Field(title="缴款日期")
    method: PaymentMethod = Field(title="方式", description=choices_help(PaymentMethod))


class FeePaymentForm(FeePaymentIn):
    amount_fen: Yuan = Field(gt=0, title="金额（元）")


class CollectionQuery(Schema):
    by: str = Field(
        "estate", pattern="^(estate|building|month)$", title="分组", description="estate、building 或 month"
    )
    estate: ObjectId | None = Field(None, title="小区编号")
    since: Day | None = Field(None, title="起始月")


class CollectionRowOut(Schema):
    key: str = Field(title="分组键", description="小区/楼栋编号或月份")
    label: str
    bills: int
    paid: int
    due_fen: int
    paid_fen: int
    rate_by_count: CollectionRateOut
    rate_by_amount: CollectionRateOut


# --- ledger ------------------------------------------------------------------------------------------


class EntryIn(Input):
    kind: EntryKind = Field(title="类型", description=choices_help(EntryKind) + "（冲正请用冲正接口）")
    source: RevenueSource | None = Field(None, title="来源", description=choices_help(RevenueSource))
    amount_fen: Fen = Field(gt=0, title="金额(分)")
    occurred_on: Day = Field(title="发生日期")
    description: Name = Field(max_length=200, title="摘要")
    document_ref: Text = Field("", max_length=200, title="凭证")
    decision_ref: Text = Field("", max_length=200, title="业主决定")
    building_id: ObjectId | None = Field(None, title="楼栋编号")


class EntryForm(EntryIn):
    amount_fen: Yuan = Field(gt=0, title="金额（元）")


class EntryOut(Schema):
    id: int
    seq: int = Field(title="序号")
    kind: str
    source: str
    amount_fen: int
    occurred_on: dt.date
    description: str
    document_ref: str
    decision_ref: str
    reverses_id: int | None = Field(title="冲正的分录编号")
    building_id: int | None
    created_at: dt.datetime
    prev_hash: str
    hash: str


class RevenueLedgerOut(Schema):
    estate_id: int
    balance_fen: int = Field(title="结余(分)")
    entries: list[EntryOut]


class VerifyOut(Schema):
    ok: bool = Field(title="校验通过")
    first_bad_seq: int | None = Field(title="第一笔不符的序号")
    entries: int


class ReverseIn(Input):
    reason: Name = Field(max_length=150, title="冲正原因")


class ObjectionIn(Input):
    text: Said = Field(max_length=500, title="疑问")


class AnswerIn(Input):
    answer: Said = Field(max_length=500, title="答复")


class ObjectionOut(Schema):
    id: int
    entry_id: int
    text: str
    status: str
    answer: str


class PeriodIn(Input):
    start: Day = Field(title="期间起")
    end: Day = Field(title="期间止")


class AccountingPeriodOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    income_fen: int
    costs_fen: int
    spending_fen: int
    to_fund_fen: int
    fund_below_threshold: bool
    head_seq: int
    head_hash: str


# --- reviews -----------------------------------------------------------------------------------------


class ReviewIn(Input):
    subject: ReviewSubject = Field(title="查阅内容", description=choices_help(ReviewSubject))
    period_start: Day = Field(title="期间起")
    period_end: Day = Field(title="期间止")
    comments: Said = Field(max_length=2000, title="意见")


class ReviewOut(Schema):
    id: int
    subject: str
    body: str
    period_start: dt.date
    period_end: dt.date
    comments: str
    head_seq: int
    head_hash: str
    chain_ok: bool
    reviewed_at: dt.datetime


class ReviewsOut(Schema):
    overdue: list[str] = Field(title="逾期的查阅内容")
    reviews: list[ReviewOut]


# --- splits -------------------------------------------------------------------------------------------


class SplitIn(Input):
    title: Name = Field(max_length=100, title="事项")
    total_fen: Fen = Field(gt=0, title="总额(分)")
    basis: SplitBasis = Field(title="分摊对象", description=choices_help(SplitBasis))
    decision_ref: Text = Field("", max_length=200, title="依据")


class SplitForm(SplitIn):
    total_fen: Yuan = Field(gt=0, title="总额（元）")


class ShareOut(Schema):
    position: int
    label: str
    organisation_id: int | None
    unit_id: int | None
    area: Decimal
    amount_fen: int


class SplitOut(Schema):
    id: int
    estate_id: int
    title: str
    total_fen: int
    basis: str
    decision_ref: str
    shares: list[ShareOut]


MyBillsOut.model_rebuild()
