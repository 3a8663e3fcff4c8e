"""Cost splits by area (费用分摊, 民法典 art. 283): exact to the fen, summing to the total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core.audit import audited_create
from gongzhi.funds import rules
from gongzhi.funds.choices import (
    SplitBasis,
)
from gongzhi.funds.models import (
    CostShare,
    CostSplit,
)
from gongzhi.funds.permissions import (
    can_split_costs,
)
from gongzhi.funds.services.shared import _user
from gongzhi.registry.models import Place, Unit

# --- cost splits -----------------------------------------------------------------------------------------------


def cost_split_create(
    *, estate: Place, title: str, total_fen: int, basis: str, actor: Any, decision_ref: str = ""
) -> CostSplit:
    """Split a shared cost by area (费用分摊, 民法典 art. 283, §F 25): among the estate's rights units by
    the area each holds, or among all units; exact to the fen, summing to the total."""
    from gongzhi.registry.selectors import rights_units_for_estate

    can_split_costs.require(actor, estate)
    errors = {}
    if not title.strip():
        errors["title"] = "事项不能为空"
    if total_fen <= 0:
        errors["total_fen"] = "总额应大于0"
    if basis not in SplitBasis.values:
        errors["basis"] = "分摊对象无效"
    lines: list[dict[str, Any]] = []
    if basis == SplitBasis.RIGHTS_UNITS:
        lines = [
            {"label": s.name, "organisation_id": s.organisation_id, "area": s.area}
            for s in rights_units_for_estate(estate)
        ]
        if not lines:
            errors["basis"] = "该小区没有产权单位"
    elif basis == SplitBasis.UNITS:
        units = (
            Unit.objects.filter(estate=estate, area__isnull=False)
            .select_related("building", "entrance")
            .order_by("path", "number")
        )
        lines = [{"label": u.label, "unit_id": u.pk, "area": u.area} for u in units]
        if not lines:
            errors["basis"] = "该小区没有有面积的房屋"
    if errors:
        raise ValidationError(errors)
    shares = rules.split_by_area(total_fen, [Decimal(line["area"]) for line in lines])
    with transaction.atomic():
        split = audited_create(
            CostSplit(
                estate=estate,
                title=title.strip(),
                total_fen=total_fen,
                basis=basis,
                decision_ref=decision_ref.strip(),
                created_by=_user(actor),
            ),
            actor=actor,
            event="funds.split.created",
            summary=f"费用分摊：{title.strip()} {len(lines)} 方",
        )
        CostShare.objects.bulk_create(
            [
                CostShare(split=split, estate=estate, position=i, amount_fen=amount, **line)
                for i, (line, amount) in enumerate(zip(lines, shares, strict=True), start=1)
            ],
            batch_size=2000,
        )
    return split
