"""Input and output schemas of the registry API: one in and one out per endpoint, no logic.

Areas travel as decimal strings ("60.50"), never as floats (DOMAIN_RULES.md §A 2).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import (
    Day,
    Int,
    Name,
    ObjectId,
    Page,
    PageQuery,
    Text,
    choices_help,
    model_field,
)
from gongzhi.registry.choices import (
    AreaSource,
    Gender,
    GridKind,
    OrganisationKind,
    OwnerKind,
    PlaceKind,
    ResidencyKind,
    UnitUse,
)
from gongzhi.registry.models import Grid, Ownership, Person, Place, Residency, Unit

# An area as people enter it: at most 8 whole digits and 2 decimals, more than zero (Unit.area's column).
AreaIn = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2, allow_inf_nan=False)]
AREA_OUT = {"pattern": r"^\d{1,8}\.\d{2}$", "description": '面积（㎡），两位小数的十进制字符串，如 "60.50"'}


class Input(Schema):
    """Input schemas refuse fields they do not know, so a misspelt or read-only field is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Places ---------------------------------------------------------------------------------------


class PlaceListQuery(PageQuery):
    kind: PlaceKind | None = Field(None, title="层级", description=choices_help(PlaceKind))
    parent: ObjectId | None = Field(None, title="上级地点编号")
    q: Text | None = Field(None, max_length=100, title="名称包含")


class PlaceOut(Schema):
    id: int
    kind: PlaceKind = Field(title="层级", description=choices_help(PlaceKind))
    kind_label: str = Field(title="层级名称")
    name: str = Field(title="名称")
    parent_id: int | None = Field(title="上级地点编号")
    path: str = Field(title="路径", description="从根到本节点的编号链，如 /1/4/17/")
    depth: int = Field(title="深度")
    sort_key: str = Field(title="排序")
    address: str = Field(title="地址")
    built_year: int | None = Field(title="建成年份")
    is_old: bool = Field(title="老旧楼房/小区")
    households_declared: int | None = Field(title="公布户数")
    note: str = Field(title="备注")

    @staticmethod
    def resolve_kind_label(obj: Place) -> str:
        return str(obj.get_kind_display())


class PlacePage(Page[PlaceOut]):
    """One page of PlaceOut rows with the total (a named schema so OpenAPI shows it by name)."""


class PlaceCreateIn(Input):
    kind: PlaceKind = Field(title="层级", description=choices_help(PlaceKind))
    name: Name = model_field(Place, "name")
    parent_id: ObjectId | None = Field(None, title="上级地点编号", description="只有市级节点没有上级")
    sort_key: Text = model_field(Place, "sort_key", default="")
    address: Text = model_field(Place, "address", default="")
    built_year: Int | None = model_field(Place, "built_year", default=None)
    is_old: bool = model_field(Place, "is_old", default=False)
    households_declared: Int | None = model_field(Place, "households_declared", default=None)
    note: Text = Field("", title="备注", max_length=2000)


class PlaceUpdateIn(Input):
    """Only the fields sent are changed; the place's position in the tree never moves."""

    name: Name = model_field(Place, "name", default=None)
    sort_key: Text = model_field(Place, "sort_key", default=None)
    address: Text = model_field(Place, "address", default=None)
    built_year: Int | None = model_field(Place, "built_year", default=None)
    is_old: bool = model_field(Place, "is_old", default=None)
    households_declared: Int | None = model_field(Place, "households_declared", default=None)
    note: Text = Field(None, title="备注", max_length=2000)


# --- Keyset paging (issue 14 §4) -------------------------------------------------------------------


class KeysetQuery(PageQuery):
    """Paging by key: pass the previous page's ``next`` as ``after``; as fast on page 1,000 as on page 1."""

    after: Text | None = Field(
        None,
        max_length=400,
        title="从此之后",
        description="上一页返回的 next：从上一页最后一行之后接着取（按键翻页，翻得再深也一样快）；不填：第一页。",
    )


class KeysetPageFields(Schema):
    """What a keyset page adds to ``Page``: ``total`` is exact up to 10,000; beyond it ``more`` is true."""

    more: bool = Field(title="总数超过 10,000", description="true：total 只数到 10,000，实际更多（页面显示“10,000+”）")
    next: str | None = Field(title="下一页", description="作为 after 传回取下一页；null：已是最后一页")


# --- Units ----------------------------------------------------------------------------------------


class UnitListQuery(KeysetQuery):
    estate: ObjectId | None = Field(None, title="小区编号")
    building: ObjectId | None = Field(None, title="楼栋编号")
    use: UnitUse | None = Field(None, title="用途", description=choices_help(UnitUse))
    q: Text | None = Field(None, max_length=30, title="房号包含")


class PlaceUnitsQuery(KeysetQuery):
    use: UnitUse | None = Field(None, title="用途", description=choices_help(UnitUse))


class UnitOut(Schema):
    id: int
    label: str = Field(title="房屋", description="如 1号楼1单元101")
    estate_id: int = Field(title="小区编号")
    building_id: int = Field(title="楼栋编号")
    entrance_id: int | None = Field(title="单元编号")
    number: str = Field(title="房号")
    floor: int | None = Field(title="楼层")
    use: UnitUse = Field(title="用途", description=choices_help(UnitUse))
    registered_area: str | None = Field(title="登记面积(㎡)", **AREA_OUT)
    surveyed_area: str | None = Field(title="实测面积(㎡)", **AREA_OUT)
    contract_area: str | None = Field(title="合同面积(㎡)", **AREA_OUT)
    area: str | None = Field(title="计算面积(㎡)", **AREA_OUT)
    area_source: AreaSource | None = Field(
        title="面积来源", description=f"只读，按登记、实测、合同的顺序取第一个已知面积：{choices_help(AreaSource)}"
    )
    developer_unsold: bool = Field(title="开发商未售出")
    note: str = Field(title="备注")

    @staticmethod
    def resolve_registered_area(obj: Unit) -> str | None:
        return _area(obj.registered_area)

    @staticmethod
    def resolve_surveyed_area(obj: Unit) -> str | None:
        return _area(obj.surveyed_area)

    @staticmethod
    def resolve_contract_area(obj: Unit) -> str | None:
        return _area(obj.contract_area)

    @staticmethod
    def resolve_area(obj: Unit) -> str | None:
        return _area(obj.area)

    @staticmethod
    def resolve_area_source(obj: Unit) -> str | None:
        return obj.area_source or None


def _area(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


class UnitPage(Page[UnitOut], KeysetPageFields):
    """One page of UnitOut rows in (path, number, id) order, with the total counted up to 10,000 and
    the ``next`` cursor (a named schema so OpenAPI shows it by name)."""


class UnitCreateIn(Input):
    building_id: ObjectId = Field(title="楼栋编号")
    entrance_id: ObjectId | None = Field(None, title="单元编号", description="楼栋分单元时填写")
    number: Name = model_field(Unit, "number")
    floor: Int | None = model_field(Unit, "floor", default=None)
    use: UnitUse = Field(UnitUse.RESIDENTIAL, title="用途", description=choices_help(UnitUse))
    registered_area: AreaIn | None = Field(None, title="登记面积(㎡)", description='十进制字符串，如 "60.50"')
    surveyed_area: AreaIn | None = Field(None, title="实测面积(㎡)", description='十进制字符串，如 "60.50"')
    contract_area: AreaIn | None = Field(None, title="合同面积(㎡)", description='十进制字符串，如 "60.50"')
    developer_unsold: bool = model_field(Unit, "developer_unsold", default=False)
    note: Text = model_field(Unit, "note", default="")


class UnitUpdateIn(Input):
    """Only the fields sent are changed; ``area`` and ``area_source`` follow from the three areas."""

    number: Name = model_field(Unit, "number", default=None)
    floor: Int | None = model_field(Unit, "floor", default=None)
    use: UnitUse = Field(None, title="用途", description=choices_help(UnitUse))
    registered_area: AreaIn | None = Field(None, title="登记面积(㎡)", description="十进制字符串；null 表示清除")
    surveyed_area: AreaIn | None = Field(None, title="实测面积(㎡)", description="十进制字符串；null 表示清除")
    contract_area: AreaIn | None = Field(None, title="合同面积(㎡)", description="十进制字符串；null 表示清除")
    developer_unsold: bool = model_field(Unit, "developer_unsold", default=None)
    note: Text = model_field(Unit, "note", default=None)


# --- People ---------------------------------------------------------------------------------------


REVEAL_HELP = (
    "true：返回完整的手机号和身份证号（只限可查看完整号码的角色，如街道、社区工作人员；每次都写入审计记录）；"
    "其他角色返回 403 registry.reveal_contact。不填：号码打码，与页面相同（138****1234）。"
)


class RevealQuery(Schema):
    """The explicit, audited request for whole phone and ID numbers (DOMAIN_RULES.md §I 31)."""

    reveal: bool = Field(False, title="显示完整号码（留痕）", description=REVEAL_HELP)


class PersonListQuery(KeysetQuery, RevealQuery):
    place: ObjectId | None = Field(None, title="登记地编号", description="此地点及其下级")
    q: Text | None = Field(None, max_length=50, title="姓名包含")


class PersonOut(Schema):
    """Phone and ID numbers are masked (138****1234) unless the caller asked for them whole (``reveal``)
    and their roles may see them."""

    id: int
    name: str = Field(title="姓名")
    place_id: int = Field(title="登记地编号")
    phone: str = Field(title="手机号")
    phone_masked: bool = Field(title="手机号已打码")
    id_number: str = Field(title="身份证号")
    id_number_masked: bool = Field(title="身份证号已打码")
    gender: Gender = Field(title="性别", description=choices_help(Gender))
    birth_date: Day | None = Field(title="出生日期", description="出生日期可由身份证号推出：只随完整身份证号返回")
    is_party_member: bool = Field(title="党员")
    note: str = Field(title="备注")


class PersonPage(Page[PersonOut], KeysetPageFields):
    """One page of PersonOut rows in (name, id) order, with the total counted up to 10,000 and the
    ``next`` cursor (a named schema so OpenAPI shows it by name)."""


class PersonUnmaskedOut(Schema):
    """The whole phone and ID numbers, as far as the caller's roles allow; each read is audited."""

    id: int
    name: str = Field(title="姓名")
    phone: str = Field(title="手机号")
    phone_masked: bool = Field(title="手机号已打码")
    id_number: str = Field(title="身份证号")
    id_number_masked: bool = Field(title="身份证号已打码")


class PersonCreateIn(Input):
    name: Name = model_field(Person, "name")
    place_id: ObjectId = Field(title="登记地编号", description="此人登记在哪个小区或社区")
    phone: Text = model_field(Person, "phone", default="")
    id_number: Text = model_field(Person, "id_number", default="")
    gender: Gender = Field(Gender.UNKNOWN, title="性别", description=choices_help(Gender))
    birth_date: Day | None = Field(None, title="出生日期", description="不填时从身份证号推出")
    is_party_member: bool = model_field(Person, "is_party_member", default=False)
    note: Text = model_field(Person, "note", default="")


class PersonUpdateIn(Input):
    """Only the fields sent are changed."""

    name: Name = model_field(Person, "name", default=None)
    phone: Text = model_field(Person, "phone", default=None)
    id_number: Text = model_field(Person, "id_number", default=None)
    gender: Gender = Field(None, title="性别", description=choices_help(Gender))
    birth_date: Day | None = Field(None, title="出生日期")
    is_party_member: bool = model_field(Person, "is_party_member", default=None)
    note: Text = model_field(Person, "note", default=None)


# --- Ownership and residency ----------------------------------------------------------------------


class OwnershipListQuery(PageQuery):
    current: bool | None = Field(None, title="只看当前", description="true：仅当前产权；false：仅已转出；不填：全部")


class OwnershipOut(Schema):
    id: int
    unit_id: int = Field(title="房屋编号")
    owner_kind: OwnerKind = Field(title="业主类型", description=choices_help(OwnerKind))
    owner_name: str = Field(title="业主名称")
    person_id: int | None = Field(title="业主（个人）编号")
    organisation_id: int | None = Field(title="业主单位编号")
    share: str = Field(title="共有份额")
    since: Day | None = Field(title="取得日期")
    until: Day | None = Field(title="转出日期")


class OwnershipPage(Page[OwnershipOut]):
    """One page of OwnershipOut rows with the total (a named schema so OpenAPI shows it by name)."""


class OwnershipCreateIn(Input):
    """Exactly one of ``person_id`` and ``organisation_id``."""

    person_id: ObjectId | None = Field(None, title="业主（个人）编号")
    organisation_id: ObjectId | None = Field(None, title="业主单位编号")
    share: Text = model_field(Ownership, "share", default="")
    since: Day | None = Field(None, title="取得日期")


class OwnershipEndIn(Input):
    until: Day = Field(title="转出日期")


class ResidencyListQuery(PageQuery):
    current: bool | None = Field(None, title="只看当前", description="true：仅当前居住；false：仅已迁出；不填：全部")


class ResidencyOut(Schema):
    id: int
    unit_id: int = Field(title="房屋编号")
    person_id: int = Field(title="居民编号")
    person_name: str = Field(title="居民姓名")
    kind: ResidencyKind = Field(title="居住类型", description=choices_help(ResidencyKind))
    since: Day | None = Field(title="入住日期")
    until: Day | None = Field(title="迁出日期")

    @staticmethod
    def resolve_person_name(obj: Residency) -> str:
        return obj.person.name


class ResidencyPage(Page[ResidencyOut]):
    """One page of ResidencyOut rows with the total (a named schema so OpenAPI shows it by name)."""


class ResidencyCreateIn(Input):
    person_id: ObjectId = Field(title="居民编号")
    kind: ResidencyKind = Field(title="居住类型", description=choices_help(ResidencyKind))
    since: Day | None = Field(None, title="入住日期")


# --- Organisations and grids ----------------------------------------------------------------------


class OrganisationListQuery(PageQuery, RevealQuery):
    kind: OrganisationKind | None = Field(None, title="类型", description=choices_help(OrganisationKind))
    q: Text | None = Field(None, max_length=120, title="名称包含")


class OrganisationOut(Schema):
    id: int
    kind: OrganisationKind = Field(title="类型", description=choices_help(OrganisationKind))
    name: str = Field(title="名称")
    credit_code: str = Field(title="统一社会信用代码")
    contact_name: str = Field(title="联系人")
    contact_phone: str = Field(title="联系电话", description="默认打码（138****1234），完整号码见 reveal")
    contact_phone_masked: bool = Field(title="联系电话已打码")
    place_id: int = Field(title="登记地编号")


class OrganisationPage(Page[OrganisationOut]):
    """One page of OrganisationOut rows with the total (a named schema so OpenAPI shows it by name)."""


class GridListQuery(PageQuery):
    kind: GridKind | None = Field(None, title="类型", description=choices_help(GridKind))
    place: ObjectId | None = Field(None, title="所属地点编号", description="此地点及其下级")


class GridOut(Schema):
    id: int
    kind: GridKind = Field(title="类型", description=choices_help(GridKind))
    name: str = Field(title="名称")
    place_id: int = Field(title="所属地点编号")
    parent_id: int | None = Field(title="上级网格编号")
    place_ids: list[int] = Field(title="覆盖楼栋/单元编号")

    @staticmethod
    def resolve_place_ids(obj: Grid) -> list[int]:
        return [p.pk for p in obj.places.all()]


class GridPage(Page[GridOut]):
    """One page of GridOut rows with the total (a named schema so OpenAPI shows it by name)."""


# --- Roster import (the upload page's form; the file itself comes as a multipart upload) ---------------


class RosterImportIn(Input):
    estate: ObjectId = Field(title="小区", description="导入到哪个小区（您可以修改其台账的小区）")
