"""Governance bodies (治理主体): Party organisations, residents' committees, owners' committees and
物管会, property companies and their service contracts, departments and alliances."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import ScopedQuerySet, path_q, scope_of
from gongzhi.governance.choices import (
    CommitteeKind,
    CommitteePost,
    CommitteeStatus,
    DepartmentKind,
    PartyOrgKind,
    PartyPost,
    ResidentsCommitteePost,
    ServiceTier,
)
from gongzhi.registry.models import Person, Place


class GovernanceQuerySet(ScopedQuerySet):
    scope_domain = "governance"
    scope_path = "place__path"


class PartyOrganisation(TimeStampedModel):
    """A Party organisation (党组织) in the tree 街道工委 > 社区党委 > 党支部 / 临时党支部 / 党的工作小组 / 党小组.

    ``place`` is the node it serves (the street, a community, an estate); ``committee`` links a
    Party work group posted to an owners' committee (派驻党的工作小组, as at 富南大厦).
    """

    kind = models.CharField(_("类型"), max_length=30, choices=PartyOrgKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级党组织"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    place = models.ForeignKey(Place, verbose_name=_("所在"), on_delete=models.PROTECT, related_name="party_orgs")
    committee = models.ForeignKey(
        "OwnersCommittee",
        verbose_name=_("派驻/建在委员会"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_orgs",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["place__path", "id"]

    def __str__(self) -> str:
        return self.name


class PartyMembership(TimeStampedModel):
    """A Party member's place in an organisation (党员), with the post held."""

    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="party_posts")
    post = models.CharField(_("职务"), max_length=20, choices=PartyPost.choices, default=PartyPost.MEMBER)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织成员")
        verbose_name_plural = _("党组织成员")
        constraints = [models.UniqueConstraint(fields=["organisation", "person"], name="party_membership_unique")]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.person}"


class ResidentsCommittee(TimeStampedModel):
    """A residents' committee (居民委员会, 居委会) of a community."""

    place = models.ForeignKey(
        Place, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="residents_committees"
    )
    name = models.CharField(_("名称"), max_length=100)
    phone = models.CharField(_("办公电话"), max_length=20, blank=True)
    office = models.CharField(_("办公地点"), max_length=120, blank=True)
    term_start = models.DateField(_("本届起始"), null=True, blank=True)
    term_end = models.DateField(_("本届届满"), null=True, blank=True)

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民委员会")
        verbose_name_plural = _("居民委员会")
        ordering = ["place__path"]

    def __str__(self) -> str:
        return self.name


class ResidentsCommitteeMember(TimeStampedModel):
    """A member or staff of a residents' committee (居委会成员、社区工作者)."""

    committee = models.ForeignKey(
        ResidentsCommittee, verbose_name=_("居委会"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="rc_posts")
    post = models.CharField(_("职务"), max_length=12, choices=ResidentsCommitteePost.choices)

    class Meta:
        verbose_name = _("居委会成员")
        verbose_name_plural = _("居委会成员")
        constraints = [models.UniqueConstraint(fields=["committee", "person"], name="rc_member_unique")]

    def __str__(self) -> str:
        return f"{self.committee}: {self.person}"


class CommitteeQuerySet(GovernanceQuerySet):
    scope_path = "estate__path"

    def active(self, on: dt.date | None = None) -> CommitteeQuerySet:
        qs = self.filter(status=CommitteeStatus.ACTIVE)
        if on is not None:
            qs = qs.filter(Q(term_start__isnull=True) | Q(term_start__lte=on)).filter(
                Q(term_end__isnull=True) | Q(term_end__gte=on)
            )
        return qs


class OwnersCommittee(TimeStampedModel):
    """An estate's owners' committee (业主委员会, elected by the owners' assembly) or property
    management committee (物业管理委员会, 物管会, formed by the street office where no owners'
    committee can be formed; BJ arts. 52–59). Composition rules: DOMAIN_RULES.md §E 20–21."""

    kind = models.CharField(_("类型"), max_length=24, choices=CommitteeKind.choices)
    estate = models.ForeignKey(Place, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="committees")
    name = models.CharField(_("名称"), max_length=100)
    term_number = models.PositiveSmallIntegerField(_("届次"), default=1)
    term_start = models.DateField(_("任期起始"), null=True, blank=True)
    term_end = models.DateField(_("任期届满"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=CommitteeStatus.choices, default=CommitteeStatus.ACTIVE)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("业委会/物管会")
        verbose_name_plural = _("业委会/物管会")
        ordering = ["estate__path", "-term_number"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "kind", "term_number"], name="committee_unique_term"),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gt=models.F("term_start")),
                name="committee_term_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(TimeStampedModel):
    """A member of an owners' committee or 物管会, with post, whether they represent the owners and
    whether they are a Party member (composition rules, DOMAIN_RULES.md §E 20–21)."""

    committee = models.ForeignKey(
        OwnersCommittee, verbose_name=_("委员会"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(Person, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="committee_posts")
    post = models.CharField(_("职务"), max_length=12, choices=CommitteePost.choices, default=CommitteePost.MEMBER)
    is_owner_representative = models.BooleanField(_("业主代表"), default=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    from_residents_committee = models.BooleanField(_("来自居委会"), default=False)
    represents = models.CharField(
        _("代表单位"), max_length=60, blank=True, help_text=_("非业主委员所代表的单位，如居委会、产权单位")
    )

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["committee_id", "post", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "person"], name="committee_member_unique")]

    def __str__(self) -> str:
        return f"{self.committee}: {self.person}"


class CompanyQuerySet(GovernanceQuerySet):
    def _q(self, prefixes: tuple[str, ...]) -> Q:
        contracts = ServiceContract.objects.filter(company=OuterRef("pk")).filter(path_q("estate__path", prefixes))
        return path_q("place__path", prefixes) | Q(Exists(contracts))

    def visible_to(self, user):  # noqa: ANN001, ANN201 - same signature as the base
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(self._q(scope.read_paths + scope.public_paths) | Q(pk__in=scope.company_ids))


class PropertyCompany(TimeStampedModel):
    """A property service company (物业服务企业)."""

    name = models.CharField(_("名称"), max_length=120, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("服务电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    place = models.ForeignKey(
        Place,
        verbose_name=_("登记地"),
        on_delete=models.PROTECT,
        related_name="companies",
        help_text=_("在哪个区或街道登记"),
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContractQuerySet(GovernanceQuerySet):
    scope_path = "estate__path"

    def current(self, on: dt.date) -> ContractQuerySet:
        return self.filter(start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on))


class ServiceContract(TimeStampedModel):
    """A property service contract (物业服务合同) between an estate and a company: dates, the fee
    standard in fen per m² per month, and the service tier (物业分类管理标准)."""

    company = models.ForeignKey(
        PropertyCompany, verbose_name=_("物业企业"), on_delete=models.PROTECT, related_name="contracts"
    )
    estate = models.ForeignKey(Place, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="contracts")
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("终止日期"), null=True, blank=True)
    fee_residential_fen = models.PositiveIntegerField(_("住宅物业费(分/㎡·月)"))
    fee_non_residential_fen = models.PositiveIntegerField(_("非住宅物业费(分/㎡·月)"), null=True, blank=True)
    service_tier = models.CharField(
        _("服务等级"), max_length=12, choices=ServiceTier.choices, default=ServiceTier.BASIC
    )
    how_hired = models.CharField(
        _("选聘方式"), max_length=60, blank=True, help_text=_("如：业主大会表决、街道引入、应急物业")
    )

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["estate_id", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="contract_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.estate} — {self.company}"


class SelfManagementQuerySet(GovernanceQuerySet):
    scope_path = "estate__path"

    def current(self, on: dt.date) -> SelfManagementQuerySet:
        return self.filter(qualified=True, since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


class SelfManagement(TimeStampedModel):
    """An estate managed by its owners themselves (业主自管), counted in 物业服务覆盖率 when qualified."""

    estate = models.ForeignKey(Place, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="self_managements")
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)
    qualified = models.BooleanField(_("经认定符合条件"), default=False)

    objects = SelfManagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("业主自管")
        verbose_name_plural = _("业主自管")

    def __str__(self) -> str:
        return f"{self.estate} 自管"


class DepartmentQuerySet(GovernanceQuerySet):
    def visible_to(self, user):  # noqa: ANN001, ANN201 - same signature as the base
        # A district department serves every street under it: whoever sees part of the district sees
        # its departments (a street officer blows the whistle to them, "街道吹哨、部门报到").
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        above = {int(pk) for p in scope.read_paths for pk in p.strip("/").split("/") if pk}
        return self.filter(path_q("place__path", scope.read_paths) | Q(place_id__in=above))


class Department(TimeStampedModel):
    """A district department (区职能部门): 房管局, 城管执法, 市场监管 …, which answers escalations."""

    kind = models.CharField(_("类型"), max_length=16, choices=DepartmentKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey(Place, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="departments")
    phone = models.CharField(_("电话"), max_length=20, blank=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["place_id", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Alliance(TimeStampedModel):
    """A property service alliance (物业服务联盟) of companies working in a street."""

    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey(Place, verbose_name=_("街道"), on_delete=models.PROTECT, related_name="alliances")
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    members = models.ManyToManyField(PropertyCompany, verbose_name=_("成员企业"), related_name="alliances", blank=True)

    objects = GovernanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务联盟")
        verbose_name_plural = _("物业服务联盟")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
