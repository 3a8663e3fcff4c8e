"""make bench — funds: the daily payment-rate snapshot over BENCH_FUNDS_UNITS (default 100,000) bills, a
100,000-row bank statement import (and its re-import), and the street's collection-rate page.

1. Snapshot: one campaign of the largest estate gets a bill for up to BENCH_FUNDS_UNITS units of the
   bench district (one INSERT … SELECT; 70 % paid at random); ``snapshot_take`` (one GROUP BY per
   building and overall, the late-payment correction, delete + insert of the day's rows) is timed.
2. Statement: a second campaign with the same units unpaid; a .csv of BENCH_FUNDS_ROWS (default
   100,000) rows, 95 % carrying a bill's 缴款识别码 (several small payments per bill when there are
   fewer bills than rows), 5 % without (they become unmatched rows); ``statement_import`` — reading,
   checking every row, matching, payments, bills, fund movements, in one transaction — is timed, then
   the same file again (every reference known: nothing is added).
3. Collection rates: every unit of the street gets BENCH_FUNDS_MONTHS (default 3) monthly fee bills
   (INSERT … SELECT, about 72 % paid); the street officer's /funds/rates/ page is timed over
   BENCH_REQUESTS requests (p50/p95) with its query count.
The actor of 1 and 2 is an administrator (the permission check is one query either way).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time

from gongzhi.core.benchkit import fmt, page, percentile

TITLE = "资金：10 万户每日交款率快照、10 万行银行流水导入、街道物业费收缴率页面"

UNITS = int(os.environ.get("BENCH_FUNDS_UNITS", "100000"))
ROWS = int(os.environ.get("BENCH_FUNDS_ROWS", "100000"))
MONTHS = int(os.environ.get("BENCH_FUNDS_MONTHS", "3"))
GOAL_SNAPSHOT_S = 2.0
GOAL_IMPORT_S = 30.0
GOAL_PAGE_P95_MS = 300


def run(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001 - bench.run.BenchContext
    from gongzhi.accounts import services as accounts

    admin = accounts.user_create(username="bench_funds_admin", password=secrets.token_urlsafe(), actor=None)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    rows: list[tuple[str, str, str]] = []
    rows += _snapshot(ctx, admin)
    rows += _statement(ctx, admin)
    rows += _rates(ctx)
    return rows


def _campaign(ctx, title: str):  # noqa: ANN001, ANN202
    from gongzhi.funds.models import Campaign

    return Campaign.objects.create(
        estate=ctx.estate,
        title=title,
        decision_date=dt.date(2026, 1, 10),
        decision_body="assembly",
        decision_document="bench",
        rate_fen=3000,
        starts_on=dt.date(2026, 2, 1),
    )


def _bills(ctx, campaign, paid_share: float) -> int:  # noqa: ANN001
    """One bill per unit of the district (up to UNITS), in one statement."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            INSERT INTO funds_campaignbill
                (campaign_id, estate_id, building_id, unit_id, code, area, amount_fen, paid_fen, paid_on, step)
            SELECT %s, u.estate_id, u.building_id, u.id, 'XC' || %s || '-' || u.id, a.area,
                   ROUND(a.area * 3000), CASE WHEN a.r < %s THEN ROUND(a.area * 3000) ELSE 0 END,
                   CASE WHEN a.r < %s THEN DATE '2026-02-01' + (a.r * 40)::int END, 1
            FROM registry_unit u
            JOIN registry_place e ON e.id = u.estate_id
            CROSS JOIN LATERAL (SELECT COALESCE(u.area, 60.00) AS area, random() AS r) a
            WHERE e.path LIKE %s
            ORDER BY u.id
            LIMIT %s
            """,
            [campaign.pk, campaign.pk, paid_share, paid_share, ctx.district.path + "%", UNITS],
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE funds_campaignbill")
    return count


def _snapshot(ctx, admin) -> list[tuple[str, str, str]]:  # noqa: ANN001
    from gongzhi.funds import services

    campaign = _campaign(ctx, "bench 快照")
    n = _bills(ctx, campaign, 0.7)
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        snaps = services.snapshot_take(campaign=campaign, day=dt.date(2026, 3, 1))
        samples.append(time.perf_counter() - started)
    best = min(samples)
    return [
        ("快照：缴款单数 / 楼栋数", f"{n:,} / {len(snaps) - 1:,}", ""),
        (
            "每日交款率快照（分楼栋+全小区）",
            f"{best:.2f} 秒（3 次：{', '.join(f'{s:.2f}' for s in samples)}）",
            f"< {GOAL_SNAPSHOT_S:.0f} 秒 {'✓' if max(samples) < GOAL_SNAPSHOT_S else '✗'}",
        ),
    ]


def _statement(ctx, admin) -> list[tuple[str, str, str]]:  # noqa: ANN001
    from gongzhi.funds import services
    from gongzhi.funds.models import CampaignBill, CampaignPayment, UnmatchedRow

    campaign = _campaign(ctx, "bench 流水")
    n = _bills(ctx, campaign, 0.0)
    codes = list(CampaignBill.objects.filter(campaign=campaign).order_by("pk").values_list("code", flat=True))
    lines = ["交易流水号,交易日期,金额,付款人,附言"]
    for i in range(ROWS):
        memo = f"维修资金续筹 {codes[i % len(codes)]}" if i % 20 else "维修资金"
        lines.append(f"BK{i:09d},2026-02-{1 + i % 28:02d},1.00,业主{i % 997},{memo}")
    content = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    result = services.statement_import(campaign=campaign, content=content, file_name="bench.csv", actor=admin)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = services.statement_import(campaign=campaign, content=content, file_name="bench.csv", actor=admin)
    second = time.perf_counter() - started
    payments = CampaignPayment.objects.filter(campaign=campaign).count()
    unmatched = UnmatchedRow.objects.filter(campaign=campaign).count()
    return [
        ("流水：行数 / 缴款单数 / 文件大小", f"{ROWS:,} / {n:,} / {len(content) / 1e6:.1f} MB", ""),
        (
            f"导入 {ROWS:,} 行银行流水（读取、逐行校验、匹配、入账，一个事务）",
            f"{first:.1f} 秒（{ROWS / first:,.0f} 行/秒）；入账 {result.matched:,}，待认领 {result.unmatched:,}",
            f"< {GOAL_IMPORT_S:.0f} 秒 {'✓' if first < GOAL_IMPORT_S else '✗'}",
        ),
        (
            "同一文件再导入一次",
            f"{second:.1f} 秒；新增 {again.matched + again.unmatched}，跳过 {again.skipped:,}；缴款 {payments:,}，待认领 {unmatched:,}",
            f"不重复入账 {'✓' if again.matched + again.unmatched == 0 else '✗'}",
        ),
    ]


def _rates(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001
    from django.db import connection
    from django.utils import timezone

    from gongzhi.funds import rules
    from gongzhi.funds.models import FeePlan
    from gongzhi.governance.models import ServiceContract

    contract = ServiceContract.objects.filter(estate__path__startswith=ctx.street.path).order_by("pk").first()
    if contract is None:
        return [("收缴率页面", "街道没有服务合同，跳过", "")]
    plan = FeePlan.objects.create(
        contract=contract,
        estate=contract.estate,
        residential_fen=contract.fee_residential_fen,
        first_bill_month=dt.date(2026, 1, 1),
    )
    start = rules.month_start(timezone.localdate()).replace(month=1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.72)")
        cursor.execute(
            """
            INSERT INTO funds_feebill
                (plan_id, estate_id, building_id, unit_id, month, area, rate_fen, amount_fen, paid_fen, paid_on, reminded_at)
            SELECT %s, u.estate_id, u.building_id, u.id, m.month, a.area, 150, ROUND(a.area * 150),
                   CASE WHEN a.r < 0.72 THEN ROUND(a.area * 150) ELSE 0 END,
                   CASE WHEN a.r < 0.72 THEN m.month + 20 END, NULL
            FROM registry_unit u
            JOIN registry_place e ON e.id = u.estate_id
            CROSS JOIN generate_series(0, %s - 1) AS g(i)
            CROSS JOIN LATERAL (SELECT (%s::date + make_interval(months => g.i))::date AS month) m
            CROSS JOIN LATERAL (SELECT COALESCE(u.area, 60.00) AS area, random() AS r) a
            WHERE e.path LIKE %s
            """,
            [plan.pk, MONTHS, start, ctx.street.path + "%"],
        )
        bills = cursor.rowcount
        cursor.execute("ANALYZE funds_feebill")
    seeded = time.perf_counter() - started
    result = page(ctx.client, "funds:rates", {}, ctx.runs)
    if "error" in result:
        return [("收缴率页面", result["error"], f"p95 < {GOAL_PAGE_P95_MS} ms ✗")]
    p95 = percentile(result["samples"], 95)
    return [
        ("收缴率：街道的物业费账单", f"{bills:,}（{MONTHS} 个月，写入 {seeded:.1f} 秒）", ""),
        (
            "街道各小区收缴率页面 p50/p95",
            f"{fmt(result['samples'])}，{result['queries']} 次查询",
            f"p95 < {GOAL_PAGE_P95_MS} ms {'✓' if p95 < GOAL_PAGE_P95_MS else '✗'}",
        ),
    ]
