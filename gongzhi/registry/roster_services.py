"""Importing and exporting the Excel roster (台账导入、导出).

An import runs in two steps. First every row is checked on its own and against the other rows
(``roster.check_workbook``, no database), then against what the registry already holds. If any
check fails nothing is written and the import's ``errors`` list every problem by Excel row and
column. Otherwise everything is written in ONE transaction with bulk inserts, and ONE audit row
summarises the import. Buildings and entrances, which are few, go through ``services.place_create``
(and organisations through ``services.organisation_create``) so their paths and audit rows are
the registry's own.

Units the registry already has (same building, entrance and number): the file may repeat what
the registry says and fill in what it leaves blank (floor, areas, note, a share, a phone number),
but never contradict it. A differing use or area, a different owner, or a resident recorded with
another residency kind is an error: such changes are made on the unit's page, one audited change
at a time, not by a bulk upload. Current owners and residents are never removed by an import.

People the registry already has are found by ID number (and, for a unit already in the registry,
by name among that unit's owners and residents); a name or phone number that differs from the
registry's is an error rather than an overwrite. Organisations are found by name at the estate or
above; one whose kind (产权单位, 开发建设单位, 其他单位) differs from the file's is an error too.

A unit the import gives to the developer (开发建设单位) as its only owner is marked
``developer_unsold``: the developer's unsold units together count as one owner (DOMAIN_RULES.md §C 12).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Forbidden, invalid
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import scope_of
from gongzhi.registry import roster, rules, services
from gongzhi.registry.choices import OrganisationKind, OwnerKind, PlaceKind, ResidencyKind
from gongzhi.registry.errors import RegistryError
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Residency, Unit, ancestor_ids
from gongzhi.registry.models_roster import RosterImport, RosterImportStatus
from gongzhi.registry.permissions import can_export_roster, can_import_roster
from gongzhi.registry.roster import RosterFileError, RosterPlan, RowError, UnitPlan

logger = logging.getLogger(__name__)

# Files with more data rows than this run in the background worker (tasks.roster_import_task).
INLINE_MAX_ROWS = 500
ROSTER_JOB = "registry.roster_import"  # its core.jobs lease
BATCH = 500

NAME_COLUMN = "业主姓名/单位名称"
UNIT_FIELDS = {
    "floor": "floor",
    "use": "use",
    "registered_area": "registered_area",
    "surveyed_area": "surveyed_area",
    "contract_area": "contract_area",
    "note": "note",
}


class _Rejected(Exception):
    def __init__(self, errors: list[RowError], letters: dict[str, str] | None = None) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors
        self.letters = letters or {}


# ---------------------------------------------------------------------------------------------
# Creating and running an import


def roster_import_create(*, estate: Place, file_name: str, content: bytes, actor: Any) -> RosterImport:
    """Record an uploaded roster (台账导入) for ``estate``, queued to be checked and imported.

    Refused (``Forbidden``) unless the actor may import the estate's roster; ``Invalid`` for a place
    that is no estate or a file name longer than the column; ``roster.RosterFileError`` (with a
    message for the upload form) when the file is no workbook.
    """
    can_import_roster.require(actor, estate)
    if estate.kind != PlaceKind.ESTATE:
        raise invalid("estate", "小区：台账只能导入到小区", code=RegistryError.NOT_AN_ESTATE)
    file_name = file_name or "台账.xlsx"
    limit = RosterImport._meta.get_field("file_name").max_length
    if len(file_name) > limit:
        raise invalid("file", f"文件：文件名最多 {limit} 个字符，请改短后再上传", code=RegistryError.ROSTER_FILE)
    rows, recorded = roster.iter_sheet_rows(content)  # opens the workbook: refuses what is not one
    if recorded is None:
        recorded = sum(1 for _ in rows)
    return RosterImport.objects.create(
        estate=estate,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=file_name,
        content=content,
        status=RosterImportStatus.QUEUED,
        total_rows=max(0, recorded - 1),  # the sheet's size less the header; corrected once read
    )


def roster_import_runs_inline(roster_import: RosterImport) -> bool:
    """Small files are imported while the user waits; larger ones go to the background worker."""
    return roster_import.total_rows <= INLINE_MAX_ROWS


def roster_import_run(*, roster_import: RosterImport, actor: Any) -> RosterImport:
    """Check and import a queued roster. Idempotent: an import already started or finished is
    returned as it is. Never raises for bad data; the outcome is on the returned row."""
    now = timezone.now()
    claimed = RosterImport.objects.filter(pk=roster_import.pk, status=RosterImportStatus.QUEUED).update(
        status=RosterImportStatus.VALIDATING, started_at=now, processed_rows=0, updated_at=now
    )
    roster_import.refresh_from_db()
    if not claimed:
        return roster_import
    lease = jobs.lease(ROSTER_JOB, roster_import.pk).start()  # a dead worker's run is re-queued (core.jobs)
    try:
        can_import_roster.require(actor, roster_import.estate)
        plan, errors = _check_file(roster_import)
        if errors:
            raise _Rejected(errors, plan.letters)
        _set(roster_import, status=RosterImportStatus.IMPORTING, total_rows=plan.row_count)
        with transaction.atomic():
            estate = Place.objects.select_for_update().get(pk=roster_import.estate_id)
            existing = _Existing.load(estate, plan, actor)
            resolved, errors = _check_against_registry(plan, existing)
            if errors:
                raise _Rejected(errors, plan.letters)
            counts = _write(plan, existing, resolved, estate=estate, actor=actor)
            counts["rows"] = plan.row_count
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                obj=roster_import,
                event="registry.roster.imported",
                summary=f"导入台账 {estate.name}（{roster_import.file_name}）：{result_summary(counts)}",
                after={"estate_id": estate.pk, "file_name": roster_import.file_name, **counts},
            )
            _set(
                roster_import,
                status=RosterImportStatus.DONE,
                processed_rows=plan.row_count,
                counts=counts,
                errors=[],
                content=b"",
                finished_at=timezone.now(),
            )
    except _Rejected as exc:
        _fail(roster_import, exc.errors, exc.letters)
    except Forbidden as exc:
        _fail(roster_import, [RowError(0, "—", f"{exc.message}。未导入任何数据。")])
    except RosterFileError as exc:
        _fail(roster_import, [RowError(0, "文件", str(exc))])
    except Exception:
        logger.exception("roster import %s failed", roster_import.pk)
        _fail(roster_import, [RowError(0, "—", "导入时发生系统错误，未导入任何数据。请稍后重试，或联系系统管理员。")])
    lease.finish()
    roster_import.refresh_from_db()
    return roster_import


RUNNING = (RosterImportStatus.VALIDATING, RosterImportStatus.IMPORTING)


def roster_import_requeue(*, roster_import_id: int) -> bool:
    """Put back in the queue an import whose worker died mid-run: it wrote nothing (one transaction)."""
    return bool(
        RosterImport.objects.filter(pk=roster_import_id, status__in=RUNNING).update(
            status=RosterImportStatus.QUEUED, processed_rows=0, updated_at=timezone.now()
        )
    )


def roster_import_give_up(*, roster_import_id: int, reason: str) -> bool:
    """Record why an import whose workers kept dying was abandoned; its page shows it."""
    if not RosterImport.objects.filter(pk=roster_import_id, status__in=RUNNING).exists():
        return False
    _fail(RosterImport(pk=roster_import_id), [RowError(0, "—", f"{reason}，未导入任何数据。请重新上传文件再试。")])
    return True


def _set(roster_import: RosterImport, **fields: Any) -> None:
    RosterImport.objects.filter(pk=roster_import.pk).update(updated_at=timezone.now(), **fields)


def _fail(roster_import: RosterImport, errors: list[RowError], letters: dict[str, str] | None = None) -> None:
    total = RosterImport.objects.filter(pk=roster_import.pk).values_list("total_rows", flat=True).first() or 0
    _set(
        roster_import,
        status=RosterImportStatus.FAILED,
        errors=roster.errors_as_dicts(errors, letters or {}),
        processed_rows=total,
        content=b"",
        finished_at=timezone.now(),
    )


def _check_file(roster_import: RosterImport) -> tuple[RosterPlan, list[RowError]]:
    rows, recorded = roster.iter_sheet_rows(bytes(roster_import.content))
    if recorded is not None:
        _set(roster_import, total_rows=max(0, recorded - 1))
    plan, errors = roster.check_workbook(
        rows,
        estate_name=roster_import.estate.name,
        progress=lambda n: _set(roster_import, processed_rows=n),
    )
    _set(roster_import, total_rows=plan.row_count, processed_rows=plan.row_count)
    return plan, errors


def _some(names: list[str], measure: str, shown: int = 8) -> str:
    """1号楼、2号楼 — or, for a long list, the first few and 等 30 栋."""
    if len(names) <= shown:
        return "、".join(names)
    return f"{'、'.join(names[:shown])} 等 {len(names)} {measure}"


def result_summary(counts: dict[str, Any]) -> str:
    """导入成功 message: 新增 12 户、20 人…"""
    parts = [
        f"新增 {counts.get('units_created', 0)} 户、{counts.get('people_created', 0)} 人",
    ]
    if counts.get("organisations_created"):
        parts.append(f"{counts['organisations_created']} 个单位")
    text = "、".join(parts)
    text += f"，登记产权 {counts.get('ownerships_created', 0)} 条、居住 {counts.get('residencies_created', 0)} 条"
    if counts.get("buildings_created"):
        text += f"；新建楼栋 {_some(counts['buildings_created'], '栋')}"
    if counts.get("entrances_created"):
        text += f"；新建单元 {_some(counts['entrances_created'], '个')}"
    if counts.get("developer_unsold"):
        text += f"；标记开发商未售出 {counts['developer_unsold']} 户"
    filled = []
    if counts.get("units_updated"):
        filled.append(f"{counts['units_updated']} 户已有房屋")
    if counts.get("people_updated"):
        filled.append(f"{counts['people_updated']} 位已登记人员")
    if filled:
        text += f"；补充了 {'、'.join(filled)} 的空缺信息"
    return text


# ---------------------------------------------------------------------------------------------
# What the registry already holds


@dataclass
class _Existing:
    buildings: dict[str, Place]
    entrances: dict[tuple[str, str], Place]
    units: dict[tuple[str, str, str], Unit]
    owners: dict[int, list[Ownership]]
    residents: dict[int, list[Residency]]
    people_by_id: dict[str, Person]
    people_by_name_phone: dict[tuple[str, str], list[Person]]
    organisations: dict[str, Organisation]
    # people found by ID number whom the importer may change; the others are outside their scope
    editable_person_ids: set[int]

    @classmethod
    def load(cls, estate: Place, plan: RosterPlan, actor: Any) -> _Existing:
        buildings = {p.name: p for p in Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING)}
        entrances = {
            (p.parent.name, p.name): p
            for p in Place.objects.filter(parent__parent=estate, kind=PlaceKind.ENTRANCE).select_related("parent")
        }
        units = {
            (u.building.name, u.entrance.name if u.entrance_id else "", u.number): u
            for u in Unit.objects.filter(estate=estate).select_related("building", "entrance")
        }
        wanted_ids = [units[k].pk for k in plan.units if k in units]
        owners: dict[int, list[Ownership]] = defaultdict(list)
        for o in (
            Ownership.objects.current()
            .filter(unit_id__in=wanted_ids)
            .select_related("person", "organisation")
            .order_by("id")
        ):
            owners[o.unit_id].append(o)
        residents: dict[int, list[Residency]] = defaultdict(list)
        for r in Residency.objects.current().filter(unit_id__in=wanted_ids).select_related("person").order_by("id"):
            residents[r.unit_id].append(r)

        persons = [p for p in plan.parties.values() if p.kind == OwnerKind.PERSON]
        ids = sorted({p.id_number for p in persons if p.id_number})
        # ID numbers are unique in the whole registry, so the lookup is global; whether the importer
        # may touch the person found is checked separately (editable_person_ids).
        people_by_id = {p.id_number: p for p in Person.objects.filter(id_number__in=ids)}
        editable_person_ids = set(
            Person.objects.editable_by(actor).filter(id_number__in=ids).values_list("pk", flat=True)
        )
        phones = sorted({p.phone for p in persons if p.phone and not p.id_number})
        in_estate = (
            Q(place__path__startswith=estate.path)
            | Q(ownerships__unit__estate=estate, ownerships__until__isnull=True)
            | Q(residencies__unit__estate=estate, residencies__until__isnull=True)
        )
        people_by_name_phone: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for p in Person.objects.filter(phone__in=phones).filter(in_estate).distinct():
            people_by_name_phone[(p.name, p.phone)].append(p)

        org_names = sorted({p.name for p in plan.parties.values() if p.kind == OwnerKind.ORGANISATION})
        organisations: dict[str, Organisation] = {}
        # An organisation registered at the estate or any node above it; the nearest one wins.
        for org in (
            Organisation.objects.filter(name__in=org_names, place_id__in=ancestor_ids(estate.path))
            .select_related("place")
            .order_by("place__depth")
        ):
            organisations[org.name] = org
        return cls(
            buildings,
            entrances,
            units,
            owners,
            residents,
            people_by_id,
            people_by_name_phone,
            organisations,
            editable_person_ids,
        )

    def linked_people(self, unit: Unit) -> list[Person]:
        people = [o.person for o in self.owners.get(unit.pk, []) if o.person_id]
        people += [r.person for r in self.residents.get(unit.pk, [])]
        return list({p.pk: p for p in people}.values())


@dataclass
class _Resolved:
    """Which registry row each party of the file is: an existing one (with blanks to fill) or new."""

    people: dict[tuple, Person] = field(default_factory=dict)
    organisations: dict[tuple, Organisation] = field(default_factory=dict)
    person_fills: dict[int, dict[str, str]] = field(default_factory=dict)  # person pk -> fields to fill
    organisation_fills: dict[int, dict[str, str]] = field(default_factory=dict)
    unit_fills: dict[int, dict[str, Any]] = field(default_factory=dict)
    share_fills: dict[int, str] = field(default_factory=dict)  # ownership pk -> share
    skip_owners: set[tuple[tuple, tuple]] = field(default_factory=set)  # (unit key, party key) already recorded
    skip_residents: set[tuple[tuple, tuple]] = field(default_factory=set)

    def target(self, key: tuple) -> Person | Organisation | None:
        return self.people.get(key) or self.organisations.get(key)


def _compatible(person: Person, party: roster.PartyPlan) -> bool:
    return (not person.phone or not party.phone or person.phone == party.phone) and (
        not person.id_number or not party.id_number or person.id_number == party.id_number
    )


def _fill(current: str, given: str) -> str | None:
    """The value to fill in when the registry's is blank; None when there is nothing to do."""
    return given if given and not current else None


def _check_against_registry(plan: RosterPlan, existing: _Existing) -> tuple[_Resolved, list[RowError]]:
    resolved = _Resolved()
    errors: list[RowError] = []
    _resolve_parties(plan, existing, resolved, errors)
    for unit_plan in plan.units.values():
        unit = existing.units.get(unit_plan.key)
        if unit is not None:
            _check_existing_unit(unit_plan, unit, existing, resolved, errors)
    return resolved, errors


def _resolve_parties(plan: RosterPlan, existing: _Existing, resolved: _Resolved, errors: list[RowError]) -> None:
    units_of: dict[tuple, list[tuple[str, str, str]]] = defaultdict(list)
    for unit_plan in plan.units.values():
        for _, key, _ in unit_plan.owners + unit_plan.residents:
            units_of[key].append(unit_plan.key)
    claimed: dict[int, roster.PartyPlan] = {}

    for party in plan.parties.values():
        if party.key not in units_of:
            continue  # every row of this party was rejected already
        if party.kind == OwnerKind.ORGANISATION:
            org = existing.organisations.get(party.name)
            if org is None:
                continue
            # A row saying only 单位 (the earlier template) takes the registry's kind.
            if party.org_kind and party.org_kind != org.kind:
                errors.append(
                    RowError(
                        party.kind_row,
                        "业主类型",
                        f"{org.name} 在台账中登记为 {roster.OWNER_KIND_NAMES.get(org.kind, org.kind)}，"
                        f"表格中是 {roster.OWNER_KIND_NAMES[party.org_kind]}，不一致。同一个单位只能是一种类型："
                        "请核对业主类型和单位名称；如台账中登记的类型有误，请联系管理员更正后再导入。",
                    )
                )
                continue
            if party.id_number and org.credit_code and party.id_number != org.credit_code:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主身份证号",
                        f"{org.name} 在台账中登记的统一社会信用代码与表格不同，请核对。",
                    )
                )
                continue
            if party.phone and org.contact_phone and party.phone != org.contact_phone:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主手机号",
                        f"{org.name} 在台账中登记的联系电话是 {org.contact_phone}，与表格不同。如已更换，请先在台账中修改。",
                    )
                )
                continue
            resolved.organisations[party.key] = org
            fills = {
                k: v
                for k, v in (
                    ("credit_code", _fill(org.credit_code, party.id_number)),
                    ("contact_phone", _fill(org.contact_phone, party.phone)),
                )
                if v
            }
            if fills:
                resolved.organisation_fills[org.pk] = fills
            continue

        person = existing.people_by_id.get(party.id_number) if party.id_number else None
        if person is not None and person.pk not in existing.editable_person_ids:
            # Registered outside the importer's scope: never linked or written to, and the message is
            # the same whatever the registered name, so the import cannot confirm who holds the number.
            errors.append(
                RowError(
                    party.first_row,
                    "业主身份证号",
                    f"身份证号 {party.id_number} 已在其他辖区登记，不能在此导入或关联。如确属本小区人员，请联系街道核实后处理。",
                )
            )
            continue
        if person is not None:
            # Found by ID number: the registry's name and phone must agree with the file. The
            # person may belong to an estate the user cannot see, so nothing of theirs is quoted.
            if person.name != party.name:
                errors.append(
                    RowError(
                        party.first_row,
                        NAME_COLUMN,
                        f"身份证号 {party.id_number} 已在台账中登记，但登记的姓名不是“{party.name}”。请核对姓名或身份证号。",
                    )
                )
                continue
            if party.phone and person.phone and party.phone != person.phone:
                errors.append(
                    RowError(
                        party.first_row,
                        "业主手机号",
                        f"{party.name}（按身份证号找到的已登记人员）在台账中的手机号与表格不同。如已换号，请先到人员页面修改手机号。",
                    )
                )
                continue
        else:
            candidates = {
                p.pk: p
                for unit_key in units_of[party.key]
                if (unit := existing.units.get(unit_key)) is not None
                for p in existing.linked_people(unit)
                if p.name == party.name and _compatible(p, party)
            }
            if len(candidates) == 1:
                person = next(iter(candidates.values()))
            elif not candidates and party.phone and not party.id_number:
                same = existing.people_by_name_phone.get((party.name, party.phone), [])
                if len(same) == 1:
                    person = same[0]
        if person is None:
            continue
        other = claimed.get(person.pk)
        if other is not None:
            errors.append(
                RowError(
                    party.first_row,
                    NAME_COLUMN,
                    f"台账中的 {person.name} 与第 {other.first_row} 行和这一行都对得上，无法确定是谁。请填写身份证号加以区分。",
                )
            )
            continue
        claimed[person.pk] = party
        resolved.people[party.key] = person
        fills = {
            k: v
            for k, v in (
                ("phone", _fill(person.phone, party.phone)),
                ("id_number", _fill(person.id_number, party.id_number)),
            )
            if v
        }
        if fills:
            resolved.person_fills[person.pk] = fills


def _shown(value: Any, key: str) -> str:
    if key == "use":
        return roster.USE_NAMES.get(value, value)
    if value is None or value == "":
        return "（空）"
    return str(value)


def _check_existing_unit(
    unit_plan: UnitPlan, unit: Unit, existing: _Existing, resolved: _Resolved, errors: list[RowError]
) -> None:
    label = unit_plan.label
    fills: dict[str, Any] = {}
    for key, attr in UNIT_FIELDS.items():
        given = unit_plan.fact(key)
        if given is None or given == "":
            continue
        current = getattr(unit, attr)
        if current is None or current == "":
            fills[attr] = given
        elif current != given:
            header = roster.COLUMN_BY_KEY[key].header
            errors.append(
                RowError(
                    unit_plan.fact_rows[key],
                    header,
                    f"{label} 已在台账中，{header}是 {_shown(current, key)}，表格中是 {_shown(given, key)}，不一致。"
                    "如需更正，请到房屋页面修改。",
                )
            )
    if fills:
        resolved.unit_fills[unit.pk] = fills

    current_owners = existing.owners.get(unit.pk, [])
    if current_owners and unit_plan.owners:
        by_target = {(o.person_id or None, o.organisation_id or None): o for o in current_owners}
        names = "、".join(o.owner_name for o in current_owners)
        matched: set[int] = set()
        for row, key, share in unit_plan.owners:
            target = resolved.target(key)
            ownership = None
            if isinstance(target, Person):
                ownership = by_target.get((target.pk, None))
            elif isinstance(target, Organisation):
                ownership = by_target.get((None, target.pk))
            if ownership is None:
                errors.append(
                    RowError(
                        row,
                        NAME_COLUMN,
                        f"{label} 在台账中登记的业主是 {names}，与这一行不一致。"
                        "产权变更（买卖、继承等）请到房屋页面办理，不能通过导入更换业主。",
                    )
                )
                continue
            matched.add(ownership.pk)
            resolved.skip_owners.add((unit_plan.key, key))
            if share and ownership.share and share != ownership.share:
                errors.append(
                    RowError(
                        row,
                        "共有份额",
                        f"{ownership.owner_name} 在台账中登记的共有份额是 {ownership.share}，表格中是 {share}，不一致。",
                    )
                )
            elif share and not ownership.share:
                resolved.share_fills[ownership.pk] = share
        for ownership in current_owners:
            if ownership.pk not in matched:
                errors.append(
                    RowError(
                        unit_plan.first_row,
                        NAME_COLUMN,
                        f"表格中缺少 {label} 在台账中已登记的业主 {ownership.owner_name}（每位共有人各写一行）。",
                    )
                )

    current_residents = {r.person_id: r for r in existing.residents.get(unit.pk, [])}
    for row, key, kind in unit_plan.residents:
        target = resolved.people.get(key)
        residency = current_residents.get(target.pk) if target is not None else None
        if residency is None:
            continue
        resolved.skip_residents.add((unit_plan.key, key))
        if residency.kind != kind:
            errors.append(
                RowError(
                    row,
                    "居住类型",
                    f"{target.name} 在台账中登记为 {ResidencyKind(residency.kind).label}，"
                    f"表格中是 {roster.RESIDENCY_NAMES[kind]}，不一致。如需更正，请到房屋页面修改。",
                )
            )


# ---------------------------------------------------------------------------------------------
# Writing


def _write(plan: RosterPlan, existing: _Existing, resolved: _Resolved, *, estate: Place, actor: Any) -> dict[str, Any]:
    now = timezone.now()
    counts: dict[str, Any] = {"buildings_created": [], "entrances_created": []}

    # Places first: few, and each needs its materialized path (Place.path = parent.path + pk + "/").
    for building_name, entrance_name, _ in plan.units:
        if building_name not in existing.buildings:
            existing.buildings[building_name] = services.place_create(
                kind=PlaceKind.BUILDING, name=building_name, parent=estate, actor=actor
            )
            counts["buildings_created"].append(building_name)
        if entrance_name and (building_name, entrance_name) not in existing.entrances:
            existing.entrances[(building_name, entrance_name)] = services.place_create(
                kind=PlaceKind.ENTRANCE, name=entrance_name, parent=existing.buildings[building_name], actor=actor
            )
            counts["entrances_created"].append(f"{building_name}{entrance_name}")

    # Parties: new organisations through the service (few), new people in bulk.
    new_orgs = 0
    new_people: list[Person] = []
    used = {k for u in plan.units.values() for _, k, _ in u.owners + u.residents}
    for party in plan.parties.values():
        if party.key in resolved.organisations or party.key in resolved.people or party.key not in used:
            continue
        if party.kind == OwnerKind.ORGANISATION:
            resolved.organisations[party.key] = services.organisation_create(
                kind=party.org_kind or OrganisationKind.OTHER,
                name=party.name,
                place=estate,
                actor=actor,
                contact_phone=party.phone,
                credit_code=party.id_number,
            )
            new_orgs += 1
        else:
            person = Person(
                name=party.name,
                phone=party.phone,
                id_number=party.id_number,
                birth_date=rules.birth_date_from_id(party.id_number) if party.id_number else None,
                place=estate,
            )
            resolved.people[party.key] = person
            new_people.append(person)
    Person.objects.bulk_create(new_people, batch_size=BATCH)
    _fill_people(resolved, now)
    _fill_organisations(resolved, now)

    # Units: new ones in bulk, with the counting area chosen by DOMAIN_RULES.md §C 11.
    unsold = _developer_unsold(plan, resolved)
    new_units: list[Unit] = []
    units: dict[tuple[str, str, str], Unit] = {}
    for key, unit_plan in plan.units.items():
        unit = existing.units.get(key)
        if unit is None:
            building = existing.buildings[key[0]]
            entrance = existing.entrances.get((key[0], key[1])) if key[1] else None
            unit = _new_unit(unit_plan, estate=estate, building=building, entrance=entrance)
            unit.developer_unsold = key in unsold
            new_units.append(unit)
        elif key in unsold and not unit.developer_unsold:
            resolved.unit_fills.setdefault(unit.pk, {})["developer_unsold"] = True
        units[key] = unit
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    units_updated = _fill_units(resolved, existing, now)

    # Ownerships and residencies.
    ownerships: list[Ownership] = []
    residencies: list[Residency] = []
    for key, unit_plan in plan.units.items():
        unit = units[key]
        for _, party_key, share in unit_plan.owners:
            if (key, party_key) in resolved.skip_owners:
                continue
            target = resolved.target(party_key)
            if isinstance(target, Person):
                ownerships.append(Ownership(unit=unit, owner_kind=OwnerKind.PERSON, person=target, share=share))
            else:
                ownerships.append(
                    Ownership(unit=unit, owner_kind=OwnerKind.ORGANISATION, organisation=target, share=share)
                )
        for _, party_key, kind in unit_plan.residents:
            if (key, party_key) in resolved.skip_residents:
                continue
            residencies.append(Residency(unit=unit, person=resolved.people[party_key], kind=kind))
    Ownership.objects.bulk_create(ownerships, batch_size=BATCH)
    Residency.objects.bulk_create(residencies, batch_size=BATCH)
    if resolved.share_fills:
        rows = list(Ownership.objects.filter(pk__in=resolved.share_fills))
        for row in rows:
            row.share = resolved.share_fills[row.pk]
            row.updated_at = now
        Ownership.objects.bulk_update(rows, ["share", "updated_at"], batch_size=BATCH)

    counts.update(
        units_created=len(new_units),
        units_updated=units_updated,
        people_created=len(new_people),
        people_updated=len(resolved.person_fills),
        organisations_created=new_orgs,
        organisations_updated=len(resolved.organisation_fills),
        ownerships_created=len(ownerships),
        ownerships_updated=len(resolved.share_fills),
        residencies_created=len(residencies),
        developer_unsold=len(unsold),
    )
    return counts


def _developer_unsold(plan: RosterPlan, resolved: _Resolved) -> set[tuple[str, str, str]]:
    """The units this import gives to the developer (开发建设单位) as their only owner: unsold units,
    which together count as one owner in a vote (DOMAIN_RULES.md §C 12). A unit with any other owner
    (a co-owner in the file; a current owner in the registry would already be an error) is not
    marked, and neither is one whose developer ownership the registry already records."""
    unsold = set()
    for key, unit_plan in plan.units.items():
        if len(unit_plan.owners) != 1:
            continue
        _, party_key, _ = unit_plan.owners[0]
        if (key, party_key) in resolved.skip_owners:
            continue
        owner = resolved.organisations.get(party_key)
        if owner is not None and owner.kind == OrganisationKind.DEVELOPER:
            unsold.add(key)
    return unsold


def _new_unit(unit_plan: UnitPlan, *, estate: Place, building: Place, entrance: Place | None) -> Unit:
    registered = unit_plan.fact("registered_area")
    surveyed = unit_plan.fact("surveyed_area")
    contract = unit_plan.fact("contract_area")
    area, source = rules.choose_area(registered, surveyed, contract)
    return Unit(
        estate=estate,
        building=building,
        entrance=entrance,
        path=(entrance or building).path,
        number=unit_plan.key[2],
        floor=unit_plan.fact("floor"),
        use=unit_plan.fact("use"),
        registered_area=registered,
        surveyed_area=surveyed,
        contract_area=contract,
        area=area,
        area_source=source,
        note=unit_plan.fact("note") or "",
    )


def _fill_units(resolved: _Resolved, existing: _Existing, now: Any) -> int:
    if not resolved.unit_fills:
        return 0
    by_pk = {u.pk: u for u in existing.units.values()}
    changed = []
    fields: set[str] = {"area", "area_source", "updated_at"}
    for pk, fills in resolved.unit_fills.items():
        unit = by_pk[pk]
        for attr, value in fills.items():
            setattr(unit, attr, value)
            fields.add(attr)
        unit.area, unit.area_source = rules.choose_area(unit.registered_area, unit.surveyed_area, unit.contract_area)
        unit.updated_at = now
        changed.append(unit)
    Unit.objects.bulk_update(changed, sorted(fields), batch_size=BATCH)
    return len(changed)


def _fill_people(resolved: _Resolved, now: Any) -> None:
    if not resolved.person_fills:
        return
    people = list(Person.objects.filter(pk__in=resolved.person_fills))
    for person in people:
        for attr, value in resolved.person_fills[person.pk].items():
            setattr(person, attr, value)
        if person.id_number and person.birth_date is None:
            person.birth_date = rules.birth_date_from_id(person.id_number)
        person.updated_at = now
    Person.objects.bulk_update(people, ["phone", "id_number", "birth_date", "updated_at"], batch_size=BATCH)


def _fill_organisations(resolved: _Resolved, now: Any) -> None:
    if not resolved.organisation_fills:
        return
    orgs = list(Organisation.objects.filter(pk__in=resolved.organisation_fills))
    for org in orgs:
        for attr, value in resolved.organisation_fills[org.pk].items():
            setattr(org, attr, value)
        org.updated_at = now
    Organisation.objects.bulk_update(orgs, ["credit_code", "contact_phone", "updated_at"], batch_size=BATCH)


# ---------------------------------------------------------------------------------------------
# Export


def roster_export_rows(*, estate: Place, user: Any) -> list[dict[str, Any]]:
    """The estate's units with their current owners and residents, one row per unit and party, in
    the import format. Phone and ID numbers are masked unless the user's roles see them whole
    (DOMAIN_RULES.md §I 31)."""
    scope = scope_of(user)
    units = list(Unit.objects.visible_to(user).filter(estate=estate).select_related("building", "entrance"))
    owners: dict[int, list[Ownership]] = defaultdict(list)
    for o in (
        Ownership.objects.visible_to(user)
        .current()
        .filter(unit__estate=estate)
        .select_related("person", "organisation")
        .order_by("id")
    ):
        owners[o.unit_id].append(o)
    residents: dict[int, list[Residency]] = defaultdict(list)
    for r in (
        Residency.objects.visible_to(user).current().filter(unit__estate=estate).select_related("person").order_by("id")
    ):
        residents[r.unit_id].append(r)

    def phone(value: str) -> str:
        return value if scope.unmasked_phone else mask_phone(value)

    def id_number(value: str) -> str:
        return value if scope.unmasked_id else mask_id_number(value)

    units.sort(
        key=lambda u: (
            roster.natural_key(u.building.name),
            roster.natural_key(u.entrance.name if u.entrance_id else ""),
            roster.natural_key(u.number),
        )
    )
    rows: list[dict[str, Any]] = []
    for unit in units:
        base = {
            "estate": estate.name,
            "building": unit.building.name,
            "entrance": unit.entrance.name if unit.entrance_id else "",
            "number": unit.number,
            "floor": unit.floor,
            "use": roster.USE_NAMES.get(unit.use, unit.use),
            "registered_area": unit.registered_area,
            "surveyed_area": unit.surveyed_area,
            "contract_area": unit.contract_area,
            "note": unit.note,
        }
        living = {r.person_id: r for r in residents.get(unit.pk, [])}
        owner_people = set()
        for o in owners.get(unit.pk, []):
            if o.person_id:
                owner_people.add(o.person_id)
                party = {
                    "owner_kind": "个人",
                    "name": o.person.name,
                    "phone": phone(o.person.phone),
                    "id_number": id_number(o.person.id_number),
                    "residency": "业主自住" if o.person_id in living else "空",
                }
            else:
                party = {
                    "owner_kind": roster.OWNER_KIND_NAMES.get(o.organisation.kind, "其他单位"),
                    "name": o.organisation.name,
                    "phone": o.organisation.contact_phone,
                    "id_number": o.organisation.credit_code,
                    "residency": "空",
                }
            rows.append({**base, **party, "share": o.share})
        for person_id, r in living.items():
            if person_id in owner_people:
                continue
            # A resident who is not a current owner: a tenant or family member. An "owner-occupier"
            # with no current ownership (e.g. sold, not yet moved out) is written as family, never
            # as an owner, so that importing the file back does not make them one.
            kind = "租户" if r.kind == ResidencyKind.TENANT else "家庭成员"
            rows.append(
                {
                    **base,
                    "owner_kind": "个人",
                    "name": r.person.name,
                    "phone": phone(r.person.phone),
                    "id_number": id_number(r.person.id_number),
                    "residency": kind,
                }
            )
        if not owners.get(unit.pk) and not living:
            rows.append(base)
    return rows


def roster_export(*, estate: Place, actor: Any) -> tuple[bytes, int]:
    """The estate's roster as an .xlsx workbook (台账导出), and its row count. The file lists names
    and (for roles that see them) whole phone and ID numbers, so every export is audited as a read
    of personal data (DOMAIN_RULES.md §I 31)."""
    can_export_roster.require(actor, estate)
    rows = roster_export_rows(estate=estate, user=actor)
    content = roster.build_workbook(rows)
    scope = scope_of(actor)
    audit_record(
        actor=actor,
        action=AuditAction.READ_PERSONAL,
        event="registry.roster.exported",
        obj=estate,
        summary=f"导出台账 {estate.name}：{len(rows)} 行",
        after={"rows": len(rows), "unmasked_phone": scope.unmasked_phone, "unmasked_id": scope.unmasked_id},
    )
    return content, len(rows)
