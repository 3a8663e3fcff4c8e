"""Owners' assemblies and their votes (业主大会表决): assemblies, motions, the frozen electorate, ballots
in a hash chain, paper ballots under four eyes, and petitions for an extraordinary assembly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import Scope, ScopedQuerySet, path_q, scope_of
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


class VotingQuerySet(ScopedQuerySet):
    """Voting rows hang under their estate: the estate's readers and residents see them (assembly
    notices and results are public to the estate, BJ art. 37). Who may run them is decided by
    ``gongzhi.voting.permissions`` (the services guard with it), not by a queryset."""

    scope_domain = "voting"
    # Assemblies, motions and petitions are also seen from below: a vote held for a whole community
    # (several estates voting together) is a public matter of each of its estates.
    covering = False

    def _covering(self, paths: tuple[str, ...]) -> Q:
        prefixes = {p[: i + 1] for p in paths for i, ch in enumerate(p) if ch == "/" and i > 0}
        return Q(**{f"{self.scope_path}__in": sorted(prefixes)}) if prefixes else Q(pk__in=[])

    def visible_to(self, user: Any) -> VotingQuerySet:
        scope = scope_of(user)
        if scope.everything or not self.covering:
            return super().visible_to(user)
        q = path_q(self.scope_path, scope.read_paths) | self._covering(scope.read_paths + scope.public_paths)
        if scope.public_paths or scope.unit_ids or scope.person_ids:
            q |= self.resident_q(scope)
        return self.filter(q)


class VotingSettings(TimeStampedModel):
    """An estate's voting settings (表决设置), fixed by its assembly's procedural rules (§C 13)."""

    estate = models.OneToOneField(
        "registry.Place", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="voting_settings"
    )
    count_parking = models.BooleanField(
        _("车位计入表决"), default=False, help_text=_("议事规则规定车位是否计入专有面积和人数")
    )

    class Meta:
        verbose_name = _("表决设置")
        verbose_name_plural = _("表决设置")

    def __str__(self) -> str:
        return f"{self.estate}：{'车位计入' if self.count_parking else '车位不计入'}"


class AssemblyQuerySet(VotingQuerySet):
    scope_path = "estate__path"
    covering = True


class Assembly(TimeStampedModel):
    """An owners' assembly (业主大会会议), regular or extraordinary, with its notice and voting period.

    Its agenda is its motions, fixed when the notice is posted: nothing outside the posted agenda is
    voted on, and the notice goes up at least 15 days before voting opens (BJ arts. 35–37, §E 19).
    """

    estate = models.ForeignKey(
        "registry.Place",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="assemblies",
        help_text=_("一个小区；几个小区联合表决时为它们所在的社区"),
    )
    kind = models.CharField(_("会议类型"), max_length=14, choices=AssemblyKind.choices, default=AssemblyKind.REGULAR)
    title = models.CharField(_("会议名称"), max_length=120)
    notice_text = models.TextField(_("会议公告"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=AssemblyStatus.choices, default=AssemblyStatus.DRAFT, db_index=True
    )
    opens_at = models.DateTimeField(_("表决开始"))
    closes_at = models.DateTimeField(_("表决截止"))
    noticed_on = models.DateField(_("公告日期"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("计票时间"), null=True, blank=True)
    published_on = models.DateField(
        _("公布日期"), null=True, blank=True, help_text=_("业主可自知道之日起1年内请求撤销（民法典第280条）")
    )
    petition = models.OneToOneField(
        "Petition",
        verbose_name=_("发起提议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assembly",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AssemblyQuerySet.as_manager()

    class Meta:
        verbose_name = _("业主大会会议")
        verbose_name_plural = _("业主大会会议")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="assembly_closes_after_opens"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == AssemblyStatus.OPEN

    # Workflow guards (draft → noticed → open → closed → published): whether the state allows the act.
    # Who may act is a permission (gongzhi.voting.permissions); these say when.

    def can_set_agenda(self) -> bool:
        """Motions are added before the notice only: nothing is voted outside the posted agenda (§E 19)."""
        return self.status == AssemblyStatus.DRAFT

    def can_post_notice(self) -> bool:
        return self.status == AssemblyStatus.DRAFT

    def can_open(self) -> bool:
        return self.status == AssemblyStatus.NOTICED

    def can_vote(self, now: Any) -> bool:
        """Ballots are taken while the vote is open and within its voting period."""
        return self.status == AssemblyStatus.OPEN and self.opens_at <= now < self.closes_at

    def can_close(self) -> bool:
        return self.status == AssemblyStatus.OPEN

    def is_due(self, now: Any) -> bool:
        """The voting period has ended: the count may be closed."""
        return now >= self.closes_at

    def can_publish(self) -> bool:
        return self.status == AssemblyStatus.CLOSED


class MotionQuerySet(VotingQuerySet):
    scope_path = "assembly__estate__path"
    covering = True


class Motion(TimeStampedModel):
    """One item of an assembly's agenda (表决事项): its matter under 民法典 art. 278 (or a Beijing matter),
    the rule set it is counted by, and optionally a sub-electorate of some buildings (SH art. 69, §B 10).

    Opening the vote freezes its electorate (``ElectorateUnit``); the ballots form a hash chain whose
    head is kept here and published with the result.
    """

    assembly = models.ForeignKey(Assembly, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="motions")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("表决事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    matter = models.CharField(_("事项类别"), max_length=20, choices=Matter.choices)
    rule_set = models.CharField(_("计票规则"), max_length=14, choices=RuleSet.choices, default=RuleSet.CIVIL_CODE)
    buildings = models.ManyToManyField(
        "registry.Place",
        verbose_name=_("表决范围（楼栋）"),
        blank=True,
        related_name="+",
        help_text=_("留空为全体业主；只涉及部分楼栋的事项由这些楼栋的业主表决"),
    )
    excluded_organisations = models.ManyToManyField(
        "registry.Organisation",
        verbose_name=_("不列入名册的产权单位"),
        blank=True,
        related_name="+",
        help_text=_("如直管公房由房管所另行书面决定，其房屋不列入本次表决名册；须写明理由"),
    )
    exclusion_note = models.CharField(_("不列入名册的理由"), max_length=300, blank=True)
    frozen_at = models.DateTimeField(_("名册冻结时间"), null=True, blank=True)
    total_area = models.DecimalField(_("总面积(㎡)"), max_digits=14, decimal_places=2, null=True, blank=True)
    total_heads = models.PositiveIntegerField(_("总人数"), null=True, blank=True)
    total_units = models.PositiveIntegerField(_("总户数"), null=True, blank=True)
    chain_head = models.CharField(_("选票链末哈希"), max_length=64, blank=True)
    chain_length = models.PositiveIntegerField(_("选票链长度"), default=0)
    result = models.JSONField(_("计票结果"), null=True, blank=True)
    passed = models.BooleanField(_("是否通过"), null=True, blank=True)

    objects = MotionQuerySet.as_manager()

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["assembly_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["assembly", "position"], name="motion_unique_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class MotionDocumentQuerySet(VotingQuerySet):
    scope_path = "motion__assembly__estate__path"
    covering = True


class MotionDocument(TimeStampedModel):
    """A document put before the owners with a motion (表决材料): the contract, the budget, the plan."""

    motion = models.ForeignKey(Motion, verbose_name=_("表决事项"), on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))

    objects = MotionDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("表决材料")
        verbose_name_plural = _("表决材料")
        ordering = ["motion_id", "id"]

    def __str__(self) -> str:
        return self.title


class ElectorateQuerySet(VotingQuerySet):
    scope_path = "motion__assembly__estate__path"

    def resident_q(self, scope: Scope) -> Q:
        return Q(unit_id__in=scope.unit_ids)


class ElectorateUnit(models.Model):
    """One unit of a motion's electorate, frozen when the vote opens (表决权登记): its area and the area's
    source (§C 11), its owners then, and the head it counts toward (§C 12). Later changes to the registry
    do not change it; a unit sold during the vote keeps its area and head, and the new owner votes if
    the old one has not (§C 14).

    ``choice`` and ``ballot`` are the unit's live ballot, kept here so that the tally and the
    participation by building are single-table aggregates; ``verify`` checks them against the chain.
    """

    motion = models.ForeignKey(Motion, verbose_name=_("表决事项"), on_delete=models.CASCADE, related_name="electorate")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey("registry.Place", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("房号"), max_length=80)
    use = models.CharField(_("用途"), max_length=12)
    area = models.DecimalField(_("面积(㎡)"), max_digits=10, decimal_places=2)
    area_cents = models.PositiveBigIntegerField(
        _("面积(0.01㎡)"), help_text=_("同一面积以0.01㎡为单位的整数，供精确求和")
    )
    area_source = models.CharField(_("面积来源"), max_length=12, blank=True)
    owner_keys = models.TextField(_("业主"), blank=True, help_text=_("冻结时的业主（p:人员编号, o:单位编号）"))
    developer_unsold = models.BooleanField(_("开发商未售出"), default=False)
    head = models.CharField(_("计票人"), max_length=255, help_text=_("同一计票人的房屋只计一人（§C 12）"))
    head_no = models.PositiveIntegerField(_("计票人序号"))
    shared_head = models.BooleanField(_("多户计一人"), default=False)
    head_lead = models.BooleanField(
        _("代表该计票人"), default=False, help_text=_("每个计票人只有一户为真：人数按这一户的计票人意见计")
    )
    head_state = models.CharField(
        _("计票人意见"),
        max_length=6,
        blank=True,
        help_text=_("代表户上：空=未投，agree=同意，not=未同意，mixed=各户不一"),
    )
    round = models.PositiveSmallIntegerField(_("轮次"), default=0, help_text=_("该户被作废的选票数"))
    choice = models.CharField(_("表决意见"), max_length=10, choices=Choice.choices, blank=True)
    ballot = models.ForeignKey(
        "Ballot", verbose_name=_("有效选票"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ElectorateQuerySet.as_manager()

    class Meta:
        verbose_name = _("表决权登记")
        verbose_name_plural = _("表决权登记")
        ordering = ["motion_id", "label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "unit"], name="electorate_unique_unit"),
            models.CheckConstraint(condition=Q(area__gte=0), name="electorate_area_not_negative"),
        ]
        indexes = [models.Index(fields=["motion", "building"], name="electorate_motion_building")]

    def __str__(self) -> str:
        return f"{self.label}（{self.area}㎡）"


class BallotQuerySet(VotingQuerySet):
    scope_path = "motion__assembly__estate__path"

    def resident_q(self, scope: Scope) -> Q:
        return Q(unit_id__in=scope.unit_ids)

    def visible_to(self, user: Any) -> BallotQuerySet:
        # Residents see the ballots of their own units, not their neighbours' (§C 14: no names, and
        # how a neighbour voted is not the estate's public matter).
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(path_q(self.scope_path, scope.read_paths) | Q(unit_id__in=scope.unit_ids))


class Ballot(models.Model):
    """One entry of a motion's ballot chain (选票): a cast ballot for a unit, or the voiding of one.

    Append-only: a cast ballot is never changed; staff may void it with a reason, which appends a
    ``void`` entry, after which the unit may vote again (in the next ``round``). Each entry's hash
    covers its content and the previous entry's hash, so changing, removing or reordering any entry
    breaks the chain (``gongzhi.voting.chain.verify``). One live ballot per unit is a database
    constraint: (motion, unit, round) is unique among cast entries.
    """

    motion = models.ForeignKey(Motion, verbose_name=_("表决事项"), on_delete=models.PROTECT, related_name="ballots")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=6, choices=BallotKind.choices, default=BallotKind.CAST)
    unit = models.ForeignKey("registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"), default=0, help_text=_("该户此前被作废的选票数"))
    choice = models.CharField(_("表决意见"), max_length=10, choices=Choice.choices, blank=True)
    channel = models.CharField(_("方式"), max_length=8, choices=BallotChannel.choices, blank=True)
    voter_person = models.ForeignKey(
        "registry.Person", verbose_name=_("投票业主"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    proxy_note = models.CharField(_("委托书"), max_length=200, blank=True)
    sheet_no = models.CharField(_("纸质票编号"), max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voids = models.ForeignKey(
        "self", verbose_name=_("作废的选票"), null=True, blank=True, on_delete=models.PROTECT, related_name="voided_by"
    )
    reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = BallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        ordering = ["motion_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "seq"], name="ballot_unique_seq"),
            models.UniqueConstraint(
                fields=["motion", "unit", "round"], condition=Q(kind="cast"), name="ballot_one_per_unit"
            ),
            models.UniqueConstraint(fields=["voids"], condition=Q(kind="void"), name="ballot_voided_once"),
            models.CheckConstraint(
                condition=(Q(kind="cast") & ~Q(choice="") & Q(voids__isnull=True))
                | (Q(kind="void") & Q(voids__isnull=False) & ~Q(reason="")),
                name="ballot_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()}"


class PaperBallotQuerySet(VotingQuerySet):
    scope_path = "motion__assembly__estate__path"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=[])


class PaperBallot(TimeStampedModel):
    """A paper ballot keyed in by one staff member (纸质表决票录入), waiting for a second to key it in again
    (双人复核). Only when both agree does it become a ``Ballot`` in the chain."""

    motion = models.ForeignKey(Motion, verbose_name=_("表决事项"), on_delete=models.CASCADE, related_name="paper")
    unit = models.ForeignKey("registry.Unit", verbose_name=_("房屋"), on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("表决意见"), max_length=10, choices=Choice.choices)
    sheet_no = models.CharField(_("纸质票编号"), max_length=40, blank=True)
    proxy_name = models.CharField(_("受托人"), max_length=50, blank=True)
    proxy_note = models.CharField(_("委托书"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PaperStatus.choices, default=PaperStatus.PENDING)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    ballot = models.OneToOneField(
        Ballot, verbose_name=_("选票"), null=True, blank=True, on_delete=models.PROTECT, related_name="paper"
    )

    objects = PaperBallotQuerySet.as_manager()

    class Meta:
        verbose_name = _("纸质表决票")
        verbose_name_plural = _("纸质表决票")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "unit"], condition=Q(status="pending"), name="paper_ballot_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.get_choice_display()}"

    def can_decide(self) -> bool:
        """A keyed paper ballot is confirmed or sent back once (双人复核)."""
        return self.status == PaperStatus.PENDING


class PetitionQuerySet(VotingQuerySet):
    scope_path = "estate__path"
    covering = True


class Petition(TimeStampedModel):
    """Owners' call for an extraordinary assembly (提议召开临时会议): reached when owners making up ≥ 20 %
    of the heads have signed (BJ art. 36, SH art. 25, §E 18)."""

    estate = models.ForeignKey(
        "registry.Place", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="petitions"
    )
    title = models.CharField(_("提议事项"), max_length=200)
    reason = models.TextField(_("理由"), blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=PetitionStatus.choices, default=PetitionStatus.OPEN)
    reached_at = models.DateTimeField(_("达到20%时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("临时会议提议")
        verbose_name_plural = _("临时会议提议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def can_sign(self) -> bool:
        return self.status != PetitionStatus.CLOSED

    def can_call(self) -> bool:
        """An assembly may be called on it once it has reached 20 % of the heads (§E 18)."""
        return self.status == PetitionStatus.REACHED


class PetitionSignature(models.Model):
    """An owner's signature on a petition (联名签字), once per owner."""

    petition = models.ForeignKey(Petition, verbose_name=_("提议"), on_delete=models.CASCADE, related_name="signatures")
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("签名业主"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签名时间"))

    class Meta:
        verbose_name = _("联名签字")
        verbose_name_plural = _("联名签字")
        constraints = [models.UniqueConstraint(fields=["petition", "person"], name="petition_signature_once")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.person_id}"
