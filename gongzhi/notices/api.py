"""The notices API (公告公示接口): list, read, draft, post, withdraw; a household's receipt; read counts.

Reads go through the selectors (404 for what the caller may not see); writes through the services (403
with the permission's code and reason; 400/409 with the service's code, message and fields).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from gongzhi.core.api_support import ObjectId, find_for_user, paginate, responses, service_errors, validation_error
from gongzhi.core.scoping import scope_of
from gongzhi.notices import selectors, services
from gongzhi.notices.models import Notice
from gongzhi.notices.permissions import can_see_unread
from gongzhi.notices.schemas import (
    NoticeCreateIn,
    NoticeListQuery,
    NoticeOut,
    NoticePage,
    NoticeReadsOut,
    NoticeReceiptOut,
    NoticeToldIn,
    NoticeWithdrawIn,
)
from gongzhi.registry.models import Place, Unit
from gongzhi.registry.selectors import buildings_for_estate

router = Router(tags=["公告公示"])


def _out(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "estate_id": n.estate_id,
        "estate_name": n.estate.name,
        "kind": n.kind,
        "purpose": n.purpose,
        "audience": n.audience,
        "building_ids": [b.pk for b in n.buildings.all()],
        "title": n.title,
        "body": n.body,
        "starts_on": n.starts_on,
        "ends_on": n.ends_on,
        "event_on": n.event_on,
        "status": n.status,
        "posted_at": n.posted_at,
        "withdrawn_at": n.withdrawn_at,
        "withdraw_reason": n.withdraw_reason,
    }


@router.get(
    "/notices",
    response=responses(200, NoticePage),
    summary="公告列表",
    operation_id="notice_list",
    description="调用者可见的公告：工作人员看到所负责小区的全部公告（含草稿），住户看到发给本户的已发布公告。",
)
def notice_list(request: HttpRequest, query: Query[NoticeListQuery]) -> dict[str, Any]:
    estate = find_for_user(Place.objects, request.auth, query.estate) if query.estate else None
    qs = selectors.notices_for_user(request.auth, estate=estate, status=query.status or "").prefetch_related(
        "buildings"
    )
    page = paginate(qs, query)
    page["items"] = [_out(n) for n in page["items"]]
    return page


@router.get(
    "/notices/{notice_id}",
    response=responses(200, NoticeOut),
    summary="公告详情",
    operation_id="notice_get",
)
def notice_get(request: HttpRequest, notice_id: ObjectId) -> dict[str, Any]:
    return _out(selectors.notice_for_user(request.auth, notice_id))


@router.post(
    "/notices",
    response=responses(201, NoticeOut, write=True),
    summary="起草公告",
    operation_id="notice_create",
    description="保存为草稿。社区、街道工作人员可发布各类公告；业委会/物管会委员可发布决议公告和财务公开；"
    "服务该小区的物业经理可发布通知。结束日期早于开始日期、楼栋不在本小区时拒绝并指明字段。",
)
def notice_create(request: HttpRequest, payload: NoticeCreateIn) -> Status:
    estate = find_for_user(Place.objects, request.auth, payload.estate_id, field="estate_id")
    by_id = {b.pk: b for b in buildings_for_estate(estate)}
    if any(i not in by_id for i in payload.building_ids):
        raise validation_error({"building_ids": "楼栋：所选楼栋不在本小区，超出了公告的发布范围"})
    with service_errors():
        notice = services.notice_create(
            estate=estate,
            kind=payload.kind,
            purpose=payload.purpose,
            audience=payload.audience,
            buildings=[by_id[i] for i in payload.building_ids],
            title=payload.title,
            body=payload.body,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            event_on=payload.event_on,
            actor=request.auth,
        )
    return Status(201, _out(notice))


@router.post(
    "/notices/{notice_id}/post",
    response=responses(200, NoticeOut, write=True),
    summary="发布公告",
    operation_id="notice_post",
    description="发布时间由平台记录（不可填写）；公示期不早于发布日。检查：业主大会会议通知须在会议15日前发布，"
    "业主大会和业委会决定3日内公告，物管会决定公示10个工作日，审计报告公示30日。",
)
def notice_post(request: HttpRequest, notice_id: ObjectId) -> dict[str, Any]:
    notice = selectors.notice_for_user(request.auth, notice_id)
    with service_errors():
        services.notice_post(notice=notice, actor=request.auth)
    return _out(selectors.notice_for_user(request.auth, notice_id))


@router.post(
    "/notices/{notice_id}/withdraw",
    response=responses(200, NoticeOut, write=True),
    summary="撤回公告",
    operation_id="notice_withdraw",
)
def notice_withdraw(request: HttpRequest, notice_id: ObjectId, payload: NoticeWithdrawIn) -> dict[str, Any]:
    notice = selectors.notice_for_user(request.auth, notice_id)
    with service_errors():
        services.notice_withdraw(notice=notice, reason=payload.reason, actor=request.auth)
    return _out(selectors.notice_for_user(request.auth, notice_id))


@router.post(
    "/notices/{notice_id}/receipt",
    response=responses(200, NoticeReceiptOut, write=True),
    summary="登记已读",
    operation_id="notice_receipt",
    description="住户打开公告时为本户登记已读（每户一次）；工作人员打开不登记。",
)
def notice_receipt(request: HttpRequest, notice_id: ObjectId) -> dict[str, Any]:
    notice = selectors.notice_for_user(request.auth, notice_id)
    with service_errors():
        recorded = services.notice_open(notice=notice, actor=request.auth)
    return {"recorded": recorded}


@router.get(
    "/notices/{notice_id}/reads",
    response=responses(200, NoticeReadsOut),
    summary="阅读情况",
    operation_id="notice_reads",
    description="按楼栋的应读、已读户数（所有能看到公告的人）；未读住户只给发布人和负责该楼栋的网格员、楼组长。",
)
def notice_reads(request: HttpRequest, notice_id: ObjectId) -> dict[str, Any]:
    notice = selectors.notice_for_user(request.auth, notice_id)
    counts = selectors.read_counts(notice)
    unread = {}
    if can_see_unread(scope_of(request.auth), notice):
        unread = {b.building_id: b.unread_units for b in selectors.unread_by_building(request.auth, notice)}
    return {
        "notice_id": notice.pk,
        "households": counts.households,
        "read": counts.read,
        "buildings": [
            {
                "building_id": b.building_id,
                "name": b.name,
                "households": b.households,
                "read": b.read,
                "unread_units": unread.get(b.building_id, []),
            }
            for b in counts.buildings
        ],
    }


@router.post(
    "/notices/{notice_id}/told",
    response=responses(200, NoticeReceiptOut, write=True),
    summary="上门告知登记",
    operation_id="notice_told",
    description="网格员、楼组长上门告知后为这些住户登记已读（只限所负责的楼栋）；发布人可为全小区登记。",
)
def notice_told(request: HttpRequest, notice_id: ObjectId, payload: NoticeToldIn) -> dict[str, Any]:
    notice = selectors.notice_for_user(request.auth, notice_id)
    units = list(Unit.objects.filter(pk__in=payload.unit_ids, estate_id=notice.estate_id))
    if len(units) != len(set(payload.unit_ids)):
        raise validation_error({"unit_ids": "住户：有的住户不在本小区"})
    with service_errors():
        recorded = services.notice_mark_told(notice=notice, units=units, actor=request.auth)
    return {"recorded": recorded}
