"""The voting JSON API (业主表决接口): assemblies and their agenda, the live count and participation by
building, online and paper ballots, voiding, the result with its conditions, chain verification, petitions.

Rows are found only through ``visible_to`` / ``find_for_user`` (404 for who may not see them); every
write goes through a voting service, which refuses who may see but not act with its permission's
code and reason (403, ``gongzhi.voting.permissions``); its other refusals come back as the one error
body too (400 for bad input, 409 for a clash such as a unit that has already voted or a vote not in
the state the act needs, with codes from ``gongzhi.voting.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from gongzhi.core.api_support import (
    ApiError,
    ErrorCode,
    ObjectId,
    PageQuery,
    find_for_user,
    paginate,
    responses,
    service_errors,
)
from gongzhi.registry.models import Place, Unit
from gongzhi.voting import chain, rules, selectors, services
from gongzhi.voting.models import Assembly, Ballot, Motion, PaperBallot, Petition
from gongzhi.voting.permissions import can_key_paper_ballot
from gongzhi.voting.schemas import (
    AssemblyCreateIn,
    AssemblyDetailOut,
    AssemblyListQuery,
    AssemblyPage,
    BallotChainVerifyOut,
    BallotIn,
    BallotOut,
    BallotPage,
    MotionCreateIn,
    MotionDetailOut,
    MotionOut,
    NoticeIn,
    PaperBallotConfirmIn,
    PaperBallotIn,
    PaperBallotOut,
    PetitionCreateIn,
    PetitionDetailOut,
    PetitionListQuery,
    PetitionPage,
    PublishIn,
    RejectIn,
    ResultOut,
    VoidIn,
)

router = Router(tags=["业主大会表决"])


def _s(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _assemblies():
    return Assembly.objects.select_related("estate")


def _motions():
    return Motion.objects.select_related("assembly__estate").prefetch_related("buildings", "documents")


def _page(qs: QuerySet, query: PageQuery, out: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``qs``, each row shaped by ``out``."""
    page = paginate(qs, query)
    page["items"] = [out(row) for row in page["items"]]
    return page


def assembly_out(a: Assembly) -> dict[str, Any]:
    return {
        "id": a.pk,
        "estate_id": a.estate_id,
        "estate_name": a.estate.name,
        "kind": a.kind,
        "title": a.title,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "opens_at": a.opens_at,
        "closes_at": a.closes_at,
        "noticed_on": a.noticed_on,
        "published_on": a.published_on,
        "revocation_ends": rules.revocation_ends(a.published_on) if a.published_on else None,
        "petition_id": a.petition_id,
    }


def motion_out(m: Motion) -> dict[str, Any]:
    return {
        "id": m.pk,
        "assembly_id": m.assembly_id,
        "position": m.position,
        "title": m.title,
        "description": m.description,
        "matter": m.matter,
        "matter_label": str(m.get_matter_display()),
        "rule_set": m.rule_set,
        "building_ids": [b.pk for b in m.buildings.all()],
        "documents": [{"id": d.pk, "title": d.title, "body": d.body} for d in m.documents.all()],
        "exclusion_note": m.exclusion_note,
        "total_units": m.total_units,
        "total_heads": m.total_heads,
        "total_area": _s(m.total_area),
        "chain_length": m.chain_length,
        "chain_head": m.chain_head,
        "passed": m.passed,
    }


def assembly_detail(a: Assembly) -> dict[str, Any]:
    out = assembly_out(a)
    out["notice_text"] = a.notice_text
    out["motions"] = [motion_out(m) for m in _motions().filter(assembly=a).order_by("position")]
    return out


def tally_out(t: rules.Tally, mixed: int) -> dict[str, Any]:
    c = t.counts
    return {
        "rule_set": t.rule_set,
        "matter": t.matter,
        "passed": t.passed,
        "counts": {
            "total_area": _s(c.total_area),
            "total_heads": c.total_heads,
            "participating_area": _s(c.participating_area),
            "participating_heads": c.participating_heads,
            "agreeing_area": _s(c.agreeing_area),
            "agreeing_heads": c.agreeing_heads,
        },
        "conditions": [
            {
                "key": x.key,
                "label": x.label,
                "basis": x.basis,
                "numerator": str(x.numerator),
                "denominator": str(x.denominator),
                "threshold": f"{x.threshold.numerator}/{x.threshold.denominator}",
                "inclusive": x.inclusive,
                "threshold_text": x.threshold_text,
                "percent": str(x.percent),
                "needed": str(x.needed),
                "margin": str(x.margin),
                "met": x.met,
                "why": x.why,
                "rule": x.rule,
            }
            for x in t.conditions
        ],
        "flags": list(t.flags),
        "mixed_heads": mixed,
    }


def stored_tally(result: dict[str, Any]) -> dict[str, Any]:
    """The tally as stored at closing (its numbers already strings)."""
    return {
        "rule_set": result["rule_set"],
        "matter": result["matter"],
        "passed": result["passed"],
        "counts": {k: (v if isinstance(v, int) else str(v)) for k, v in result["counts"].items()},
        "conditions": [
            {k: c[k] for k in ("key", "label", "basis", "inclusive", "threshold_text", "met", "why", "rule")}
            | {k: str(c[k]) for k in ("numerator", "denominator", "threshold", "percent", "needed", "margin")}
            for c in result["conditions"]
        ],
        "flags": result["flags"],
        "mixed_heads": result["mixed_heads"],
    }


# --- Assemblies -------------------------------------------------------------------------------------


@router.get(
    "/voting/assemblies",
    response=responses(200, AssemblyPage),
    summary="业主大会会议列表",
    operation_id="voting_assembly_list",
    description="您可见的业主大会会议，新的在前：工作人员看辖区的，业主和居民看所在小区的。",
)
def assembly_list(request: HttpRequest, filters: Query[AssemblyListQuery]) -> dict:
    qs = selectors.assemblies_for(request.auth)
    if filters.estate:
        qs = qs.filter(estate_id=filters.estate)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _page(qs, filters, assembly_out)


@router.post(
    "/voting/assemblies",
    response=responses(201, AssemblyDetailOut, write=True),
    summary="召集业主大会会议",
    operation_id="voting_assembly_create",
    description="本小区业委会（物管会）委员和社区工作人员召集会议；随后添加议程、发布公告（表决开始前至少15日）。",
)
def assembly_create(request: HttpRequest, payload: AssemblyCreateIn) -> Status:
    estate = find_for_user(Place.objects.estates(), request.auth, payload.estate_id, field="estate_id")
    petition = None
    if payload.petition_id:
        petition = find_for_user(Petition.objects.all(), request.auth, payload.petition_id, field="petition_id")
    with service_errors():
        assembly = services.assembly_create(
            estate=estate,
            title=payload.title,
            kind=payload.kind,
            notice_text=payload.notice_text,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
            petition=petition,
            actor=request.auth,
        )
    return Status(201, assembly_detail(_assemblies().get(pk=assembly.pk)))


@router.get(
    "/voting/assemblies/{assembly_id}",
    response=responses(200, AssemblyDetailOut),
    summary="业主大会会议详情",
    operation_id="voting_assembly_detail",
)
def assembly_detail_get(request: HttpRequest, assembly_id: ObjectId) -> dict:
    return assembly_detail(find_for_user(_assemblies(), request.auth, assembly_id))


@router.post(
    "/voting/assemblies/{assembly_id}/motions",
    response=responses(201, MotionOut, write=True),
    summary="添加表决事项",
    operation_id="voting_motion_create",
    description="公告前把事项加入议程；公告后议程固定，不得表决公告以外的事项（§E 19）。"
    "计票规则不填按表决日期确定：2021年前结束的适用物权法，跨越2021年1月1日的须法律审核（§D 16）。",
)
def motion_create(request: HttpRequest, assembly_id: ObjectId, payload: MotionCreateIn) -> Status:
    assembly = find_for_user(_assemblies(), request.auth, assembly_id)
    buildings = list(Place.objects.filter(pk__in=payload.building_ids))
    if len(buildings) != len(set(payload.building_ids)):
        raise ApiError(400, ErrorCode.VALIDATION, "楼栋不存在", {"building_ids": "有楼栋编号不存在"})
    with service_errors():
        motion = services.motion_add(
            assembly=assembly,
            title=payload.title,
            matter=payload.matter,
            rule_set=payload.rule_set,
            description=payload.description,
            buildings=buildings,
            documents=[(d.title, d.body) for d in payload.documents],
            actor=request.auth,
        )
    return Status(201, motion_out(_motions().get(pk=motion.pk)))


def _act(request: HttpRequest, assembly_id: int, run: Any) -> dict:
    assembly = find_for_user(_assemblies(), request.auth, assembly_id)
    with service_errors():
        run(assembly)
    return assembly_detail(_assemblies().get(pk=assembly.pk))


@router.post(
    "/voting/assemblies/{assembly_id}/notice",
    response=responses(200, AssemblyDetailOut, write=True),
    summary="发布会议公告",
    operation_id="voting_assembly_notice",
    description="公告须在表决开始前至少15日（§E 19）；公告后议程固定。",
)
def assembly_notice(request: HttpRequest, assembly_id: ObjectId, payload: NoticeIn) -> dict:
    return _act(
        request,
        assembly_id,
        lambda a: services.assembly_post_notice(assembly=a, actor=request.auth, noticed_on=payload.noticed_on),
    )


@router.post(
    "/voting/assemblies/{assembly_id}/open",
    response=responses(200, AssemblyDetailOut, write=True),
    summary="开始表决",
    operation_id="voting_assembly_open",
    description="冻结每个表决事项的名册（房屋、面积及其来源、业主、计票人数，§C 11–13）；此后台账变化不影响本次表决。",
)
def assembly_open(request: HttpRequest, assembly_id: ObjectId) -> dict:
    return _act(request, assembly_id, lambda a: services.assembly_open(assembly=a, actor=request.auth))


@router.post(
    "/voting/assemblies/{assembly_id}/close",
    response=responses(200, AssemblyDetailOut, write=True),
    summary="截止计票",
    operation_id="voting_assembly_close",
    description="表决截止后、纸质票全部复核后计票，保存每个事项的各项条件和选票链末哈希。",
)
def assembly_close(request: HttpRequest, assembly_id: ObjectId) -> dict:
    return _act(request, assembly_id, lambda a: services.assembly_close(assembly=a, actor=request.auth))


@router.post(
    "/voting/assemblies/{assembly_id}/publish",
    response=responses(200, AssemblyDetailOut, write=True),
    summary="公布表决结果",
    operation_id="voting_assembly_publish",
    description="保存公布日期：业主可自知道之日起1年内请求撤销（民法典第280条，§B 8）；应在计票后3日内公布（§E 19）。",
)
def assembly_publish(request: HttpRequest, assembly_id: ObjectId, payload: PublishIn) -> dict:
    return _act(
        request,
        assembly_id,
        lambda a: services.assembly_publish(assembly=a, actor=request.auth, published_on=payload.published_on),
    )


# --- Motions ----------------------------------------------------------------------------------------


@router.get(
    "/voting/motions/{motion_id}",
    response=responses(200, MotionDetailOut),
    summary="表决事项详情（实时参与情况）",
    operation_id="voting_motion_detail",
    description="事项、材料、按所选规则的各项条件（表决中为实时数）、分楼栋参与情况，以及您可投票的房屋和您的选票哈希。",
)
def motion_detail(request: HttpRequest, motion_id: ObjectId) -> dict:
    motion = find_for_user(_motions(), request.auth, motion_id)
    out = motion_out(motion)
    out["assembly_status"] = motion.assembly.status
    out["tally"] = None
    out["buildings"] = []
    if motion.frozen_at is not None:
        tally, mixed = selectors.motion_tally(motion)
        out["tally"] = tally_out(tally, mixed)
        out["buildings"] = [
            {
                "building_id": b.building_id,
                "name": b.name,
                "units": b.units,
                "voted": b.voted,
                "area": _s(b.area),
                "voted_area": _s(b.voted_area),
                "percent_units": str(b.percent_units),
                "percent_area": str(b.percent_area),
            }
            for b in selectors.participation_by_building(motion)
        ]
    out["my_units"] = [
        {
            "unit_id": e.unit_id,
            "label": e.label,
            "area": _s(e.area),
            "choice": e.choice or None,
            "ballot_seq": e.ballot.seq if e.ballot else None,
            "ballot_hash": e.ballot.hash if e.ballot else None,
        }
        for e in selectors.owned_units(request.auth, motion)
    ]
    return out


@router.get(
    "/voting/motions/{motion_id}/result",
    response=responses(200, ResultOut),
    summary="表决结果（公示）",
    operation_id="voting_motion_result",
    description="计票后的结果：各项条件及其数字、差额和理由，选票链末哈希，各户房号、面积和意见——不含姓名（§C 14）。",
)
def motion_result(request: HttpRequest, motion_id: ObjectId) -> dict:
    motion = find_for_user(_motions(), request.auth, motion_id)
    if not motion.result:
        raise ApiError(404, ErrorCode.NOT_FOUND, "尚未计票", {})
    units = [
        {"label": r["label"], "area": _s(r["area"]), "area_source": r["area_source"], "choice": r["choice"] or None}
        for r in selectors.results_rows(motion)
    ]
    return {
        "motion_id": motion.pk,
        "published_on": motion.assembly.published_on,
        "tally": stored_tally(motion.result),
        "chain_head": motion.result["chain_head"],
        "chain_length": motion.result["chain_length"],
        "units": units,
    }


@router.get(
    "/voting/motions/{motion_id}/verify",
    response=responses(200, BallotChainVerifyOut),
    summary="核验选票哈希链",
    operation_id="voting_motion_verify",
    description="逐条重算选票哈希；不符时指出第一张不符的选票。可与公布的链末哈希比对。",
)
def motion_verify(request: HttpRequest, motion_id: ObjectId) -> dict:
    motion = find_for_user(_motions(), request.auth, motion_id)
    v = chain.verify(motion)
    return {
        "ok": v.ok,
        "length": v.length,
        "head": v.head,
        "published_head": (motion.result or {}).get("chain_head"),
        "bad_seq": v.bad_seq,
        "bad_unit_id": v.bad_unit_id,
        "problem": v.problem,
    }


def ballot_out(b: Ballot) -> dict[str, Any]:
    return {
        "id": b.pk,
        "motion_id": b.motion_id,
        "seq": b.seq,
        "kind": b.kind,
        "unit_id": b.unit_id,
        "round": b.round,
        "choice": b.choice or None,
        "channel": b.channel or None,
        "proxy_name": b.proxy_name,
        "sheet_no": b.sheet_no,
        "voids_id": b.voids_id,
        "reason": b.reason,
        "at": b.at,
        "prev_hash": b.prev_hash,
        "hash": b.hash,
    }


@router.get(
    "/voting/motions/{motion_id}/ballots",
    response=responses(200, BallotPage),
    summary="选票链",
    operation_id="voting_ballot_list",
    description="按序号列出选票记录（投票和作废）及其哈希；工作人员看全部，业主只看自己房屋的。",
)
def ballot_list(request: HttpRequest, motion_id: ObjectId, page: Query[PageQuery]) -> dict:
    motion = find_for_user(_motions(), request.auth, motion_id)
    qs = Ballot.objects.visible_to(request.auth).filter(motion=motion).order_by("seq")
    return _page(qs, page, ballot_out)


@router.post(
    "/voting/motions/{motion_id}/ballots",
    response=responses(201, BallotOut, write=True),
    summary="网上投票",
    operation_id="voting_ballot_cast",
    description="房屋的现任业主投票（共有人共用一票）；一户一票，投出后不能更改（已投票为409）。租户不能投票。",
)
def ballot_cast(request: HttpRequest, motion_id: ObjectId, payload: BallotIn) -> Status:
    motion = find_for_user(Motion.objects.all(), request.auth, motion_id)  # the hot path: no prefetches
    unit = find_for_user(Unit.objects.all(), request.auth, payload.unit_id, field="unit_id")
    with service_errors():
        ballot = services.ballot_cast(motion=motion, unit=unit, choice=payload.choice, actor=request.auth)
    return Status(201, ballot_out(ballot))


@router.post(
    "/voting/ballots/{ballot_id}/void",
    response=responses(201, BallotOut, write=True),
    summary="作废选票",
    operation_id="voting_ballot_void",
    description="工作人员填写原因作废一张有效选票：追加一条作废记录，原选票不变；该户可重新投票。",
)
def ballot_void(request: HttpRequest, ballot_id: ObjectId, payload: VoidIn) -> Status:
    ballot = find_for_user(Ballot.objects.all(), request.auth, ballot_id)
    with service_errors():
        entry = services.ballot_void(ballot=ballot, reason=payload.reason, actor=request.auth)
    return Status(201, ballot_out(entry))


def paper_out(p: PaperBallot) -> dict[str, Any]:
    return {
        "id": p.pk,
        "motion_id": p.motion_id,
        "unit_id": p.unit_id,
        "status": p.status,
        "sheet_no": p.sheet_no,
        "proxy_name": p.proxy_name,
        "entered_by_id": p.entered_by_id,
        "ballot_id": p.ballot_id,
    }


@router.post(
    "/voting/motions/{motion_id}/paper-ballots",
    response=responses(201, PaperBallotOut, write=True),
    summary="录入纸质表决票",
    operation_id="voting_paper_ballot_create",
    description="第一人录入；须另一名工作人员复核一致后才计入。委托投票须登记受托人和委托书。",
)
def paper_create(request: HttpRequest, motion_id: ObjectId, payload: PaperBallotIn) -> Status:
    motion = find_for_user(Motion.objects.select_related("assembly__estate"), request.auth, motion_id)
    # who may not key ballots is told so (403) before the unit is looked up (which they may not see)
    can_key_paper_ballot.require(request.auth, motion)
    unit = find_for_user(Unit.objects.all(), request.auth, payload.unit_id, field="unit_id")
    with service_errors():
        paper = services.paper_ballot_enter(
            motion=motion,
            unit=unit,
            choice=payload.choice,
            sheet_no=payload.sheet_no,
            proxy_name=payload.proxy_name,
            proxy_note=payload.proxy_note,
            actor=request.auth,
        )
    return Status(201, paper_out(paper))


@router.post(
    "/voting/paper-ballots/{paper_id}/confirm",
    response=responses(201, BallotOut, write=True),
    summary="复核纸质表决票",
    operation_id="voting_paper_ballot_confirm",
    description="另一名工作人员对照纸质票再录一次意见；一致则计入选票链，不一致则不变（400）。录入人本人复核为403。",
)
def paper_confirm(request: HttpRequest, paper_id: ObjectId, payload: PaperBallotConfirmIn) -> Status:
    paper = find_for_user(PaperBallot.objects.all(), request.auth, paper_id)
    with service_errors():
        ballot = services.paper_ballot_confirm(paper=paper, choice=payload.choice, actor=request.auth)
    return Status(201, ballot_out(ballot))


@router.post(
    "/voting/paper-ballots/{paper_id}/reject",
    response=responses(200, PaperBallotOut, write=True),
    summary="退回纸质表决票",
    operation_id="voting_paper_ballot_reject",
)
def paper_reject(request: HttpRequest, paper_id: ObjectId, payload: RejectIn) -> dict:
    paper = find_for_user(PaperBallot.objects.all(), request.auth, paper_id)
    with service_errors():
        paper = services.paper_ballot_reject(paper=paper, reason=payload.reason, actor=request.auth)
    return paper_out(paper)


# --- Petitions --------------------------------------------------------------------------------------


def petition_out(p: Petition) -> dict[str, Any]:
    return {
        "id": p.pk,
        "estate_id": p.estate_id,
        "estate_name": p.estate.name,
        "title": p.title,
        "reason": p.reason,
        "status": p.status,
        "reached_at": p.reached_at,
    }


def petition_detail(p: Petition) -> dict[str, Any]:
    progress = selectors.petition_progress(p)
    return petition_out(p) | {
        "signed_heads": progress.signed_heads,
        "total_heads": progress.total_heads,
        "needed": progress.needed,
        "percent": str(progress.percent),
        "reached": progress.reached,
    }


@router.get(
    "/voting/petitions",
    response=responses(200, PetitionPage),
    summary="临时会议提议列表",
    operation_id="voting_petition_list",
)
def petition_list(request: HttpRequest, filters: Query[PetitionListQuery]) -> dict:
    qs = selectors.petitions_for(request.auth)
    if filters.estate:
        qs = qs.filter(estate_id=filters.estate)
    return _page(qs, filters, petition_out)


@router.post(
    "/voting/petitions",
    response=responses(201, PetitionDetailOut, write=True),
    summary="发起临时会议提议",
    operation_id="voting_petition_create",
    description="本小区业主发起（并自动联名）；达到总人数20%时通知业委会和社区（§E 18）。",
)
def petition_create(request: HttpRequest, payload: PetitionCreateIn) -> Status:
    estate = find_for_user(Place.objects.estates(), request.auth, payload.estate_id, field="estate_id")
    with service_errors():
        petition = services.petition_create(
            estate=estate, title=payload.title, reason=payload.reason, actor=request.auth
        )
    return Status(201, petition_detail(Petition.objects.select_related("estate").get(pk=petition.pk)))


@router.get(
    "/voting/petitions/{petition_id}",
    response=responses(200, PetitionDetailOut),
    summary="临时会议提议详情（联名进度）",
    operation_id="voting_petition_detail",
)
def petition_get(request: HttpRequest, petition_id: ObjectId) -> dict:
    return petition_detail(find_for_user(Petition.objects.select_related("estate"), request.auth, petition_id))


@router.post(
    "/voting/petitions/{petition_id}/signatures",
    response=responses(201, PetitionDetailOut, write=True),
    summary="联名",
    operation_id="voting_petition_sign",
    description="本小区现任业主联名，每人一次（重复为409）。",
)
def petition_sign(request: HttpRequest, petition_id: ObjectId) -> Status:
    petition = find_for_user(Petition.objects.select_related("estate"), request.auth, petition_id)
    with service_errors():
        services.petition_sign(petition=petition, actor=request.auth)
    return Status(201, petition_detail(Petition.objects.select_related("estate").get(pk=petition.pk)))
