"""Owners' vote pages (业主表决页面): the list, an assembly with its live participation and staff actions,
the owner's phone page for a motion, paper ballot entry and confirmation, the printable result notice
(公示), chain verification, petitions.

Reads go through ``visible_to`` / ``get_for_user`` (404 for who may not see). What a page offers is
decided by the permissions of ``gongzhi.voting.permissions`` (``allowed``), the same predicates the
services guard with; a refused write shows the service's own reason (a ``Forbidden`` is the 403
page with it). Every form is parsed by the API's input schema for that write (``parse_form``), so a
page refuses a value exactly as the API does, naming the field in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import Forbidden, invalid, reason_of
from gongzhi.core.forms import parse_form, submit
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import get_for_user, require_staff, scope_of
from gongzhi.registry.models import Place, Unit
from gongzhi.voting import chain, rules, selectors, services
from gongzhi.voting.choices import AssemblyKind, AssemblyStatus, Choice, Matter, PaperStatus, PetitionStatus, RuleSet
from gongzhi.voting.models import Assembly, Ballot, ElectorateUnit, Motion, PaperBallot, Petition
from gongzhi.voting.permissions import (
    ASSEMBLY_ACTS,
    MOTION_ACTS,
    can_call_assembly,
    can_key_paper_ballot,
    can_petition,
    can_sign,
    runner_q,
)
from gongzhi.voting.schemas import (
    AssemblyCreateIn,
    BallotIn,
    DocumentIn,
    MotionCreateIn,
    NoticeIn,
    PaperBallotConfirmIn,
    PaperBallotIn,
    PetitionCreateIn,
    PublishIn,
    RejectIn,
    VoidIn,
)

# A datetime-local box sends a time without a zone ("2026-05-01T09:00"): the page's times are Beijing time.
_LOCAL_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?")


def _refused(request: HttpRequest, template: str, context: dict[str, Any], exc: ValidationError) -> HttpResponse:
    """Re-render a full form with the service's (or the schema's) own reason, answered 400 or 409."""
    messages.error(request, reason_of(exc))
    return render(request, template, context, status=getattr(exc, "status", 400))


def _runner_estates(user: Any) -> list[Place]:
    """The estates whose votes the user runs (the list form of the runner permissions)."""
    scope = scope_of(user)
    if not (scope.everything or scope.held):
        return []
    estates = Place.objects.estates().filter(runner_q(scope, "path")).order_by("path")
    return list(estates[:500])


def _owner_estates(user: Any) -> list[Place]:
    """The estates where the user owns a unit now (from the units of the Scope)."""
    scope = scope_of(user)
    if not scope.owned_unit_ids:
        return []
    ids = Unit.objects.filter(pk__in=scope.owned_unit_ids).values("estate_id")
    return list(Place.objects.filter(pk__in=ids).order_by("path"))


def _motion(request: HttpRequest, pk: int) -> Motion:
    return get_for_user(Motion.objects.select_related("assembly__estate"), request.user, pk=pk)


def _assembly(request: HttpRequest, pk: int) -> Assembly:
    return get_for_user(Assembly.objects.select_related("estate", "petition"), request.user, pk=pk)


def _with_zone(post: QueryDict, *names: str) -> QueryDict:
    """The POST with Beijing's offset added to zoneless datetime-local values; the schema parses them."""
    data = post.copy()
    offset = timezone.localtime().strftime("%z")
    for name in names:
        value = data.get(name, "").strip()
        if _LOCAL_MOMENT.fullmatch(value):
            data[name] = f"{value}{offset[:3]}:{offset[3:]}"
    return data


# --- Lists -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every assembly and petition the user may see, newest first."""
    runs = bool(_runner_estates(request.user))
    return render(
        request,
        "voting/index.html",
        {
            "assemblies": selectors.assemblies_for(request.user)[:100],
            "petitions": selectors.petitions_for(request.user)[:50],
            "can_call": runs,
            "can_petition": runs or bool(_owner_estates(request.user)),
            "nav_active": "voting",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assembly_new(request: HttpRequest) -> HttpResponse:
    """Call an assembly: the estate's committee and community staff only (others 403 with the reason).
    The form is parsed by the API's schema (AssemblyCreateIn)."""
    require_staff(request.user)  # a staff page: residents may not know it exists (404)
    estates = _runner_estates(request.user)
    if not estates:
        raise Forbidden(can_call_assembly.message, code=can_call_assembly.code)
    petitions = list(
        Petition.objects.visible_to(request.user)
        .filter(runner_q(scope_of(request.user), "estate__path"), status=PetitionStatus.REACHED, assembly__isnull=True)
        .select_related("estate")
    )
    values: dict[str, Any] = {"kind": AssemblyKind.REGULAR}
    context = {
        "estates": estates,
        "petitions": petitions,
        "kinds": AssemblyKind.choices,
        "values": values,
        "notice_days": services.notice_days(),
        "nav_active": "voting",
    }
    if request.method == "POST":
        context["values"] = request.POST.dict()
        try:
            data = parse_form(AssemblyCreateIn, _with_zone(request.POST, "opens_at", "closes_at"))
            estate = next((e for e in estates if e.pk == data.estate_id), None)
            if estate is None:
                raise invalid("estate_id", "小区编号：请选择您办理表决的小区")
            petition = None
            if data.petition_id is not None:
                petition = next((p for p in petitions if p.pk == data.petition_id), None)
                if petition is None:
                    raise invalid("petition_id", "依据的临时会议提议编号：请选择已达到20%的提议")
            assembly = services.assembly_create(
                estate=estate,
                title=data.title,
                kind=data.kind,
                notice_text=data.notice_text,
                opens_at=data.opens_at,
                closes_at=data.closes_at,
                petition=petition,
                actor=request.user,
            )
        except ValidationError as exc:
            return _refused(request, "voting/assembly_new.html", context, exc)
        messages.success(request, "会议已创建，请添加表决事项后发布公告")
        return redirect("voting:assembly", assembly.pk)
    return render(request, "voting/assembly_new.html", context)


@login_required
@require_GET
def assembly(request: HttpRequest, pk: int) -> HttpResponse:
    """One assembly: agenda, dates, live participation by building; the staff's actions."""
    obj = _assembly(request, pk)
    scope = scope_of(request.user)
    motions = list(selectors.motions_of(obj))
    now = timezone.now()
    live = []
    if obj.status in (AssemblyStatus.OPEN, AssemblyStatus.CLOSED, AssemblyStatus.PUBLISHED):
        for m in motions:
            m.assembly = obj
            tally, mixed = selectors.motion_tally(m)
            live.append((m, tally, selectors.participation_by_building(m)))
    can = allowed(scope, obj, acts=ASSEMBLY_ACTS)
    # every motion of an assembly is run by the same people: ask about the first
    if motions:
        motions[0].assembly = obj
        can.update(allowed(scope, motions[0], acts=MOTION_ACTS))
    buildings = list(Place.objects.filter(parent=obj.estate, kind="building").order_by("sort_key", "name"))
    return render(
        request,
        "voting/assembly.html",
        {
            "assembly": obj,
            "motions": motions,
            "live": live,
            "can": can,
            "runner": any(can.values()),
            "matters": Matter.choices,
            "rule_sets": RuleSet.choices,
            "buildings": buildings,
            "expected_rule_set": rules.expected_rule_set(
                timezone.localdate(obj.opens_at), timezone.localdate(obj.closes_at)
            ),
            "notice_deadline": timezone.localdate(obj.opens_at) - dt.timedelta(days=services.notice_days()),
            "publish_by": (timezone.localdate(obj.closed_at) + dt.timedelta(days=rules.PUBLISH_DAYS))
            if obj.closed_at
            else None,
            "due_to_close": obj.can_close() and obj.is_due(now),
            "pending_paper": PaperBallot.objects.filter(motion__assembly=obj, status=PaperStatus.PENDING).count(),
            "nav_active": "voting",
        },
    )


def _motion_add(request: HttpRequest, obj: Assembly) -> Motion:
    """Parse the agenda form with the API's schema (MotionCreateIn) and add the motion."""
    documents = []
    if request.POST.get("doc_title", "").strip() or request.POST.get("doc_body", "").strip():
        # the one document the page offers, parsed by the API's document schema (its errors name 标题/内容)
        doc = {"title": request.POST.get("doc_title", ""), "body": request.POST.get("doc_body", "")}
        documents.append(parse_form(DocumentIn, doc).model_dump())
    data = parse_form(MotionCreateIn, request.POST, documents=documents)
    buildings = list(Place.objects.filter(pk__in=data.building_ids, kind="building"))
    if len(buildings) != len(set(data.building_ids)):
        raise invalid("building_ids", "表决范围（楼栋编号）：有楼栋不存在")
    return services.motion_add(
        assembly=obj,
        title=data.title,
        matter=data.matter,
        rule_set=data.rule_set,
        description=data.description,
        buildings=buildings,
        documents=[(d.title, d.body) for d in data.documents],
        actor=request.user,
    )


@login_required
@require_POST
def motion_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _assembly(request, pk)
    return submit(
        request, lambda: _motion_add(request, obj), done="已加入议程", back=reverse("voting:assembly", args=[pk])
    )


ACTIONS = {
    "notice": ("已发布会议公告，议程已固定", lambda a, u, p: services.assembly_post_notice(
        assembly=a, actor=u, noticed_on=parse_form(NoticeIn, p).noticed_on
    )),
    "open": ("表决已开始，表决名册已冻结", lambda a, u, p: services.assembly_open(assembly=a, actor=u)),
    "close": ("已计票", lambda a, u, p: services.assembly_close(assembly=a, actor=u)),
    "publish": ("已公布表决结果", lambda a, u, p: services.assembly_publish(
        assembly=a, actor=u, published_on=parse_form(PublishIn, p).published_on
    )),
}  # fmt: skip


@login_required
@require_POST
def assembly_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    obj = _assembly(request, pk)
    done, run = ACTIONS[action]
    return submit(
        request, lambda: run(obj, request.user, request.POST), done=done, back=reverse("voting:assembly", args=[pk])
    )


@login_required
@require_GET
def participation(request: HttpRequest, pk: int) -> HttpResponse:
    """The live participation of a motion by building (htmx polls it while the vote is open)."""
    motion = _motion(request, pk)
    tally, _ = selectors.motion_tally(motion)
    return render(
        request,
        "voting/_participation.html",
        {"motion": motion, "tally": tally, "rows": selectors.participation_by_building(motion)},
    )


# --- The owner's phone page ------------------------------------------------------------------------------


@login_required
@require_GET
def motion(request: HttpRequest, pk: int) -> HttpResponse:
    """What is being decided, its documents, the vote for each of the user's units, and the receipt."""
    obj = _motion(request, pk)
    mine = selectors.owned_units(request.user, obj) if obj.assembly.status != AssemblyStatus.DRAFT else []
    now = timezone.now()
    voting_now = obj.assembly.can_vote(now)
    return render(
        request,
        "voting/motion.html",
        {
            "motion": obj,
            "assembly": obj.assembly,
            "documents": list(obj.documents.all()),
            "mine": mine,
            "voting_now": voting_now,
            "choices": Choice.choices,
            "special": obj.matter in rules.CIVIL_CODE_SPECIAL,
            "nav_active": "voting",
        },
    )


def _cast(request: HttpRequest, obj: Motion) -> Ballot:
    data = parse_form(BallotIn, request.POST)
    # a unit the user may not see does not exist for them (404), as in the API
    unit = Unit.objects.visible_to(request.user).filter(pk=data.unit_id).first()
    if unit is None:
        raise Http404
    return services.ballot_cast(motion=obj, unit=unit, choice=data.choice, actor=request.user)


@login_required
@require_POST
def cast(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _motion(request, pk)
    return submit(
        request,
        lambda: _cast(request, obj),
        done=lambda ballot: f"投票成功，已计入。选票第{ballot.seq}号，哈希 {ballot.hash[:16]}…",
        back=reverse("voting:motion", args=[pk]),
    )


# --- Paper ballots (four eyes) -----------------------------------------------------------------------------


def _paper_enter(request: HttpRequest, obj: Motion) -> PaperBallot:
    """The keyed paper ballot: the 房号 is looked up in the frozen roll, the rest parsed by PaperBallotIn."""
    label = request.POST.get("unit", "").strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in label):  # never a control character into a query
        raise invalid("unit", "房号：含有不允许的控制字符，请重新输入（应如 1号楼1单元101）")
    row = ElectorateUnit.objects.filter(motion=obj, label=label).first() if label and len(label) <= 80 else None
    if row is None:
        shown = label if len(label) <= 80 else label[:80] + "…"
        raise invalid("unit", f"房号：「{shown}」不在表决名册中（应如 1号楼1单元101）")
    data = parse_form(PaperBallotIn, request.POST, unit_id=row.unit_id)
    return services.paper_ballot_enter(
        motion=obj,
        unit=Unit.objects.get(pk=row.unit_id),
        choice=data.choice,
        sheet_no=data.sheet_no,
        proxy_name=data.proxy_name,
        proxy_note=data.proxy_note,
        actor=request.user,
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Key in paper ballots, and confirm the ones someone else keyed (双人复核)."""
    require_staff(request.user)  # a staff page: residents may not know it exists (404)
    obj = _motion(request, pk)
    if not can_key_paper_ballot(scope_of(request.user), obj):
        raise Forbidden(can_key_paper_ballot.message, code=can_key_paper_ballot.code)
    error = None
    if request.method == "POST":
        try:
            paper_ballot = _paper_enter(request, obj)
        except ValidationError as exc:
            error = exc
            messages.error(request, reason_of(exc))
        else:
            label = ElectorateUnit.objects.filter(motion=obj, unit_id=paper_ballot.unit_id).values_list(
                "label", flat=True
            )
            messages.success(request, f"已录入 {label.first()}，请另一名工作人员复核后计入")
            return redirect("voting:paper", obj.pk)
    pending = list(
        PaperBallot.objects.filter(motion=obj, status=PaperStatus.PENDING).select_related("entered_by").order_by("id")
    )
    labels = dict(ElectorateUnit.objects.filter(motion=obj).values_list("unit_id", "label"))
    for p in pending:
        p.label = labels.get(p.unit_id, p.unit_id)
        p.mine = p.entered_by_id == request.user.pk  # the four-eyes rule: not the keyer
    recent = list(Ballot.objects.filter(motion=obj).order_by("-seq")[:20])
    voided = set(
        Ballot.objects.filter(motion=obj, kind="void", voids__in=[b.pk for b in recent]).values_list(
            "voids_id", flat=True
        )
    )
    can = allowed(scope_of(request.user), obj, acts=MOTION_ACTS)
    for b in recent:
        b.label = labels.get(b.unit_id, b.unit_id)
        b.can_void = can["void"] and b.kind == "cast" and b.pk not in voided
    return render(
        request,
        "voting/paper.html",
        {
            "motion": obj,
            "assembly": obj.assembly,
            "pending": pending,
            "choices": Choice.choices,
            "labels": sorted(labels.values()),
            "recent": recent,
            "can": can,
            "nav_active": "voting",
        },
        status=getattr(error, "status", 400) if error is not None else 200,
    )


def _paper_ballot(request: HttpRequest, pk: int) -> PaperBallot:
    return get_for_user(PaperBallot.objects.all(), request.user, pk=pk)


@login_required
@require_POST
def paper_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    paper_ballot = _paper_ballot(request, pk)
    return submit(
        request,
        lambda: services.paper_ballot_confirm(
            paper=paper_ballot, choice=parse_form(PaperBallotConfirmIn, request.POST).choice, actor=request.user
        ),
        done=lambda ballot: f"复核一致，已计入：选票第{ballot.seq}号",
        back=reverse("voting:paper", args=[paper_ballot.motion_id]),
    )


@login_required
@require_POST
def paper_reject(request: HttpRequest, pk: int) -> HttpResponse:
    paper_ballot = _paper_ballot(request, pk)
    return submit(
        request,
        lambda: services.paper_ballot_reject(
            paper=paper_ballot, reason=parse_form(RejectIn, request.POST).reason, actor=request.user
        ),
        done="已退回",
        back=reverse("voting:paper", args=[paper_ballot.motion_id]),
    )


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_for_user(Ballot.objects.all(), request.user, pk=pk)
    return submit(
        request,
        lambda: services.ballot_void(ballot=ballot, reason=parse_form(VoidIn, request.POST).reason, actor=request.user),
        done=f"第{ballot.seq}号选票已作废，该户可重新投票",
        back=reverse("voting:paper", args=[ballot.motion_id]),
    )


# --- Result notice and verification ---------------------------------------------------------------------


@login_required
@require_GET
def result(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable result notice (表决结果公示): each condition with its numbers, margin and why; each
    unit by number and area, never by name (§C 14); the chain heads to verify against."""
    obj = _assembly(request, pk)
    motions = list(selectors.motions_of(obj))
    rows = []
    for m in motions:
        units = list(selectors.results_rows(m)) if request.GET.get("units") == "1" else []
        rows.append((m, m.result, units))
    return render(
        request,
        "voting/result.html",
        {
            "assembly": obj,
            "rows": rows,
            "show_units": request.GET.get("units") == "1",
            "revocation_ends": rules.revocation_ends(obj.published_on) if obj.published_on else None,
            "choice_labels": dict(Choice.choices),
            "nav_active": "voting",
        },
    )


@login_required
@require_GET
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Check a motion's ballot chain now (开箱验票): the head to compare with the published one."""
    obj = _motion(request, pk)
    outcome = chain.verify(obj)
    published = (obj.result or {}).get("chain_head")
    return render(
        request,
        "voting/verify.html",
        {"motion": obj, "assembly": obj.assembly, "outcome": outcome, "published": published, "nav_active": "voting"},
    )


# --- Petitions (§E 18) -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def petition_new(request: HttpRequest) -> HttpResponse:
    """Start a petition: the owners of an estate and its committee and community staff (others 403).
    The form is parsed by the API's schema (PetitionCreateIn)."""
    estates = {e.pk: e for e in _owner_estates(request.user) + _runner_estates(request.user)}
    if not estates:
        raise Forbidden(can_petition.message, code=can_petition.code)
    context = {"estates": list(estates.values()), "nav_active": "voting"}
    if request.method == "POST":
        try:
            data = parse_form(PetitionCreateIn, request.POST)
            estate = estates.get(data.estate_id)
            if estate is None:
                raise invalid("estate_id", "小区编号：请选择您所在的小区")
            petition = services.petition_create(estate=estate, title=data.title, reason=data.reason, actor=request.user)
        except ValidationError as exc:
            return _refused(request, "voting/petition_new.html", context, exc)
        messages.success(request, "提议已发起")
        return redirect("voting:petition", petition.pk)
    return render(request, "voting/petition_new.html", context)


@login_required
@require_GET
def petition(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Petition.objects.select_related("estate"), request.user, pk=pk)
    scope = scope_of(request.user)
    progress = selectors.petition_progress(obj)
    signed = bool(scope.person_ids) and obj.signatures.filter(person_id__in=scope.person_ids).exists()
    return render(
        request,
        "voting/petition.html",
        {
            "petition": obj,
            "progress": progress,
            "signed": signed,
            "can_sign": not signed and obj.can_sign() and can_sign(scope, obj),
            "can_call": can_call_assembly(scope, obj.estate),
            "nav_active": "voting",
        },
    )


@login_required
@require_POST
def petition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Petition.objects.select_related("estate"), request.user, pk=pk)
    return submit(
        request,
        lambda: services.petition_sign(petition=obj, actor=request.user),
        done="已联名",
        back=reverse("voting:petition", args=[obj.pk]),
    )
