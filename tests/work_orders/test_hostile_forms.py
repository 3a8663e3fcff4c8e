"""Every work-orders page form that writes, fuzzed with the hostile values (tests/hostile.py): no 5xx, a
refusal names the field in Chinese, and a refused post changes nothing. The forms parse through the API's
schemas, so these are the API's own refusals."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from gongzhi.work_orders import services
from gongzhi.work_orders.models import RoutingRule, SlaPolicy, WorkOrder, WorkOrderEvent
from tests.hostile import HOSTILE, fuzz_form
from tests.work_orders.conftest import submit

TABLES = (WorkOrder, WorkOrderEvent, RoutingRule, SlaPolicy)


def _restorer(order: WorkOrder):
    """Put the order back as it was after a post the form accepted (so the next value meets the same state)."""
    saved = WorkOrder.objects.filter(pk=order.pk).values().get()
    saved.pop("id")

    def restore() -> None:
        WorkOrder.objects.filter(pk=order.pk).update(**saved)

    return restore


class Following:
    """A client whose posts follow the redirect, so each post's message is shown (and used up) on the
    page it lands on: a message left unread would be read again with the next post's."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client = client

    def post(self, url: str, data: dict):  # noqa: ANN201
        return self.client.post(url, data, follow=True)


def _url(name: str, order: WorkOrder) -> str:
    return reverse(f"work_orders:{name}", args=[order.pk])


def test_the_report_form(wo):
    client = Following(wo.client_for("resident"))
    valid = {
        "category": wo.leak.pk,
        "place": f"estate-{wo.estate_a.pk}",
        "location": "3号楼东侧",
        "description": "漏水",
    }
    titles = {"category": "问题类别", "place": "问题在哪里", "location": "具体位置", "description": "诉求内容"}
    assert fuzz_form(client, reverse("work_orders:report"), valid, titles=titles, tables=TABLES) > 0


def test_the_handler_forms(wo):
    manager = Following(wo.client_for("property_manager"))
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=None)
    restore = _restorer(order)
    fuzz_form(
        manager,
        _url("assign", order),
        {"assignee": wo.users["technician"].pk},
        titles={"assignee": "处理人"},
        tables=TABLES,
        after=restore,
    )
    fuzz_form(
        manager,
        _url("transfer", order),
        {"target": f"department-{wo.housing.pk}", "reason": "属于房屋安全"},
        titles={"target": "接收单位", "reason": "转办原因"},
        tables=TABLES,
        after=restore,
    )
    into = submit(wo, reporter="tenant", description="楼上漏水到我家")
    fuzz_form(
        manager,
        _url("merge", order),
        {"into": into.number, "note": ""},
        titles={"into": "并入工单号", "note": "说明"},
        tables=TABLES,
        after=restore,
    )
    services.work_order_arrive(work_order=order, actor=None)
    fuzz_form(
        manager,
        _url("resolve", order),
        {"note": "已修好"},
        titles={"note": "处理说明"},
        tables=TABLES,
        after=_restorer(order),
    )


def test_the_escalation_form(wo):
    order = submit(wo)
    fuzz_form(
        Following(wo.client_for("street_officer")),
        _url("escalate", order),
        {"reason": "久拖不办"},
        titles={"reason": "原因"},
        tables=TABLES,
        after=_restorer(order),
    )


def test_the_reporters_forms(wo):
    resident = Following(wo.client_for("resident"))
    order = submit(wo)
    fuzz_form(
        resident, _url("cancel", order), {"reason": "不需要了"}, titles={"reason": "原因"}, tables=TABLES,
        after=_restorer(order),
    )  # fmt: skip
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=order, actor=None)
    services.work_order_resolve(work_order=order, note="已修好", actor=None)
    restore = _restorer(order)
    fuzz_form(
        resident,
        _url("confirm", order),
        {"rating": "5", "comment": "很快"},
        titles={"rating": "满意度评分", "comment": "评价"},
        tables=TABLES,
        after=restore,
    )
    fuzz_form(
        resident, _url("reopen", order), {"reason": "又漏了"}, titles={"reason": "原因"}, tables=TABLES, after=restore
    )


def test_the_routing_table_form(wo):
    url = reverse("work_orders:routing_save", args=[wo.estate_a.pk])

    def drop_new_rules() -> None:
        RoutingRule.all_objects.all().delete()

    fuzz_form(
        Following(wo.client_for("community_staff")),
        url,
        {"category": wo.noise.pk, "body": f"company-{wo.company_a.pk}", "rule": ""},
        titles={"category": "诉求类别", "body": "责任单位", "rule": "派单规则"},
        tables=TABLES,
        after=drop_new_rules,
    )


def test_the_time_limit_form(wo):
    valid = {
        "tier": "livable",
        "category": "",
        "accept_minutes": "5",
        "arrive_minutes": "",
        "resolve_minutes": "",
        "working_hours_only": "",
    }
    titles = {
        "tier": "服务等级",
        "category": "诉求类别",
        "accept_minutes": "受理时限",
        "arrive_minutes": "到场时限",
        "resolve_minutes": "办结时限",
        "working_hours_only": "只计工作时间",
    }

    def drop_new_policies() -> None:
        SlaPolicy.objects.all().delete()

    client = Following(wo.client_for("admin"))
    fuzz_form(client, reverse("work_orders:sla_save"), valid, titles=titles, tables=TABLES, after=drop_new_policies)
    policy = SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3)
    fuzz_form(
        client,
        reverse("work_orders:sla_save"),
        {"policy": policy.pk, "accept_minutes": "4"},
        titles={"policy": "时限标准", "accept_minutes": "受理时限"},
        tables=TABLES,
        after=lambda: SlaPolicy.objects.filter(pk=policy.pk).update(accept_minutes=3),
    )


def test_the_12345_import_form(wo):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["工单编号", "受理时间", "诉求内容", "来电人", "联系电话", "诉求地址/小区", "问题分类", "办理时限"])
    writer.writerow(["KF20261120009", "2026-11-20 09:15", "水管漏水", "张女士", "", "甲小区1号楼", "跑冒滴漏、管道漏水", ""])  # fmt: skip
    content = buffer.getvalue().encode()
    client = Following(wo.client_for("community_staff"))

    class Upload(io.BytesIO):
        name = "12345.csv"

    url = reverse("hotline12345:import")
    for value in HOSTILE.values():  # the file changes with every post, so fuzz_form cannot reuse one
        before = WorkOrder.objects.count()
        response = client.post(url, {"estate": value, "file": Upload(content)})
        assert response.status_code < 500, value
        if response.status_code >= 400:
            assert WorkOrder.objects.count() == before
            assert "小区" in response.content.decode()
        WorkOrder.objects.filter(channel="hotline_12345").delete()
