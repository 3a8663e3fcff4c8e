"""Cost split pages (费用分摊): the form and the printable table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.core.forms import parse_form
from gongzhi.core.scoping import get_for_user, require_staff, scope_of
from gongzhi.funds import permissions as perms
from gongzhi.funds import services
from gongzhi.funds.choices import (
    SplitBasis,
)
from gongzhi.funds.models import (
    CostSplit,
)
from gongzhi.funds.schemas import (
    SplitForm,
)
from gongzhi.funds.views.shared import _estate, _reason

# --- cost splits ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def split_new(request: HttpRequest, estate_pk: int) -> HttpResponse:
    require_staff(request.user)  # a staff page: residents may not know it exists (404)
    estate = _estate(request, estate_pk)
    perms.can_split_costs.require(request.user, estate)
    error = ""
    if request.method == "POST":
        try:
            split = services.cost_split_create(
                estate=estate, actor=request.user, **parse_form(SplitForm, request.POST).model_dump()
            )
        except ValidationError as exc:
            error = _reason(exc, SplitForm)
        else:
            return redirect("funds:split", pk=split.pk)
    splits = list(CostSplit.objects.visible_to(request.user).filter(estate=estate)[:50])
    return render(
        request,
        "funds/split_new.html",
        {
            "estate": estate,
            "error": error,
            "bases": SplitBasis.choices,
            "splits": splits,
            "form": request.POST,
            "nav_active": "funds",
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """A split's table, printable for signatures (分摊表，供签字)."""
    s = get_for_user(CostSplit.objects.select_related("estate"), request.user, pk=pk)
    can_split = perms.can_split_costs(scope_of(request.user), s.estate)
    return render(request, "funds/split.html", {"s": s, "shares": list(s.shares.all()), "can_split": can_split})
