"""Oversight pages (查阅监督): each subject's last review and the sign-off."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import require_staff
from gongzhi.funds import permissions as perms
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.choices import (
    ReviewSubject,
)
from gongzhi.funds.schemas import (
    ReviewIn,
)
from gongzhi.funds.views.shared import _act, _can, _estate

# --- oversight ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def reviews(request: HttpRequest, estate_pk: int) -> HttpResponse:
    """Oversight (查阅监督): each subject's last review, what is overdue, and the sign-off form."""
    require_staff(request.user)
    estate = _estate(request, estate_pk)
    from gongzhi.funds.models import Review

    q, _ = rules.quarter_of(timezone.localdate())
    last_q_end = q - dt.timedelta(days=1)
    return render(
        request,
        "funds/reviews.html",
        {
            "estate": estate,
            "status": selectors.review_status(estate),
            "history": list(
                Review.objects.visible_to(request.user).filter(estate=estate).select_related("reviewer")[:50]
            ),
            "can": _can(request, estate),
            "subjects": ReviewSubject.choices,
            "default_start": rules.quarter_of(last_q_end)[0],
            "default_end": last_q_end,
            "nav_active": "funds",
        },
    )


@login_required
@require_POST
def review_sign(request: HttpRequest, estate_pk: int) -> HttpResponse:
    estate = _estate(request, estate_pk)
    perms.can_review.require(request.user, estate)
    return _act(
        request,
        f"/funds/estate/{estate.pk}/reviews/",
        lambda: services.review_sign(
            estate=estate, actor=request.user, **parse_form(ReviewIn, request.POST).model_dump()
        ),
        "已签署查阅意见",
        ReviewIn,
    )
