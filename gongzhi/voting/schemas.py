"""Input and output schemas of the voting API (业主表决接口): one in and one out per endpoint, no logic.

Areas are strings with two decimals ("60.50"), never floats; percentages are strings for people,
the decisions rest on the integer comparisons the conditions report.
"""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import Day, Moment, Name, ObjectId, Page, PageQuery, Text, choices_help
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

AREA = {"description": '面积，两位小数的字符串，如 "60.50"', "pattern": r"^\d{1,12}\.\d{2}$"}


class Input(Schema):
    """Input schemas refuse fields they do not know, so a misspelt field is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Assemblies and motions --------------------------------------------------------------------------


class AssemblyListQuery(PageQuery):
    estate: ObjectId | None = Field(None, title="小区编号")
    status: AssemblyStatus | None = Field(None, title="状态", description=choices_help(AssemblyStatus))


class AssemblyCreateIn(Input):
    estate_id: ObjectId = Field(title="小区编号")
    title: Name = Field(title="会议名称", max_length=120)
    kind: AssemblyKind = Field(AssemblyKind.REGULAR, title="会议类型", description=choices_help(AssemblyKind))
    notice_text: Text = Field("", title="会议公告", max_length=20000)
    opens_at: Moment = Field(title="表决开始")
    closes_at: Moment = Field(title="表决截止")
    petition_id: ObjectId | None = Field(None, title="依据的临时会议提议编号")


class DocumentIn(Input):
    title: Name = Field(title="标题", max_length=120)
    body: Text = Field(title="内容", max_length=50000)


class MotionCreateIn(Input):
    title: Name = Field(title="表决事项", max_length=200)
    matter: Matter = Field(title="事项类别", description=choices_help(Matter))
    rule_set: RuleSet | None = Field(
        None, title="计票规则", description="不填按表决日期确定（§D 16）；" + choices_help(RuleSet)
    )
    description: Text = Field("", title="说明", max_length=20000)
    building_ids: list[ObjectId] = Field(default_factory=list, title="表决范围（楼栋编号）", max_length=500)
    documents: list[DocumentIn] = Field(default_factory=list, title="表决材料", max_length=20)


class NoticeIn(Input):
    noticed_on: Day | None = Field(None, title="公告日期", description="不填为今天")


class PublishIn(Input):
    published_on: Day | None = Field(None, title="公布日期", description="不填为今天")


class DocumentOut(Schema):
    id: int
    title: str = Field(title="标题")
    body: str = Field(title="内容")


class MotionOut(Schema):
    id: int
    assembly_id: int = Field(title="会议编号")
    position: int = Field(title="序号")
    title: str = Field(title="表决事项")
    description: str = Field(title="说明")
    matter: Matter = Field(title="事项类别", description=choices_help(Matter))
    matter_label: str = Field(title="事项类别名称")
    rule_set: RuleSet = Field(title="计票规则", description=choices_help(RuleSet))
    building_ids: list[int] = Field(title="表决范围（楼栋编号）", description="空为全体业主")
    documents: list[DocumentOut] = Field(title="表决材料")
    exclusion_note: str = Field(title="不列入名册的产权单位及理由")
    total_units: int | None = Field(title="名册户数", description="开始表决时冻结")
    total_heads: int | None = Field(title="计票总人数")
    total_area: str | None = Field(title="总面积(㎡)", **AREA)
    chain_length: int = Field(title="选票链长度")
    chain_head: str = Field(title="选票链末哈希")
    passed: bool | None = Field(title="是否通过", description="计票后才有")


class AssemblyOut(Schema):
    id: int
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    kind: AssemblyKind = Field(title="会议类型", description=choices_help(AssemblyKind))
    title: str = Field(title="会议名称")
    status: AssemblyStatus = Field(title="状态", description=choices_help(AssemblyStatus))
    status_label: str = Field(title="状态名称")
    opens_at: dt.datetime = Field(title="表决开始")
    closes_at: dt.datetime = Field(title="表决截止")
    noticed_on: dt.date | None = Field(title="公告日期")
    published_on: dt.date | None = Field(title="公布日期", description="业主可在知道后1年内请求撤销（§B 8）")
    revocation_ends: dt.date | None = Field(title="撤销请求期限", description="公布日期起1年")
    petition_id: int | None = Field(title="依据的临时会议提议编号")


class AssemblyDetailOut(AssemblyOut):
    notice_text: str = Field(title="会议公告")
    motions: list[MotionOut] = Field(title="议程")


AssemblyPage = Page[AssemblyOut]


# --- Counts and conditions ----------------------------------------------------------------------------


class CountsOut(Schema):
    total_area: str = Field(title="总面积(㎡)", **AREA)
    total_heads: int = Field(title="总人数")
    participating_area: str = Field(title="参与表决面积(㎡)", **AREA)
    participating_heads: int = Field(title="参与表决人数")
    agreeing_area: str = Field(title="同意面积(㎡)", **AREA)
    agreeing_heads: int = Field(title="同意人数")


class ConditionOut(Schema):
    key: str = Field(title="条件", description="quorum_area, quorum_heads, approval_area, approval_heads")
    label: str = Field(title="条件名称")
    basis: str = Field(title="依据", description="area=面积，heads=人数")
    numerator: str = Field(title="分子")
    denominator: str = Field(title="分母")
    threshold: str = Field(title="比例", description="如 2/3")
    inclusive: bool = Field(title="含本数", description="true：以上（≥）；false：超过（>）")
    threshold_text: str = Field(title="比例说明")
    percent: str = Field(title="百分比", description="四舍五入到两位，仅供阅读")
    needed: str = Field(title="至少需要")
    margin: str = Field(title="差额", description="分子减至少需要：≥0 为满足")
    met: bool = Field(title="是否满足")
    why: str = Field(title="说明")
    rule: str = Field(title="法律依据")


class TallyOut(Schema):
    rule_set: RuleSet = Field(title="计票规则", description=choices_help(RuleSet))
    matter: Matter = Field(title="事项类别", description=choices_help(Matter))
    passed: bool = Field(title="是否通过")
    counts: CountsOut
    conditions: list[ConditionOut]
    flags: list[str] = Field(title="提示", description="如表决跨越2021年1月1日须法律审核")
    mixed_heads: int = Field(title="多户意见不一的业主数", description="计为参与、不计为同意")


class BuildingOut(Schema):
    building_id: int = Field(title="楼栋编号")
    name: str = Field(title="楼栋")
    units: int = Field(title="户数")
    voted: int = Field(title="已投户数")
    area: str = Field(title="面积(㎡)", **AREA)
    voted_area: str = Field(title="已投面积(㎡)", **AREA)
    percent_units: str = Field(title="户数参与率(%)")
    percent_area: str = Field(title="面积参与率(%)")


class MyUnitOut(Schema):
    unit_id: int = Field(title="房屋编号")
    label: str = Field(title="房号")
    area: str = Field(title="面积(㎡)", **AREA)
    choice: Choice | None = Field(title="表决意见", description="未投票为空")
    ballot_seq: int | None = Field(title="选票序号")
    ballot_hash: str | None = Field(title="选票哈希", description="“您的选票已计入”的凭据")


class MotionDetailOut(MotionOut):
    assembly_status: AssemblyStatus = Field(title="会议状态", description=choices_help(AssemblyStatus))
    tally: TallyOut | None = Field(title="计票", description="表决中为实时数；计票后为最终结果")
    buildings: list[BuildingOut] = Field(title="分楼栋参与情况")
    my_units: list[MyUnitOut] = Field(title="我可投票的房屋")


class ResultUnitOut(Schema):
    label: str = Field(title="房号")
    area: str = Field(title="面积(㎡)", **AREA)
    area_source: str = Field(title="面积来源")
    choice: Choice | None = Field(title="表决意见", description="未投票为空")


class ResultOut(Schema):
    motion_id: int = Field(title="表决事项编号")
    published_on: dt.date | None = Field(title="公布日期")
    tally: TallyOut
    chain_head: str = Field(title="选票链末哈希")
    chain_length: int = Field(title="选票链长度")
    units: list[ResultUnitOut] = Field(title="各户", description="只列房号和面积，不列姓名（§C 14）")


class BallotChainVerifyOut(Schema):
    ok: bool = Field(title="核验通过")
    length: int = Field(title="选票记录数")
    head: str = Field(title="当前链末哈希")
    published_head: str | None = Field(title="公布的链末哈希")
    bad_seq: int | None = Field(title="第一张不符的选票序号")
    bad_unit_id: int | None = Field(title="不符的房屋编号")
    problem: str = Field(title="问题")


# --- Ballots --------------------------------------------------------------------------------------------


class BallotIn(Input):
    unit_id: ObjectId = Field(title="房屋编号")
    choice: Choice = Field(title="表决意见", description=choices_help(Choice))


class VoidIn(Input):
    reason: Name = Field(title="作废原因", max_length=200)


class PaperBallotIn(Input):
    unit_id: ObjectId = Field(title="房屋编号")
    choice: Choice = Field(title="表决意见", description=choices_help(Choice))
    sheet_no: Text = Field("", title="纸质票编号", max_length=40)
    proxy_name: Text = Field("", title="受托人", max_length=50)
    proxy_note: Text = Field("", title="委托书", max_length=200)


class PaperBallotConfirmIn(Input):
    choice: Choice = Field(title="复核录入的表决意见", description="须与首次录入一致；" + choices_help(Choice))


class RejectIn(Input):
    reason: Name = Field(title="退回原因", max_length=200)


class BallotOut(Schema):
    id: int
    motion_id: int = Field(title="表决事项编号")
    seq: int = Field(title="序号")
    kind: BallotKind = Field(title="类型", description=choices_help(BallotKind))
    unit_id: int = Field(title="房屋编号")
    round: int = Field(title="轮次")
    choice: Choice | None = Field(title="表决意见")
    channel: BallotChannel | None = Field(title="方式", description=choices_help(BallotChannel))
    proxy_name: str = Field(title="受托人")
    sheet_no: str = Field(title="纸质票编号")
    voids_id: int | None = Field(title="作废的选票编号")
    reason: str = Field(title="作废原因")
    at: dt.datetime = Field(title="时间")
    prev_hash: str = Field(title="前一哈希")
    hash: str = Field(title="哈希")


BallotPage = Page[BallotOut]


class PaperBallotOut(Schema):
    id: int
    motion_id: int = Field(title="表决事项编号")
    unit_id: int = Field(title="房屋编号")
    status: PaperStatus = Field(title="状态", description=choices_help(PaperStatus))
    sheet_no: str = Field(title="纸质票编号")
    proxy_name: str = Field(title="受托人")
    entered_by_id: int = Field(title="录入人编号")
    ballot_id: int | None = Field(title="计入的选票编号")


# --- Petitions ------------------------------------------------------------------------------------------


class PetitionListQuery(PageQuery):
    estate: ObjectId | None = Field(None, title="小区编号")


class PetitionCreateIn(Input):
    estate_id: ObjectId = Field(title="小区编号")
    title: Name = Field(title="提议事项", max_length=200)
    reason: Text = Field("", title="理由", max_length=20000)


class PetitionOut(Schema):
    id: int
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    title: str = Field(title="提议事项")
    reason: str = Field(title="理由")
    status: PetitionStatus = Field(title="状态", description=choices_help(PetitionStatus))
    reached_at: dt.datetime | None = Field(title="达到20%时间")


class PetitionDetailOut(PetitionOut):
    signed_heads: int = Field(title="已联名人数")
    total_heads: int = Field(title="总人数")
    needed: int = Field(title="达到20%所需人数", description="总人数的20%（含本数，§E 18）")
    percent: str = Field(title="联名比例(%)")
    reached: bool = Field(title="已达20%")


PetitionPage = Page[PetitionOut]
