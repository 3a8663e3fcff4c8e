"""The rates page, its Excel export, the orders behind each number, and the printable problem ledger.

DOMAIN_RULES.md §G 26 (the three rates), §A 3 (percent to 2 places for people). Nothing here writes:
every refused request is also checked to have changed nothing (no order, event or audit row).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditLog
from gongzhi.work_orders.models import WorkOrder, WorkOrderEvent
from gongzhi.work_orders.reports.views import chinese_numeral
from tests.work_orders.test_reports_world import at, build_orders, make_order

RATES = reverse("work_orders:rates")
EXPORT = reverse("work_orders:rates_export")
ORDERS = reverse("work_orders:rates_orders")


def counts() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), WorkOrderEvent.objects.count(), AuditLog.objects.count()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the rates page ------------------------------------------------------------------------------------


def test_rates_page_shows_each_rate_with_numerator_denominator_and_percent(wo):
    build_orders(wo)
    response = wo.client_for("street_officer").get(RATES)
    assert response.status_code == 200
    html = text(response)
    assert "2026年11月 · 按小区" in html
    # 甲小区: 响应率 2/3, 解决率 2/3, 满意率 1/2 (§G 26), 2 places (§A 3)
    row = html[html.index("<td>甲小区</td>") : html.index("<td>乙小区</td>")]
    assert "66.67%" in row and "50.00%" in row
    assert re.search(r">2</a> / <a [^>]*>3</a>", row)
    assert re.search(r">1</a> / <a [^>]*>2</a>", row)
    assert 'title="精确值 2/3"' in row
    total = html[html.index('class="total"') :]
    assert "75.00%" in total and "66.67%" in total
    assert reverse("work_orders:ledger", args=[wo.estate_a.pk]) in html


def test_rates_page_charts_get_their_data_as_json(wo):
    build_orders(wo)
    html = wo.client_for("street_officer").get(RATES).content.decode()
    assert "vendor/echarts-6.1.0.min.js" in html
    trend = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', html).group(1))
    assert len(trend) == 12 and trend[-1]["received"] == 4 and trend[-1]["satisfaction"] == "66.67"
    raw = re.search(r'<script id="breakdown-data" type="application/json">(.*?)</script>', html).group(1)
    assert json.loads(raw)["categories"] == ["水电气暖", "环境卫生", "邻里纠纷"]


@pytest.mark.parametrize(
    ("level", "labels"),
    [
        ("community", ["甲社区", "乙社区"]),
        ("street", ["广安门外街道"]),
        ("company", ["甲物业有限公司", "乙物业有限公司"]),
    ],
)
def test_rates_page_by_level(wo, level, labels):
    build_orders(wo)
    html = text(wo.client_for("street_officer").get(RATES, {"level": level}))
    for label in labels:
        assert f"<td>{label}</td>" in html


def test_company_b_never_sees_estate_a_on_the_rates_page(wo):
    build_orders(wo)
    html = text(wo.client_for("property_manager_b").get(RATES))
    assert "<td>乙小区</td>" in html
    assert "甲小区" not in html
    html = text(wo.client_for("property_manager_b").get(RATES, {"level": "company"}))
    assert "甲物业" not in html


@pytest.mark.parametrize("persona", ["resident", "tenant", "outsider", "no_role"])
def test_rates_pages_are_not_there_for_residents(wo, persona):
    build_orders(wo)
    before = counts()
    client = wo.client_for(persona)
    assert client.get(RATES).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert client.get(ORDERS, {"level": "estate", "key": wo.estate_a.pk}).status_code == 404
    assert counts() == before


def test_bad_period_is_a_400_naming_the_field_and_the_page_falls_back_to_this_month(wo):
    build_orders(wo)
    response = wo.client_for("street_officer").get(RATES, {"period": "custom", "start": "2026-11-05"})
    assert response.status_code == 400
    html = text(response)
    assert "自定义期间请填写结束日期" in html
    assert "2026年11月 · 按小区" in html
    response = wo.client_for("street_officer").get(RATES, {"level": "district"})
    assert response.status_code == 400 and "统计层级应为小区、社区、街道或物业企业" in text(response)


def test_nav_has_the_rates_tab(wo):
    html = wo.client_for("property_manager").get(reverse("work_orders:queue")).content.decode()
    assert f'href="{RATES}">三率统计</a>' in html


# --- the export --------------------------------------------------------------------------------------------


def test_export_is_the_table_as_xlsx(wo):
    build_orders(wo)
    response = wo.client_for("street_officer").get(EXPORT, {"period": "this_month", "level": "estate"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["工单三率统计（按小区）", *[None] * 9]
    assert rows[1][0] == "统计期间：2026年11月（2026-11-01 至 2026-11-30）"
    assert rows[3] == [
        "小区",
        "所属",
        "受理量",
        "按时响应",
        "响应率(%)",
        "已解决",
        "解决率(%)",
        "已评价",
        "满意",
        "满意率(%)",
    ]
    assert rows[4][:4] == ["甲小区", "广安门外街道 / 甲社区", 3, 2]
    assert [str(v) for v in (rows[4][4], rows[4][6], rows[4][9])] == ["66.67", "66.67", "50"]
    assert rows[5][:3] == ["乙小区", "广安门外街道 / 乙社区", 1]
    assert rows[6][0] == "合计" and rows[6][2] == 4 and str(rows[6][4]) == "75"
    assert ws.cell(row=5, column=5).number_format == "0.00"


def test_export_of_company_b_has_no_estate_a(wo):
    build_orders(wo)
    response = wo.client_for("property_manager_b").get(EXPORT)
    ws = load_workbook(io.BytesIO(response.content)).active
    labels = [row[0].value for row in ws.iter_rows(min_row=5)]
    assert labels == ["乙小区", "合计"]


def test_export_with_a_bad_period_is_refused_in_chinese(wo):
    response = wo.client_for("street_officer").get(EXPORT, {"period": "quarter", "quarter": "9"})
    assert response.status_code == 400
    assert response.content.decode() == "季度应为 1–4 之间的整数"


# --- the orders behind a number ---------------------------------------------------------------------------


def _numbers(response) -> set[str]:
    return set(re.findall(r"GZ\d{8}-\d{6}", response.content.decode()))


def test_each_number_links_to_its_orders(wo):
    o = build_orders(wo)
    client = wo.client_for("street_officer")
    base = {"period": "this_month", "level": "estate", "key": wo.estate_a.pk}
    assert _numbers(client.get(ORDERS, {**base, "measure": "received"})) == {o.a1.number, o.a2.number, o.a3.number}
    in_time = client.get(ORDERS, {**base, "measure": "accepted_in_time"})
    assert in_time.status_code == 200
    assert "甲小区 · 按时响应" in in_time.content.decode()
    assert _numbers(in_time) == {o.a1.number, o.a3.number}
    assert _numbers(client.get(ORDERS, {**base, "measure": "not_in_time"})) == {o.a2.number}
    assert _numbers(client.get(ORDERS, {**base, "measure": "satisfied"})) == {o.a1.number}
    assert _numbers(client.get(ORDERS, {**base, "measure": "rated"})) == {o.a1.number, o.a2.number}
    street = {"period": "this_month", "level": "street", "key": wo.street.pk, "measure": "resolved"}
    assert _numbers(client.get(ORDERS, street)) == {o.a1.number, o.a2.number, o.b1.number}
    company = {"period": "this_month", "level": "company", "key": wo.company_b.pk, "measure": "received"}
    assert _numbers(client.get(ORDERS, company)) == {o.b1.number}
    assert _numbers(client.get(ORDERS, {"period": "last_month"})) == {o.a5.number}  # the total row


def test_the_page_links_point_at_the_right_lists(wo):
    build_orders(wo)
    html = wo.client_for("street_officer").get(RATES).content.decode()
    query = urlencode({"period": "this_month", "level": "estate", "key": wo.estate_a.pk, "measure": "accepted_in_time"})
    assert f"{ORDERS}?{query}".replace("&", "&amp;") in html


def test_orders_behind_a_row_of_another_company_are_404(wo):
    build_orders(wo)
    before = counts()
    client = wo.client_for("property_manager")
    for params in (
        {"level": "estate", "key": wo.estate_b.pk},
        {"level": "company", "key": wo.company_b.pk},
        {"level": "community", "key": wo.community_b.pk},
        {"level": "estate", "key": "x"},
        {"level": "estate", "key": wo.estate_a.pk, "measure": "everything"},
    ):
        assert client.get(ORDERS, params).status_code == 404, params
    assert counts() == before


# --- the problem ledger -------------------------------------------------------------------------------------


def ledger_url(world) -> str:
    return reverse("work_orders:ledger", args=[world.estate_a.pk])


def test_ledger_groups_by_category_with_counts(wo):
    o = build_orders(wo)
    overdue = make_order(wo, at(23, 8), category=wo.leak, description="水表井冒水，地面结冰")  # accept by 8:30
    response = wo.client_for("committee_member").get(ledger_url(wo))
    assert response.status_code == 200
    html = text(response)
    assert "<h1>甲小区问题台账</h1>" in html
    assert "统计期间：2026年11月（2026年11月1日—2026年11月30日）" in html
    assert "打印日期：2026年11月23日" in html
    # leaks a1 + the overdue one, garbage a2, noise a3; a4 withdrawn, a5 October, b1 estate B
    assert "3大类4项" in html and "涉及3个小类" in html
    assert '已解决 2 项，正在办理 2 项，其中 <span class="overdue">2 项已超时</span>' in html  # a3 arrives late too
    assert html.index("一、水电气暖（2项，已解决1项）") < html.index("二、环境卫生（1项，已解决1项）")
    assert "三、邻里纠纷（1项，已解决0项）" in html
    assert "跑冒滴漏、管道漏水</strong>（2项）" in html
    numbers = re.findall(r"GZ\d{8}-\d{6}", html)
    assert numbers == [o.a1.number, overdue.number, o.a2.number, o.a3.number]
    assert o.b1.number not in html and o.a4.number not in html
    item = html[html.index(overdue.number) : html.index(o.a2.number)]
    assert '<span class="overdue">超时</span>' in item and "甲物业有限公司" in item and "水表井冒水" in item
    late = html[html.index(o.a2.number) : html.index(o.a3.number)]
    assert "曾超时" in late and "11月3日" in late
    assert "物管会（业委会）主任签字" in html
    # A4 print rules: in the app's stylesheet (no inline <style> under the Content-Security-Policy)
    assert 'href="/static/work_orders/work_orders.css"' in html and 'class="report-page"' in html
    stylesheet = Path(finders.find("work_orders/work_orders.css")).read_text(encoding="utf-8")
    assert "@page { size: A4 portrait" in stylesheet and ".report-page .page" in stylesheet
    assert f'href="{ledger_url(wo)}' in html and ">问题台账</a>" in html


def test_ledger_for_another_period(wo):
    o = build_orders(wo)
    html = text(wo.client_for("community_staff").get(ledger_url(wo), {"period": "last_month"}))
    assert "1大类1项" in html and o.a5.number in html and o.a1.number not in html
    assert "统计期间：2026年10月" in html


def test_empty_ledger_says_so(wo):
    html = text(wo.client_for("party_worker").get(ledger_url(wo), {"period": "year", "year": "2025"}))
    assert "这一期间本小区没有受理的诉求" in html


@pytest.mark.parametrize(
    "persona", ["resident", "tenant", "outsider", "no_role", "property_manager_b", "community_staff_b"]
)
def test_ledger_is_404_for_residents_and_other_estates(wo, persona):
    # A resident of estate A sees their own orders, never the neighbours' descriptions in a ledger.
    build_orders(wo)
    before = counts()
    assert wo.client_for(persona).get(ledger_url(wo)).status_code == 404
    assert counts() == before


def test_ledger_of_a_place_that_is_no_estate_is_404(wo):
    assert (
        wo.client_for("street_officer").get(reverse("work_orders:ledger", args=[wo.community_a.pk])).status_code == 404
    )


def test_ledger_with_a_bad_period_names_the_field(wo):
    response = wo.client_for("street_officer").get(ledger_url(wo), {"period": "year", "year": "1999"})
    assert response.status_code == 400
    assert "年份应为 2000–2100 之间的整数" in text(response)


def test_ledger_is_linked_from_the_estate_rows_and_the_orders_list(wo):
    build_orders(wo)
    client = wo.client_for("property_manager")
    html = client.get(RATES).content.decode()
    assert f'{ledger_url(wo)}?period=this_month&amp;level=estate">台账</a>' in html
    listing = client.get(ORDERS, {"level": "estate", "key": wo.estate_a.pk}).content.decode()
    assert f'href="{ledger_url(wo)}?period=this_month">问题台账</a>' in listing


def test_chinese_numerals_for_headings():
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 22, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "二十二",
        "九十九",
    ]
