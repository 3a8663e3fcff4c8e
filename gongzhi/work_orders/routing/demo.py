"""Demo routing rules and time limits (演示派单规则、时限标准), made before the demo orders so that their
routing and clocks follow them.

- The 劲松 tier: the service tier of 劲松一区's current contract answers a call within 3 minutes and is
  at the door within 10 (the seeds' 劲松北 promise); resolution keeps the defaults (DOMAIN_RULES.md §G 28).
- An estate with a rights unit (产权单位) sends house-safety demands (房屋安全) to it: the old buildings
  are the rights unit's to repair.
- 广安门北街20号院 has no property company: its house-safety demands (房屋安全: leaking roofs, cracked
  walls of the old courtyard) go to the district's housing department (房管局); the rest to the
  residents' committee as before.

Everything goes through routing/services.py with the system as actor, so each rule has its audit row.
Nothing is made twice: a rule or limit already there is left alone.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from gongzhi.governance.models import Department
from gongzhi.registry.choices import OrganisationKind, PlaceKind
from gongzhi.registry.models import Ownership, Place
from gongzhi.work_orders import services
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy
from gongzhi.work_orders.routing import services as services_rules

JINSONG = "劲松一区"
NO_COMPANY = "广安门北街20号院"


def build(*, seed: int = 2026, log: Any = None) -> dict[str, int]:  # noqa: ARG001 - deterministic, no randomness
    log = log or (lambda _msg: None)
    counts = {"policies": 0, "rules": 0}
    today = timezone.localdate()
    estates = {p.name: p for p in Place.objects.filter(kind=PlaceKind.ESTATE, name__in=[JINSONG, NO_COMPANY])}
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=True)}

    jinsong = estates.get(JINSONG)
    contract = services.current_contract(jinsong, today) if jinsong else None
    if contract is not None and not SlaPolicy.objects.filter(tier=contract.service_tier, category=None).exists():
        services_rules.sla_policy_create(
            tier=contract.service_tier, category=None, accept_minutes=3, arrive_minutes=10, actor=None
        )
        counts["policies"] += 1

    safety = categories.get("housing-safety")
    holding = (
        Ownership.objects.filter(organisation__kind=OrganisationKind.RIGHTS_UNIT, until__isnull=True)
        .select_related("organisation", "unit__estate")
        .order_by("unit__estate_id", "organisation_id")
        .first()
    )
    if safety and holding and not RoutingRule.objects.filter(estate=holding.unit.estate, category=safety).exists():
        services_rules.routing_rule_create(
            estate=holding.unit.estate, category=safety, rights_unit=holding.organisation, actor=None
        )
        counts["rules"] += 1

    bare = estates.get(NO_COMPANY)
    if bare and safety and not RoutingRule.objects.filter(estate=bare, category=safety).exists():
        above = [int(pk) for pk in bare.path.strip("/").split("/") if pk]
        department = Department.objects.filter(place_id__in=above, kind="housing").order_by("pk").first()
        if department is not None:
            services_rules.routing_rule_create(estate=bare, category=safety, department=department, actor=None)
            counts["rules"] += 1
    log(f"演示派单规则与时限标准：{counts['rules']} 条规则，{counts['policies']} 条时限标准。")
    return counts
