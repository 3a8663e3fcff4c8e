"""The registry (台账): the place tree, units, people, ownership, residency and grids."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.models import TimeStampedModel
from gongzhi.core.scoping import Scope, ScopedQuerySet, path_q
from gongzhi.registry.choices import (
    AreaSource,
    Gender,
    GridKind,
    GridRole,
    OrganisationKind,
    OwnerKind,
    PlaceKind,
    ResidencyKind,
    UnitUse,
)

# The roster's import records live with the roster (registry/roster/) but are this app's table.
from gongzhi.registry.roster.models import RosterImport, RosterImportStatus  # noqa: F401 - registered with the app


def ancestor_ids(path: str) -> list[int]:
    """The ids of the nodes above (and including) the one with this materialized path."""
    return [int(part) for part in path.strip("/").split("/") if part]


class PlaceQuerySet(ScopedQuerySet):
    scope_path = "path"

    def resident_q(self, scope: Scope) -> Q:
        # A resident sees their estate, everything in it, and the names of the nodes above it.
        above = {pk for p in scope.public_paths for pk in ancestor_ids(p)}
        return path_q("path", scope.public_paths) | Q(pk__in=above)

    def estates(self) -> PlaceQuerySet:
        return self.filter(kind=PlaceKind.ESTATE)


class Place(TimeStampedModel):
    """A node of the place tree (地点): city 市 > district 区 > street 街道 > community 社区 > estate 小区
    > building 楼栋 > entrance 单元. ``path`` is the chain of ids from the root ("/1/4/17/"), so
    "everything under X" is one indexed prefix query."""

    kind = models.CharField(_("层级"), max_length=12, choices=PlaceKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    sort_key = models.CharField(_("排序"), max_length=40, blank=True, help_text=_("同级排序用，如楼号补零"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    is_old = models.BooleanField(_("老旧楼房/小区"), default=False)
    households_declared = models.PositiveIntegerField(
        _("公布户数"), null=True, blank=True, help_text=_("公开材料中的户数，用于与台账核对")
    )
    note = models.TextField(_("备注"), blank=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "kind", "name"], name="place_unique_name_under_parent"),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="place_kind_path")]

    def __str__(self) -> str:
        return self.name

    def is_under(self, other: Place) -> bool:
        return self.path.startswith(other.path)


class OrganisationQuerySet(ScopedQuerySet):
    scope_path = "place__path"

    def _q(self, prefixes: tuple[str, ...]) -> Q:
        holds = Ownership.objects.filter(organisation=OuterRef("pk")).filter(path_q("unit__path", prefixes))
        return path_q("place__path", prefixes) | Q(Exists(holds))

    def visible_to(self, user):  # noqa: ANN001, ANN201 - same signature as the base
        from gongzhi.core.scoping import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(self._q(scope.read_paths + scope.public_paths))


class Organisation(TimeStampedModel):
    """An organisation that owns units (业主单位): a rights unit 产权单位, the developer 开发建设单位, or another."""

    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    place = models.ForeignKey(
        Place,
        verbose_name=_("登记地"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("登记在哪一级（区、街道或小区）"),
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("业主单位")
        verbose_name_plural = _("业主单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(ScopedQuerySet):
    scope_path = "path"

    def resident_q(self, scope: Scope) -> Q:
        return Q(pk__in=scope.unit_ids)


class Unit(TimeStampedModel):
    """An exclusive part (专有部分, 户): a home, shop, office or parking space, with its area.

    ``path`` is the path of the building or entrance it belongs to, so units are scoped by the
    same prefix query as places. ``area`` is chosen from the three recorded areas by
    DOMAIN_RULES.md §C 11 and ``area_source`` says which.
    """

    estate = models.ForeignKey(Place, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="estate_units")
    building = models.ForeignKey(Place, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="building_units")
    entrance = models.ForeignKey(
        Place, verbose_name=_("单元"), null=True, blank=True, on_delete=models.PROTECT, related_name="entrance_units"
    )
    path = models.CharField(_("路径"), max_length=255, db_index=True, editable=False)
    number = models.CharField(_("房号"), max_length=30)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    use = models.CharField(_("用途"), max_length=12, choices=UnitUse.choices, default=UnitUse.RESIDENTIAL)
    registered_area = models.DecimalField(_("登记面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    surveyed_area = models.DecimalField(_("实测面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    contract_area = models.DecimalField(_("合同面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    area = models.DecimalField(_("计算面积(㎡)"), max_digits=10, decimal_places=2, null=True, blank=True)
    area_source = models.CharField(_("面积来源"), max_length=12, choices=AreaSource.choices, blank=True)
    developer_unsold = models.BooleanField(_("开发商未售出"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("房屋（专有部分）")
        verbose_name_plural = _("房屋（专有部分）")
        ordering = ["path", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["entrance", "number"], condition=Q(entrance__isnull=False), name="unit_unique_in_entrance"
            ),
            models.UniqueConstraint(
                fields=["building", "number"], condition=Q(entrance__isnull=True), name="unit_unique_in_building"
            ),
            models.CheckConstraint(condition=Q(area__isnull=True) | Q(area__gt=0), name="unit_area_positive"),
        ]
        indexes = [
            models.Index(fields=["estate", "use"], name="unit_estate_use"),
            # the unit lists page by (path, number, id) and scope by a path prefix: a walk of this
            # index from the prefix reads only the page's rows (issue 14 §4)
            models.Index(fields=["path", "number", "id"], name="unit_path_number_id"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Written the way people say it: 3号楼2单元301."""
        parts = [self.building.name]
        if self.entrance_id:
            parts.append(self.entrance.name)
        parts.append(self.number)
        return "".join(parts)


class PersonQuerySet(ScopedQuerySet):
    scope_path = "place__path"

    def _q(self, prefixes: tuple[str, ...]) -> Q:
        # Only current ownership and residency bring a person into an estate's scope: someone who
        # moved away years ago is no business of their old estate's staff.
        # Each part as IN (a subquery the database runs once and hashes) rather than a join or an
        # EXISTS per person: testing a row is then a lookup, so a list can walk person_name_id in
        # order, and a count of a community's people does not probe every person of the city.
        units = Unit.objects.filter(path_q("path", prefixes)).values("pk")
        owns = Ownership.objects.filter(until__isnull=True, unit_id__in=units).values("person_id")
        lives = Residency.objects.filter(until__isnull=True, unit_id__in=units).values("person_id")
        places = Place.objects.filter(path_q("path", prefixes)).values("pk")
        return Q(place_id__in=places) | Q(pk__in=owns) | Q(pk__in=lives)

    def visible_to(self, user):  # noqa: ANN001, ANN201 - same signature as the base
        from gongzhi.core.scoping import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(self._q(scope.read_paths) | Q(pk__in=scope.person_ids))

    def editable_by(self, user):  # noqa: ANN001, ANN201
        from gongzhi.core.scoping import scope_of

        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(self._q(scope.write_paths.get("registry", ())))


class Person(TimeStampedModel):
    """A natural person in the registry (人员): owner, resident, committee member, staff.

    Phone and ID numbers are stored whole and shown masked except to roles that need them
    (DOMAIN_RULES.md §I 31); every unmasked read is audited.
    """

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20, blank=True, db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    place = models.ForeignKey(
        Place,
        verbose_name=_("登记地"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("此人登记在哪个小区或社区"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="person_unique_id_number"),
        ]
        # The people list pages by (name, id) (issue 14 §4): one index in that order for the whole
        # visible set, one per registration place for a list narrowed to a place.
        indexes = [
            models.Index(fields=["name", "id"], name="person_name_id"),
            models.Index(fields=["place", "name", "id"], name="person_place_name_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def scope_paths(self) -> list[str]:
        """The place paths this person belongs to: where they are registered and the units they own or
        live in now (who covers any of them covers the person, as ``PersonQuerySet`` says)."""
        current = Q(person=self, until__isnull=True)
        units = Unit.objects.filter(
            Q(pk__in=Ownership.objects.filter(current).values("unit_id"))
            | Q(pk__in=Residency.objects.filter(current).values("unit_id"))
        )
        return [self.place.path, *units.values_list("path", flat=True)]


class UnitScopedQuerySet(ScopedQuerySet):
    scope_path = "unit__path"

    def resident_q(self, scope: Scope) -> Q:
        # a resident sees who owns and lives in their unit now, not its former occupants
        return Q(unit_id__in=scope.unit_ids, until__isnull=True)

    def current(self) -> UnitScopedQuerySet:
        return self.filter(until__isnull=True)


class Ownership(TimeStampedModel):
    """Who owns a unit (产权), from when to when: a person, or an organisation (产权单位, developer).

    Several current rows for one unit are co-owners (共有). Ownership is kept apart from residency:
    the owner may not live there, and tenants are not owners.
    """

    unit = models.ForeignKey(Unit, verbose_name=_("房屋"), on_delete=models.CASCADE, related_name="ownerships")
    owner_kind = models.CharField(_("业主类型"), max_length=14, choices=OwnerKind.choices, default=OwnerKind.PERSON)
    person = models.ForeignKey(
        Person, verbose_name=_("业主"), null=True, blank=True, on_delete=models.PROTECT, related_name="ownerships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("业主单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ownerships",
    )
    share = models.CharField(_("共有份额"), max_length=20, blank=True, help_text=_("如 1/2；留空为共同共有或单独所有"))
    since = models.DateField(_("取得日期"), null=True, blank=True)
    until = models.DateField(_("转出日期"), null=True, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("产权")
        verbose_name_plural = _("产权")
        ordering = ["unit_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_kind="person", person__isnull=False, organisation__isnull=True))
                | (Q(owner_kind="organisation", person__isnull=True, organisation__isnull=False)),
                name="ownership_one_owner",
            ),
        ]

    def can_end(self) -> bool:
        """Still current: only a current row can be ended (转出 / 迁出)."""
        return self.until is None

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.owner_name}"

    @property
    def owner_name(self) -> str:
        return self.person.name if self.person_id else self.organisation.name


class Residency(TimeStampedModel):
    """Who lives in a unit (居住): owner-occupier, tenant or family member, from when to when."""

    unit = models.ForeignKey(Unit, verbose_name=_("房屋"), on_delete=models.CASCADE, related_name="residencies")
    person = models.ForeignKey(Person, verbose_name=_("居民"), on_delete=models.PROTECT, related_name="residencies")
    kind = models.CharField(_("居住类型"), max_length=16, choices=ResidencyKind.choices)
    since = models.DateField(_("入住日期"), null=True, blank=True)
    until = models.DateField(_("迁出日期"), null=True, blank=True)

    objects = UnitScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("居住")
        verbose_name_plural = _("居住")
        ordering = ["unit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"], condition=Q(until__isnull=True), name="residency_one_current"
            ),
        ]

    def can_end(self) -> bool:
        """Still current: only a current row can be ended (转出 / 迁出)."""
        return self.until is None

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit_id}"


class GridQuerySet(ScopedQuerySet):
    scope_path = "place__path"


class Grid(TimeStampedModel):
    """A grid (网格), micro-grid (微网格) or building group (楼组): a set of buildings or entrances that
    one team of grid workers, building-group leaders and Party members looks after."""

    kind = models.CharField(_("类型"), max_length=16, choices=GridKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    place = models.ForeignKey(Place, verbose_name=_("所属"), on_delete=models.PROTECT, related_name="grids")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级网格"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    places = models.ManyToManyField(Place, verbose_name=_("覆盖楼栋/单元"), related_name="in_grids", blank=True)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["place_id", "name"]
        constraints = [models.UniqueConstraint(fields=["place", "kind", "name"], name="grid_unique_name")]

    def __str__(self) -> str:
        return self.name


class GridAssignmentQuerySet(ScopedQuerySet):
    scope_path = "grid__place__path"


class GridAssignment(TimeStampedModel):
    """A person's duty in a grid: grid worker 网格员, building-group leader 楼组长, Party member 党员包楼."""

    grid = models.ForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="grid_duties")
    role = models.CharField(_("职责"), max_length=24, choices=GridRole.choices)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    objects = GridAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格职责")
        verbose_name_plural = _("网格职责")
        constraints = [models.UniqueConstraint(fields=["grid", "person", "role"], name="grid_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.grid}: {self.person} ({self.get_role_display()})"
