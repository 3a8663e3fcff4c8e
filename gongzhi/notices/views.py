"""Notice pages (公告公示): staff list, draft, post and withdraw; a notice with its read count and the unread
households by building; the resident's 公告 list and notice (opening it records the household's
receipt); and a printable A4 lobby poster with the online address.

Reads go through the selectors (``visible_to``: 404 for who may not see it); writes through the services
(403 with the permission's reason; refusals come back as messages and change nothing).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.core.errors import Forbidden, invalid
from gongzhi.core.forms import parse_form, render_refused, submit
from gongzhi.core.permissions import allowed
from gongzhi.core.scoping import require_staff, scope_of
from gongzhi.notices import selectors, services
from gongzhi.notices.choices import Audience, NoticeKind, NoticeStatus, Purpose
from gongzhi.notices.permissions import can_acknowledge, can_publish, can_see_unread, publishable_kinds
from gongzhi.notices.schemas import NoticeCreateIn, NoticeToldIn, NoticeWithdrawIn
from gongzhi.registry.models import Unit
from gongzhi.registry.selectors import buildings_for_estate

PER_PAGE = 30


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """公告公示 (staff): the notices of the estates the user sees, drafts included; the §F 24 reminders."""
    require_staff(request.user)
    status = request.GET.get("status", "")
    if status not in NoticeStatus.values:
        status = ""
    notices = selectors.notices_for_user(request.user, status=status)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    estates = selectors.publishable_estates(request.user)
    today = timezone.localdate()
    shanghai = selectors.disclosure_estates(estates)[:50]
    reminders = [(e, d) for e in shanghai for d in selectors.disclosures(e, today) if d.due]
    return render(
        request,
        "notices/list.html",
        {
            "page": page,
            "status": status,
            "statuses": NoticeStatus.choices,
            "can_create": bool(estates),
            "reminders": reminders,
            "nav_active": "notices",
        },
    )


def _form_context(request: HttpRequest, estates: list, form: Any) -> dict[str, Any]:
    buildings = [b for e in estates for b in buildings_for_estate(e)] if len(estates) <= 20 else []
    return {
        "estates": estates,
        "buildings": buildings,
        "kinds": NoticeKind.choices,
        "purposes": Purpose.choices,
        "audiences": Audience.choices,
        "form": form,
        "chosen_buildings": form.getlist("building_ids") if hasattr(form, "getlist") else [],
        "nav_active": "notices",
    }


@login_required
@require_http_methods(["GET", "POST"])
def notice_create(request: HttpRequest) -> HttpResponse:
    """起草公告: the form parses through the API's schema (NoticeCreateIn); the service checks the rest."""
    require_staff(request.user)
    estates = selectors.publishable_estates(request.user)
    if not estates:
        raise Forbidden(can_publish.message, code=can_publish.code)
    if request.method == "GET":
        return render(request, "notices/form.html", _form_context(request, estates, {}))
    try:
        data = parse_form(NoticeCreateIn, request.POST)
        estate = next((e for e in estates if e.pk == data.estate_id), None)
        if estate is None:
            raise invalid("estate_id", "小区：请选择您可以发布公告的小区")
        if data.kind not in publishable_kinds(scope_of(request.user), estate):
            raise Forbidden(can_publish.message, code=can_publish.code)
        by_id = {b.pk: b for b in buildings_for_estate(estate)}
        unknown = [i for i in data.building_ids if i not in by_id]
        if unknown:
            raise invalid("building_ids", "楼栋：所选楼栋不在本小区，超出了公告的发布范围")
        notice = services.notice_create(
            estate=estate,
            kind=data.kind,
            purpose=data.purpose,
            audience=data.audience,
            buildings=[by_id[i] for i in data.building_ids],
            title=data.title,
            body=data.body,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            event_on=data.event_on,
            actor=request.user,
        )
    except ValidationError as exc:
        return render_refused(request, "notices/form.html", _form_context(request, estates, request.POST), exc)
    return redirect("notices:detail", notice.pk)


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One notice for staff: its text, period, read count by building and — for its publishers and the
    grid workers and volunteers of its buildings — the households that have not read it."""
    require_staff(request.user)
    notice = selectors.notice_for_user(request.user, pk)
    scope = scope_of(request.user)
    may_publish = can_publish(scope, notice.estate, notice.kind)
    see_unread = can_see_unread(scope, notice)
    counts = selectors.read_counts(notice)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "buildings": list(notice.buildings.all()),
            "counts": counts,
            "groups": selectors.read_counts_by_group(notice) if notice.posted_at else [],
            "unread": selectors.unread_by_building(request.user, notice, counts=counts) if see_unread else None,
            "may": {"publish": may_publish, **allowed(scope, notice, acts=(can_see_unread,))},
            "nav_active": "notices",
        },
    )


@login_required
@require_POST
def notice_post(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    notice = selectors.notice_for_user(request.user, pk)
    back = reverse("notices:detail", args=[notice.pk])
    return submit(request, lambda: services.notice_post(notice=notice, actor=request.user), done="已发布", back=back)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    require_staff(request.user)
    notice = selectors.notice_for_user(request.user, pk)
    back = reverse("notices:detail", args=[notice.pk])

    def act() -> Any:
        data = parse_form(NoticeWithdrawIn, request.POST)
        return services.notice_withdraw(notice=notice, reason=data.reason, actor=request.user)

    return submit(request, act, done="已撤回", back=back)


@login_required
@require_POST
def notice_told(request: HttpRequest, pk: int) -> HttpResponse:
    """上门告知: a grid worker or volunteer ticks the households they told in person."""
    require_staff(request.user)
    notice = selectors.notice_for_user(request.user, pk)
    back = reverse("notices:detail", args=[notice.pk])

    def act() -> int:
        data = parse_form(NoticeToldIn, request.POST)
        units = list(Unit.objects.filter(pk__in=data.unit_ids, estate_id=notice.estate_id))
        if len(units) != len(set(data.unit_ids)):
            raise invalid("unit_ids", "住户：有的住户不在本小区")
        return services.notice_mark_told(notice=notice, units=units, actor=request.user)

    return submit(request, act, done=lambda n: f"已登记 {n} 户上门告知", back=back)


@login_required
@require_GET
def notice_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """The A4 lobby poster (楼道张贴): the notice, its period and the address of the online copy."""
    notice = selectors.notice_for_user(request.user, pk)
    online = request.build_absolute_uri(reverse("notices:my_notice", args=[notice.pk]))
    return render(request, "notices/poster.html", {"notice": notice, "online": online})


@login_required
@require_GET
def my_notices(request: HttpRequest) -> HttpResponse:
    """公告 (residents, phone first): the posted notices addressed to my households, unread marked."""
    notices = selectors.my_notices(request.user)
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notices/mine.html", {"page": page, "nav_active": "notices"})


@login_required
@require_GET
def my_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """One posted notice for a resident; opening it records the household's receipt (once)."""
    notice = selectors.notice_for_user(request.user, pk)
    if notice.status != NoticeStatus.POSTED:
        raise Http404
    if can_acknowledge(scope_of(request.user), notice):
        services.notice_open(notice=notice, actor=request.user)
    counts = selectors.read_counts(notice)
    return render(request, "notices/my_notice.html", {"notice": notice, "counts": counts, "nav_active": "notices"})
