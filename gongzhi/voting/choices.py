from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.voting import rules


class Matter(models.TextChoices):
    """What a motion decides: 民法典 art. 278 items 1–9 and Beijing's extra matters (DOMAIN_RULES.md §B 4, 9)."""

    RULES = rules.RULES, _("（一）制定和修改业主大会议事规则")
    COVENANT = rules.COVENANT, _("（二）制定和修改管理规约")
    COMMITTEE = rules.COMMITTEE, _("（三）选举或更换业主委员会成员")
    MANAGER = rules.MANAGER, _("（四）选聘和解聘物业服务企业或其他管理人")
    FUND_USE = rules.FUND_USE, _("（五）使用维修资金")
    FUND_RAISE = rules.FUND_RAISE, _("（六）筹集维修资金")
    REBUILD = rules.REBUILD, _("（七）改建、重建建筑物及其附属设施")
    COMMON_USE = rules.COMMON_USE, _("（八）改变共有部分用途或利用共有部分经营")
    OTHER = rules.OTHER, _("（九）其他重大事项")
    BJ_SERVICE_PRICE = rules.BJ_SERVICE_PRICE, _("北京：物业服务内容、标准和价格")
    BJ_COMMON_INCOME = rules.BJ_COMMON_INCOME, _("北京：共有部分经营及收益使用")
    BJ_ALLOWANCE = rules.BJ_ALLOWANCE, _("北京：业主委员会委员津贴")
    BJ_AUDIT = rules.BJ_AUDIT, _("北京：业主委员会主任经济责任审计")
    BJ_OVERTURN = rules.BJ_OVERTURN, _("北京：撤销业主委员会的决定")


class RuleSet(models.TextChoices):
    CIVIL_CODE = rules.CIVIL_CODE, _("民法典第278条（2021年1月1日起）")
    PROPERTY_LAW = rules.PROPERTY_LAW, _("物权法第76条（2021年前的表决）")


class AssemblyKind(models.TextChoices):
    REGULAR = "regular", _("定期会议")
    EXTRAORDINARY = "extraordinary", _("临时会议")


class AssemblyStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    NOTICED = "noticed", _("已公告")
    OPEN = "open", _("表决中")
    CLOSED = "closed", _("已计票")
    PUBLISHED = "published", _("已公布")


class Choice(models.TextChoices):
    AGREE = "agree", _("同意")
    DISAGREE = "disagree", _("不同意")
    ABSTAIN = "abstain", _("弃权")


class BallotKind(models.TextChoices):
    CAST = "cast", _("投票")
    VOID = "void", _("作废")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("网上投票")
    PAPER = "paper", _("纸质表决票")


class PaperStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    CONFIRMED = "confirmed", _("已复核计入")
    REJECTED = "rejected", _("已退回")


class PetitionStatus(models.TextChoices):
    OPEN = "open", _("征集中")
    REACHED = "reached", _("已达20%")
    CLOSED = "closed", _("已结束")
