"""Editing the routing table and the time limits: who may, what is refused (in Chinese, naming the field,
changing nothing), the audit row of every change, and that no change touches an order already filed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.accounts import services as account_services
from gongzhi.core.models import AuditLog
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from gongzhi.work_orders import services
from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy, WorkOrder
from gongzhi.work_orders.routing import services as sr
from tests.personas import ESTATE_A_READ_ONLY, ESTATE_A_WRITERS
from tests.work_orders.conftest import MONDAY_10, submit
from tests.world import PASSWORD

MINUTE = dt.timedelta(minutes=1)
EDITORS = ESTATE_A_WRITERS
READ_ONLY = ESTATE_A_READ_ONLY


def _state():
    return (
        list(
            RoutingRule.all_objects.order_by("pk").values_list("category_id", "company_id", "department_id", "active")
        ),
        list(SlaPolicy.objects.order_by("pk").values_list("tier", "category_id", "accept_minutes", "arrive_minutes")),
        AuditLog.objects.count(),
    )


def _refused(exc: pytest.ExceptionInfo, field: str) -> str:
    messages = exc.value.message_dict[field]
    assert messages and all(isinstance(m, str) and m for m in messages)
    return messages[0]


def _route(wo, category):
    return services.route_for(estate=wo.estate_a, category=category, on=MONDAY_10.date()).body


def _district_officer(wo):
    user = account_services.user_create(username="district_officer", password=PASSWORD, actor=None)
    account_services.role_assign(user=user, role="street_officer", place=wo.district, actor=None)
    return user


# --- Routing rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_community_and_street_staff_route_a_category_with_an_audit_row(wo, persona):
    # given an estate whose leaks go to the contract company
    assert _route(wo, wo.leak) == wo.company_a
    audits = AuditLog.objects.count()
    # when community or street staff route its water category to the housing department
    rule = sr.routing_rule_create(
        estate=wo.estate_a, category=wo.leak.parent, department=wo.housing, actor=wo.users[persona]
    )
    # then leaks (a sub-category) follow it, and the change is in the audit log
    assert _route(wo, wo.leak) == wo.housing
    assert submit(wo).department == wo.housing
    log = AuditLog.objects.order_by("-pk").first()
    assert AuditLog.objects.count() == audits + 2  # the rule, then the order just filed
    log = AuditLog.objects.filter(object_type="work_orders.routingrule").get()
    assert log.action == "create" and log.object_id == str(rule.pk)
    assert log.summary == "新增派单规则：甲小区 × 水电气暖 → 西城区住房城市建设委员会"
    assert log.after["department_id"] == wo.housing.pk and log.after["active"] is True


@pytest.mark.parametrize("persona", [*READ_ONLY, "community_staff_b", "property_manager_b", "resident", "no_role"])
def test_others_may_not_change_the_routing_table(wo, persona):
    rule = sr.routing_rule_create(estate=wo.estate_a, category=wo.noise, department=wo.housing, actor=None)
    before = _state()
    user = wo.users[persona]
    with pytest.raises(PermissionDenied):
        sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, company=wo.company_b, actor=user)
    with pytest.raises(PermissionDenied):
        sr.routing_rule_update(rule=rule, company=wo.company_a, actor=user)
    with pytest.raises(PermissionDenied):
        sr.routing_rule_deactivate(rule=rule, actor=user)
    assert _state() == before


def test_a_rule_names_exactly_one_responsible_body(wo):
    before = _state()
    staff = wo.users["community_staff"]
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, actor=staff)
    assert _refused(exc, "responsible") == "责任单位：请在物业企业、产权单位、职能部门中选择且只选择一个"
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(
            estate=wo.estate_a, category=wo.leak, company=wo.company_a, department=wo.housing, actor=staff
        )
    assert "只选择一个" in _refused(exc, "responsible")
    assert _state() == before


def test_the_rights_unit_must_be_one_of_the_estate(wo):
    staff = wo.users["street_officer"]
    # the rights unit owns a unit of estate A, none of estate B
    sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, rights_unit=wo.rights_unit, actor=staff)
    # a developer is not a rights unit, even when registered at the estate
    developer = reg.organisation_create(kind="developer", name="某开发商", place=wo.estate_a, actor=None)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_b, category=wo.leak, rights_unit=wo.rights_unit, actor=staff)
    assert _refused(exc, "rights_unit") == "产权单位：某产权单位在乙小区没有登记，也没有产权房屋"
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=wo.noise, rights_unit=developer, actor=staff)
    assert _refused(exc, "rights_unit") == "产权单位：某开发商不是产权单位"
    assert _state() == before


def test_the_department_must_be_of_the_estates_district(wo):
    other_district = reg.place_create(kind="district", name="东城区", parent=wo.city, actor=None)
    elsewhere = gov.department_create(kind="housing", name="东城区住建委", place=other_district, actor=None)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=elsewhere, actor=wo.users["admin"])
    assert _refused(exc, "department") == "职能部门：东城区住建委不属于甲小区所在的区"
    assert _state() == before


def test_one_active_rule_per_estate_and_category(wo):
    staff = wo.users["community_staff"]
    first = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=wo.housing, actor=staff)
    default = sr.routing_rule_create(estate=wo.estate_a, category=None, company=wo.company_b, actor=staff)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, company=wo.company_b, actor=staff)
    assert exc.value.error_dict["category"][0].code == "unique"
    assert f"甲小区的“{wo.leak}”已有启用的派单规则" in _refused(exc, "category")
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=None, department=wo.housing, actor=staff)
    assert "全部类别（本小区默认）" in _refused(exc, "category")
    assert _state() == before
    # the same category in the other estate is another rule; a stopped rule makes room for a new one
    sr.routing_rule_create(estate=wo.estate_b, category=wo.leak, company=wo.company_b, actor=wo.users["admin"])
    sr.routing_rule_deactivate(rule=first, actor=staff)
    again = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, company=wo.company_b, actor=staff)
    assert RoutingRule.all_objects.filter(estate=wo.estate_a, category=wo.leak).count() == 2
    assert list(RoutingRule.objects.filter(estate=wo.estate_a).order_by("pk")) == [default, again]


def test_an_inactive_category_cannot_be_routed(wo):
    Category.objects.filter(pk=wo.noise.pk).update(active=False)
    wo.noise.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_create(estate=wo.estate_a, category=wo.noise, department=wo.housing, actor=None)
    assert _refused(exc, "category") == "诉求类别：“邻里纠纷/噪音扰民”已停用"


def test_updating_a_rule_changes_its_body_with_before_and_after(wo):
    staff = wo.users["street_officer"]
    rule = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=wo.housing, actor=staff)
    sr.routing_rule_update(rule=rule, rights_unit=wo.rights_unit, actor=staff)
    rule.refresh_from_db()
    assert (rule.department, rule.rights_unit) == (None, wo.rights_unit)
    assert _route(wo, wo.leak) == wo.rights_unit
    log = AuditLog.objects.order_by("-pk").first()
    assert log.action == "update" and log.summary == f"修改派单规则：甲小区 × {wo.leak} → 某产权单位"
    assert (log.before["department_id"], log.after["department_id"]) == (wo.housing.pk, None)
    assert log.after["rights_unit_id"] == wo.rights_unit.pk
    # the same body again changes nothing; a stopped rule cannot be changed
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_update(rule=rule, rights_unit=wo.rights_unit, actor=staff)
    assert _refused(exc, "responsible") == "责任单位：与原规则相同，没有修改"
    sr.routing_rule_deactivate(rule=rule, actor=staff)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.routing_rule_update(rule=rule, company=wo.company_a, actor=staff)
    assert "已停用" in _refused(exc, "active")
    with pytest.raises(ValidationError):
        sr.routing_rule_deactivate(rule=rule, actor=staff)
    assert _state() == before


def test_deactivating_falls_back_to_the_parent_the_default_then_the_contract(wo):
    staff = wo.users["community_staff"]
    own = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, rights_unit=wo.rights_unit, actor=staff)
    parent = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak.parent, department=wo.housing, actor=staff)
    default = sr.routing_rule_create(estate=wo.estate_a, category=None, company=wo.company_b, actor=staff)
    assert _route(wo, wo.leak) == wo.rights_unit
    sr.routing_rule_deactivate(rule=own, actor=staff)
    assert _route(wo, wo.leak) == wo.housing
    sr.routing_rule_deactivate(rule=parent, actor=staff)
    assert _route(wo, wo.leak) == wo.company_b
    sr.routing_rule_deactivate(rule=default, actor=staff)
    assert _route(wo, wo.leak) == wo.company_a  # the contract company
    log = AuditLog.objects.order_by("-pk").first()
    assert (log.before, log.after) == ({"active": True}, {"active": False})
    assert log.summary == "停用派单规则：甲小区 × 全部类别（本小区默认） → 乙物业有限公司"
    assert RoutingRule.all_objects.filter(estate=wo.estate_a, active=False).count() == 3


def test_the_routing_table_agrees_with_route_for_for_every_category(wo):
    staff = wo.users["community_staff"]
    sr.routing_rule_create(estate=wo.estate_a, category=wo.leak.parent, department=wo.housing, actor=staff)
    sr.routing_rule_create(estate=wo.estate_a, category=wo.garbage, rights_unit=wo.rights_unit, actor=staff)
    table = sr.routing_table(wo.estate_a, MONDAY_10.date())
    assert table[0].category is None and table[0].body == wo.company_a
    assert table[0].source == "物业服务企业（合同）"
    for row in table[1:]:
        assert row.body == _route(wo, row.category), row.category
    sources = {row.category.code: row.source for row in table[1:]}
    assert sources[wo.leak.parent.code] == "本类别规则"
    assert sources[wo.leak.code] == "沿用上级类别“水电气暖”的规则"
    assert sources[wo.garbage.code] == "本类别规则"
    assert sources[wo.noise.code] == "物业服务企业（合同）"
    assert len(table) == Category.objects.filter(active=True).count() + 1


def test_the_preview_is_what_an_order_filed_now_gets(wo):
    SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3, arrive_minutes=10)
    sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=wo.housing, actor=None)
    preview = sr.order_preview(estate=wo.estate_a, category=wo.leak)
    order = submit(wo)
    assert preview.route.body == order.department == wo.housing
    assert (preview.accept_by, preview.resolve_by) == (order.accept_by, order.resolve_by)
    assert preview.accept_by == MONDAY_10 + 3 * MINUTE
    assert preview.arrive_by == MONDAY_10 + 10 * MINUTE
    assert (preview.tier, preview.source) == ("basic", "本类别规则")
    services.work_order_accept(work_order=order, actor=wo.users["housing_officer"])
    order.refresh_from_db()
    assert order.arrive_by == preview.arrive_by  # accepted at once (time is frozen)
    emergency = sr.order_preview(estate=wo.estate_a, category=wo.garbage, priority="emergency")
    assert emergency.resolve_by == MONDAY_10 + 120 * MINUTE  # §G 28: 2 hours


# --- Time limits ----------------------------------------------------------------------------------


def test_admin_and_district_officers_set_time_limits_with_an_audit_row(wo):
    policy = sr.sla_policy_create(
        tier="basic", category=None, accept_minutes=3, arrive_minutes=10, actor=wo.users["admin"]
    )
    log = AuditLog.objects.order_by("-pk").first()
    assert log.action == "create" and log.summary == "新增时限标准：保障型 × 所有类别"
    assert log.after["accept_minutes"] == 3 and log.after["resolve_minutes"] is None
    # the 劲松 tier: accept within 3 minutes, on site within 10, resolve as the defaults say
    order = submit(wo, category=wo.garbage)
    assert order.accept_by == MONDAY_10 + 3 * MINUTE
    officer = _district_officer(wo)
    sr.sla_policy_update(policy=policy, accept_minutes=5, arrive_minutes=15, actor=officer)
    policy.refresh_from_db()
    assert (policy.accept_minutes, policy.arrive_minutes) == (5, 15)
    log = AuditLog.objects.order_by("-pk").first()
    assert (log.before["accept_minutes"], log.after["accept_minutes"]) == (3, 5)
    assert log.actor == officer


@pytest.mark.parametrize("persona", ["street_officer", "community_staff", *READ_ONLY, "resident", "no_role"])
def test_others_may_not_change_time_limits(wo, persona):
    policy = SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3)
    before = _state()
    user = wo.users[persona]
    with pytest.raises(PermissionDenied):
        sr.sla_policy_create(tier="livable", category=None, accept_minutes=3, actor=user)
    with pytest.raises(PermissionDenied):
        sr.sla_policy_update(policy=policy, accept_minutes=4, actor=user)
    with pytest.raises(PermissionDenied):
        sr.sla_policy_delete(policy=policy, actor=user)
    assert _state() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"accept_minutes": 0}, "accept_minutes", "受理时限：应为正整数（分钟），不能为0或负数"),
        ({"arrive_minutes": -5}, "arrive_minutes", "到场时限：应为正整数（分钟），不能为0或负数"),
        ({"resolve_minutes": "三天"}, "resolve_minutes", "办结时限：应为正整数（分钟）"),
        ({"resolve_minutes": "1.5"}, "resolve_minutes", "办结时限：应为正整数（分钟）"),
        ({"accept_minutes": True}, "accept_minutes", "受理时限：应为正整数（分钟）"),
        ({"accept_minutes": 2.0}, "accept_minutes", "受理时限：应为正整数（分钟）"),
        ({"resolve_minutes": 366 * 24 * 60 + 1}, "resolve_minutes", "办结时限：不能超过366天（527040分钟）"),
        ({}, "accept_minutes", "受理时限：受理、到场、办结时限至少填写一项"),
        ({"accept_minutes": 30, "arrive_minutes": 10}, "arrive_minutes", "到场时限：10分钟短于受理时限30分钟"),
        ({"arrive_minutes": 60, "resolve_minutes": 30}, "resolve_minutes", "办结时限：30分钟短于到场时限60分钟"),
        ({"accept_minutes": 60, "resolve_minutes": 30}, "resolve_minutes", "办结时限：30分钟短于受理时限60分钟"),
        # the on-site limit it would inherit (the default: 24 hours) is shorter than this accept limit
        (
            {"accept_minutes": 2000},
            "arrive_minutes",
            "到场时限：实际为1440分钟（含沿用的设置），短于受理时限2000分钟",
        ),
        (
            {"accept_minutes": 5, "working_hours_only": "是"},
            "working_hours_only",
            "只计工作时间：应为“是”“否”或不填（沿用）",
        ),
    ],
)
def test_bad_time_limits_are_refused_naming_the_field(wo, fields, field, message):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_create(tier="basic", category=wo.garbage, actor=wo.users["admin"], **fields)
    assert _refused(exc, field) == message
    assert _state() == before


def test_an_unknown_tier_and_a_second_row_for_the_same_tier_and_category_are_refused(wo):
    admin = wo.users["admin"]
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_create(tier="gold", category=None, accept_minutes=3, actor=admin)
    assert _refused(exc, "tier") == "服务等级：未知的等级“gold”"
    sr.sla_policy_create(tier="basic", category=wo.garbage, accept_minutes=10, actor=admin)
    sr.sla_policy_create(tier=None, category=None, accept_minutes=20, actor=admin)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_create(tier="basic", category=wo.garbage, accept_minutes=5, actor=admin)
    assert exc.value.error_dict["category"][0].code == "unique"
    assert _refused(exc, "category") == f"诉求类别：“保障型 × {wo.garbage}”已有时限标准，请直接修改"
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_create(tier=None, category=None, accept_minutes=25, actor=admin)
    assert "所有等级 × 所有类别" in _refused(exc, "category")
    assert _state() == before


def test_an_update_is_checked_like_a_create_and_a_delete_falls_back(wo):
    admin = wo.users["admin"]
    policy = sr.sla_policy_create(tier="basic", category=None, accept_minutes=3, arrive_minutes=10, actor=admin)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_update(policy=policy, accept_minutes=20, arrive_minutes=10, actor=admin)
    assert _refused(exc, "arrive_minutes") == "到场时限：10分钟短于受理时限20分钟"
    with pytest.raises(ValidationError) as exc:
        sr.sla_policy_update(policy=policy, accept_minutes=3, arrive_minutes=10, actor=admin)
    assert _refused(exc, "accept_minutes") == "时限：与原设置相同，没有修改"
    assert _state() == before
    sr.sla_policy_delete(policy=policy, actor=admin)
    assert not SlaPolicy.objects.exists()
    log = AuditLog.objects.order_by("-pk").first()
    assert log.action == "delete" and log.before["accept_minutes"] == 3
    assert submit(wo, category=wo.garbage).accept_by == MONDAY_10 + 30 * MINUTE  # the default again


def test_changes_never_alter_the_deadlines_or_the_body_of_orders_already_filed(wo):
    # given open orders in each running state
    filed = submit(wo, category=wo.garbage)
    accepted = submit(wo)
    services.work_order_accept(work_order=accepted, actor=wo.users["property_manager"])
    on_site = submit(wo, category=wo.noise)
    services.work_order_accept(work_order=on_site, actor=wo.users["property_manager"])
    services.work_order_arrive(work_order=on_site, actor=wo.users["property_manager"])
    fields = ["accept_by", "arrive_by", "resolve_by", "sla_working_hours", "company_id", "department_id"]
    stored = list(WorkOrder.objects.order_by("pk").values_list(*fields))
    # when every limit and every route changes
    admin = wo.users["admin"]
    policy = sr.sla_policy_create(
        tier="basic", category=None, accept_minutes=3, arrive_minutes=10, resolve_minutes=60, actor=admin
    )
    sr.sla_policy_update(policy=policy, accept_minutes=1, arrive_minutes=2, resolve_minutes=5, actor=admin)
    sr.sla_policy_create(tier=None, category=wo.noise.parent, accept_minutes=1, working_hours_only=True, actor=admin)
    rule = sr.routing_rule_create(estate=wo.estate_a, category=None, department=wo.housing, actor=admin)
    sr.routing_rule_update(rule=rule, rights_unit=wo.rights_unit, actor=admin)
    # then the orders already filed keep their deadlines and their responsible body
    assert list(WorkOrder.objects.order_by("pk").values_list(*fields)) == stored
    # and the sweep judges them by what they were given
    assert services.sweep_overdue(MONDAY_10 + 10 * MINUTE) == 0
    # while a new order gets the new ones
    new = submit(wo, category=wo.garbage)
    assert (new.accept_by, new.resolve_by, new.rights_unit) == (
        MONDAY_10 + MINUTE,
        MONDAY_10 + 5 * MINUTE,
        wo.rights_unit,
    )
    assert filed.pk != new.pk


def test_the_sla_table_marks_what_is_set_and_what_is_inherited(wo):
    SlaPolicy.objects.create(tier="livable", category=None, accept_minutes=3, arrive_minutes=10)
    columns, table = sr.sla_table()
    assert [tier for tier, _ in columns] == ["basic", "remedial", "comfort", "livable", None]
    by_category = {category.code if category else None: cells for category, cells in table}
    livable_any = by_category[None][3]
    assert livable_any.explicit and livable_any.text == "3分钟 / 10分钟 / 7天"
    leak_livable = by_category[wo.leak.code][3]
    assert not leak_livable.explicit and leak_livable.text == "3分钟 / 10分钟 / 1天"  # utilities: 24 h
    assert by_category[wo.leak.code][0].text == "30分钟 / 1天 / 1天"
    assert sr.minutes_text(90) == "1小时30分钟"


# --- Demo -----------------------------------------------------------------------------------------


def test_the_demo_rules_give_the_jinsong_tier_and_send_house_safety_to_the_rights_unit_or_the_housing_department(wo):
    from gongzhi.work_orders.routing import demo as demo_rules

    jinsong = reg.place_create(kind="estate", name="劲松一区", parent=wo.community_a, actor=None)
    gov.contract_create(
        company=wo.company_a,
        estate=jinsong,
        start=dt.date(2023, 8, 1),
        fee_residential_fen=60,
        service_tier="comfort",
        actor=None,
    )
    bare = reg.place_create(kind="estate", name="广安门北街20号院", parent=wo.community_b, actor=None)
    assert demo_rules.build(seed=2026) == {"policies": 1, "rules": 2}
    policy = SlaPolicy.objects.get()
    assert (policy.tier, policy.category, policy.accept_minutes, policy.arrive_minutes) == ("comfort", None, 3, 10)
    safety = Category.objects.get(code="housing-safety")
    wo.roof = Category.objects.get(code="housing-safety-roof")
    assert services.route_for(estate=wo.estate_a, category=safety, on=MONDAY_10.date()).body == wo.rights_unit
    assert services.route_for(estate=bare, category=wo.roof, on=MONDAY_10.date()).body == wo.housing
    order = submit(wo, estate=jinsong, reporter=None, reporter_name="张大爷", category=wo.garbage)
    assert order.accept_by == MONDAY_10 + 3 * MINUTE
    assert AuditLog.objects.filter(object_type__in=["work_orders.slapolicy", "work_orders.routingrule"]).count() == 3
    # a second run makes nothing
    assert demo_rules.build(seed=2026) == {"policies": 0, "rules": 0}
