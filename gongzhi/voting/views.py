"""Owners' vote pages (业主表决页面): the list, an assembly with its live participation and staff actions,
the owner's phone page for a motion, paper ballot entry and confirmation, the printable result notice
(公示), chain verification, petitions.

Reads go through ``visible_to`` / ``get_for_user`` (404 for who may not see); staff actions through
``get_for_user(write=True)`` (403 for who may only read); writes through the services, whose refusals
come back as a message and change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.scoping import get_for_user, scope_of
from gongzhi.registry.models import Ownership, Place, Unit
from gongzhi.voting import chain, rules, selectors, services
from gongzhi.voting.choices import AssemblyKind, AssemblyStatus, Choice, Matter, PaperStatus, PetitionStatus, RuleSet
from gongzhi.voting.models import (
    Assembly,
    Ballot,
    ElectorateUnit,
    Motion,
    PaperBallot,
    Petition,
    voting_write_paths,
)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _runner_estates(user: Any) -> list[Place]:
    estates = Place.objects.estates()
    if scope_of(user).everything:
        return list(estates.order_by("path")[:500])
    paths = voting_write_paths(user)
    if not paths:
        return []
    from gongzhi.core.scoping import path_q

    return list(estates.filter(path_q("path", paths)).order_by("path"))


def _owner_estates(user: Any) -> list[Place]:
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    ids = Ownership.objects.filter(person_id=person_id, until__isnull=True).values("unit__estate_id")
    return list(Place.objects.filter(pk__in=ids).order_by("path"))


def _motion(request: HttpRequest, pk: int, *, write: bool = False) -> Motion:
    qs = Motion.objects.select_related("assembly__estate")
    return get_for_user(qs, request.user, write=write, pk=pk)


def _assembly(request: HttpRequest, pk: int, *, write: bool = False) -> Assembly:
    return get_for_user(Assembly.objects.select_related("estate", "petition"), request.user, write=write, pk=pk)


def _moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


# --- Lists -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every assembly and petition the user may see, newest first."""
    return render(
        request,
        "voting/index.html",
        {
            "assemblies": selectors.assemblies_for(request.user)[:100],
            "petitions": selectors.petitions_for(request.user)[:50],
            "can_call": bool(_runner_estates(request.user)),
            "can_petition": bool(_owner_estates(request.user) or _runner_estates(request.user)),
            "nav_active": "voting",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assembly_new(request: HttpRequest) -> HttpResponse:
    """Call an assembly: the estate's committee and community staff only (others 403)."""
    estates = _runner_estates(request.user)
    if not estates:
        raise PermissionDenied
    petitions = list(
        Petition.objects.editable_by(request.user)
        .filter(status="reached", assembly__isnull=True)
        .select_related("estate")
    )
    values: dict[str, Any] = {"kind": AssemblyKind.REGULAR}
    if request.method == "POST":
        values = request.POST.dict()
        estate = next((e for e in estates if str(e.pk) == values.get("estate")), None)
        petition = next((p for p in petitions if str(p.pk) == values.get("petition")), None)
        opens_at, closes_at = _moment(values.get("opens_at")), _moment(values.get("closes_at"))
        problems = {}
        if estate is None:
            problems["estate"] = "请选择小区"
        if opens_at is None:
            problems["opens_at"] = "请填写表决开始时间"
        if closes_at is None:
            problems["closes_at"] = "请填写表决截止时间"
        try:
            if problems:
                raise ValidationError(problems)
            assembly = services.assembly_create(
                estate=estate,
                title=values.get("title", ""),
                kind=values.get("kind", AssemblyKind.REGULAR),
                notice_text=values.get("notice_text", ""),
                opens_at=opens_at,
                closes_at=closes_at,
                petition=petition,
                actor=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "会议已创建，请添加表决事项后发布公告")
            return redirect("voting:assembly", assembly.pk)
    return render(
        request,
        "voting/assembly_new.html",
        {
            "estates": estates,
            "petitions": petitions,
            "kinds": AssemblyKind.choices,
            "values": values,
            "notice_days": services.notice_days(),
            "nav_active": "voting",
        },
    )


@login_required
@require_GET
def assembly(request: HttpRequest, pk: int) -> HttpResponse:
    """One assembly: agenda, dates, live participation by building; the staff's actions."""
    obj = _assembly(request, pk)
    runner = services.can_run(request.user, obj.estate)
    motions = list(selectors.motions_of(obj))
    now = timezone.now()
    live = []
    if obj.status in (AssemblyStatus.OPEN, AssemblyStatus.CLOSED, AssemblyStatus.PUBLISHED):
        for m in motions:
            m.assembly = obj
            tally, mixed = selectors.motion_tally(m)
            live.append((m, tally, selectors.participation_by_building(m)))
    buildings = list(Place.objects.filter(parent=obj.estate, kind="building").order_by("sort_key", "name"))
    return render(
        request,
        "voting/assembly.html",
        {
            "assembly": obj,
            "motions": motions,
            "live": live,
            "runner": runner,
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
            "can_close": obj.status == AssemblyStatus.OPEN and now >= obj.closes_at,
            "pending_paper": PaperBallot.objects.filter(motion__assembly=obj, status=PaperStatus.PENDING).count(),
            "nav_active": "voting",
        },
    )


@login_required
@require_POST
def motion_add(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _assembly(request, pk, write=True)
    ids = request.POST.getlist("buildings")
    buildings = list(Place.objects.filter(pk__in=[i for i in ids if i.isdigit()], kind="building"))
    documents = []
    if request.POST.get("doc_title", "").strip() or request.POST.get("doc_body", "").strip():
        documents.append((request.POST.get("doc_title", ""), request.POST.get("doc_body", "")))
    try:
        services.motion_add(
            assembly=obj,
            title=request.POST.get("title", ""),
            matter=request.POST.get("matter", ""),
            rule_set=request.POST.get("rule_set") or None,
            description=request.POST.get("description", ""),
            buildings=buildings,
            documents=documents,
            actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已加入议程")
    return redirect("voting:assembly", obj.pk)


ACTIONS = {
    "notice": ("已发布会议公告，议程已固定", lambda a, u, p: services.assembly_post_notice(
        assembly=a, actor=u, noticed_on=parse_date(p.get("noticed_on") or "") or None
    )),
    "open": ("表决已开始，表决名册已冻结", lambda a, u, p: services.assembly_open(assembly=a, actor=u)),
    "close": ("已计票", lambda a, u, p: services.assembly_close(assembly=a, actor=u)),
    "publish": ("已公布表决结果", lambda a, u, p: services.assembly_publish(
        assembly=a, actor=u, published_on=parse_date(p.get("published_on") or "") or None
    )),
}  # fmt: skip


@login_required
@require_POST
def assembly_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    obj = _assembly(request, pk, write=True)
    done, run = ACTIONS[action]
    try:
        run(obj, request.user, request.POST)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)
    return redirect("voting:assembly", obj.pk)


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
    mine = services.owned_units(request.user, obj) if obj.assembly.status != AssemblyStatus.DRAFT else []
    now = timezone.now()
    voting_now = obj.assembly.is_open and obj.assembly.opens_at <= now < obj.assembly.closes_at
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
            "is_owner_elsewhere": bool(_owner_estates(request.user)),
            "runner": services.can_run(request.user, obj.assembly.estate),
            "nav_active": "voting",
        },
    )


@login_required
@require_POST
def cast(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _motion(request, pk)
    unit_id = request.POST.get("unit", "")
    # a unit the user may not see does not exist for them (404), as in the API
    unit = Unit.objects.visible_to(request.user).filter(pk=int(unit_id)).first() if unit_id.isdigit() else None
    if unit is None:
        raise Http404
    try:
        ballot = services.ballot_cast(motion=obj, unit=unit, choice=request.POST.get("choice", ""), actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"投票成功，已计入。选票第{ballot.seq}号，哈希 {ballot.hash[:16]}…")
    return redirect("voting:motion", obj.pk)


# --- Paper ballots (four eyes) -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Key in paper ballots, and confirm the ones someone else keyed (双人复核)."""
    obj = _motion(request, pk, write=True)
    if request.method == "POST":
        label = request.POST.get("unit", "").strip()
        row = ElectorateUnit.objects.filter(motion=obj, label=label).select_related("unit").first()
        try:
            if row is None:
                raise ValidationError({"unit": f"房号「{label}」不在表决名册中（应如 1号楼1单元101）"})
            services.paper_ballot_enter(
                motion=obj,
                unit=row.unit,
                choice=request.POST.get("choice", ""),
                sheet_no=request.POST.get("sheet_no", ""),
                proxy_name=request.POST.get("proxy_name", ""),
                proxy_note=request.POST.get("proxy_note", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已录入 {label}，请另一名工作人员复核后计入")
            return redirect("voting:paper", obj.pk)
    pending = list(
        PaperBallot.objects.filter(motion=obj, status=PaperStatus.PENDING).select_related("entered_by").order_by("id")
    )
    labels = dict(ElectorateUnit.objects.filter(motion=obj).values_list("unit_id", "label"))
    for p in pending:
        p.label = labels.get(p.unit_id, p.unit_id)
        p.mine = p.entered_by_id == request.user.pk
    recent = list(Ballot.objects.filter(motion=obj).order_by("-seq")[:20])
    voided = set(
        Ballot.objects.filter(motion=obj, kind="void", voids__in=[b.pk for b in recent]).values_list(
            "voids_id", flat=True
        )
    )
    for b in recent:
        b.label = labels.get(b.unit_id, b.unit_id)
        b.can_void = b.kind == "cast" and b.pk not in voided
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
            "nav_active": "voting",
        },
    )


@login_required
@require_POST
def paper_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    paper_ballot = get_for_user(PaperBallot.objects.all(), request.user, write=True, pk=pk)
    try:
        ballot = services.paper_ballot_confirm(
            paper=paper_ballot, choice=request.POST.get("choice", ""), actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"复核一致，已计入：选票第{ballot.seq}号")
    return redirect("voting:paper", paper_ballot.motion_id)


@login_required
@require_POST
def paper_reject(request: HttpRequest, pk: int) -> HttpResponse:
    paper_ballot = get_for_user(PaperBallot.objects.all(), request.user, write=True, pk=pk)
    try:
        services.paper_ballot_reject(paper=paper_ballot, reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已退回")
    return redirect("voting:paper", paper_ballot.motion_id)


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = get_for_user(Ballot.objects.all(), request.user, write=True, pk=pk)
    try:
        services.ballot_void(ballot=ballot, reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"第{ballot.seq}号选票已作废，该户可重新投票")
    return redirect("voting:paper", ballot.motion_id)


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
    estates = {e.pk: e for e in _owner_estates(request.user) + _runner_estates(request.user)}
    if not estates:
        raise PermissionDenied
    if request.method == "POST":
        estate = estates.get(int(request.POST["estate"])) if request.POST.get("estate", "").isdigit() else None
        try:
            if estate is None:
                raise ValidationError({"estate": "请选择小区"})
            petition = services.petition_create(
                estate=estate,
                title=request.POST.get("title", ""),
                reason=request.POST.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "提议已发起")
            return redirect("voting:petition", petition.pk)
    return render(request, "voting/petition_new.html", {"estates": list(estates.values()), "nav_active": "voting"})


@login_required
@require_GET
def petition(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Petition.objects.select_related("estate"), request.user, pk=pk)
    progress = selectors.petition_progress(obj)
    person_id = getattr(request.user, "person_id", None)
    signed = bool(person_id) and obj.signatures.filter(person_id=person_id).exists()
    can_sign = not signed and obj.status != PetitionStatus.CLOSED and services.owns_in(request.user, obj.estate)
    return render(
        request,
        "voting/petition.html",
        {
            "petition": obj,
            "progress": progress,
            "signed": signed,
            "can_sign": can_sign,
            "runner": services.can_run(request.user, obj.estate),
            "nav_active": "voting",
        },
    )


@login_required
@require_POST
def petition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_for_user(Petition.objects.select_related("estate"), request.user, pk=pk)
    try:
        services.petition_sign(petition=obj, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已联名")
    return redirect("voting:petition", obj.pk)
