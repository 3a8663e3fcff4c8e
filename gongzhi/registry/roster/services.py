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
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.core.audit import audit_record
from gongzhi.core.errors import Forbidden, invalid
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import scope_of
from gongzhi.core.tabular import RowError
from gongzhi.registry import roster
from gongzhi.registry.choices import PlaceKind, ResidencyKind
from gongzhi.registry.errors import RegistryError
from gongzhi.registry.models import Ownership, Place, Residency, Unit
from gongzhi.registry.permissions import can_export_roster, can_import_roster
from gongzhi.registry.roster.checks import RosterPlan
from gongzhi.registry.roster.columns import RosterFileError
from gongzhi.registry.roster.models import RosterImport, RosterImportStatus
from gongzhi.registry.roster.reconcile import Existing, check_against_registry, write_plan

logger = logging.getLogger(__name__)

# Files with more data rows than this run in the background worker (tasks.roster_import_task).
INLINE_MAX_ROWS = 500
ROSTER_JOB = "registry.roster_import"  # its core.jobs lease


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
    if not roster_import.can_start():
        return roster_import
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
            existing = Existing.load(estate, plan, actor)
            resolved, errors = check_against_registry(plan, existing)
            if errors:
                raise _Rejected(errors, plan.letters)
            counts = write_plan(plan, existing, resolved, estate=estate, actor=actor)
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
