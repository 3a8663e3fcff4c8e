"""make bench: speed and size figures of gongzhi on PostgreSQL (see bench/README.md).

Creates a fresh database (BENCH_DATABASE_URL, or DATABASE_URL when it names a *bench* database,
default postgres://postgres@127.0.0.1:5432/gongzhi_bench),
migrates it, seeds a district of BENCH_UNITS units (default 1,000,000) with seed_scale, then measures,
as a street officer of one street, the street overview and the largest estate's unit list, next to
baselines measured in the same run. It prints figures and goals; it never fails on a timing.
"""

from __future__ import annotations

import os
import platform
import secrets
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongzhi_bench"
GOAL_OVERVIEW_P95_MS = 300
GOAL_UNIT_LIST_QUERIES = 10


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = cfg["NAME"]
    conninfo = {
        "host": cfg.get("HOST") or "127.0.0.1",
        "port": cfg.get("PORT") or 5432,
        "user": cfg.get("USER") or "postgres",
        "dbname": "postgres",
    }
    if cfg.get("PASSWORD"):
        conninfo["password"] = cfg["PASSWORD"]
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    # BENCH_DATABASE_URL, else DATABASE_URL when it names a bench database, else the default:
    # the bench drops its database, so it never picks up an ordinary DATABASE_URL.
    env_url = os.environ.get("DATABASE_URL", "")
    fallback = env_url if "bench" in env_url.rsplit("/", 1)[-1] else DEFAULT_URL
    url = os.environ.get("BENCH_DATABASE_URL", fallback)
    units = int(os.environ.get("BENCH_UNITS", "1000000"))
    batch = int(os.environ.get("BENCH_BATCH", "5000"))
    runs = int(os.environ.get("BENCH_REQUESTS", "50"))
    keep = os.environ.get("BENCH_KEEP") == "1"
    if not url.startswith("postgres") or "bench" not in url.rsplit("/", 1)[-1]:
        print(f"bench 只在名字带 bench 的 PostgreSQL 数据库上运行（它会删除并重建该库）：{url}")
        return 2

    print(f"== 共治 bench：{units:,} 套房屋，数据库 {url}")
    recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise without collectstatic: not needed here
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in (ALLOWED_HOSTS) and keeps e-mail local
    try:
        figures = run(units=units, batch=batch, runs=runs)
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            recreate_database(url, drop_only=True)
    report(figures, units=units, runs=runs)
    return 0


def run(*, units: int, batch: int, runs: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from gongzhi.accounts import services as accounts
    from gongzhi.core.benchkit import measure, page
    from gongzhi.demo.scale import seed_scale
    from gongzhi.registry.models import Place, Unit, ancestor_ids

    figures: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        figures["postgres"] = cursor.fetchone()[0]

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    figures["migrate_s"] = time.perf_counter() - started

    print(f"-- seed_scale --units {units} --batch {batch}")
    result = seed_scale(units=units, batch=batch, log=lambda line: print(f"   {line}"))
    figures["seed"] = result
    print(f"   {result.rows:,} 行，{result.seconds:.1f} 秒，{result.rows_per_second:,.0f} 行/秒")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would do after a bulk load
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        figures["db_size"] = cursor.fetchone()[0]
    figures["analyze_s"] = time.perf_counter() - started

    district = result.district
    largest = (
        Unit.objects.filter(estate__path__startswith=district.path)
        .values("estate")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    estate = Place.objects.get(pk=largest["estate"])
    street = Place.objects.get(pk=ancestor_ids(estate.path)[2])  # city, district, street
    figures["estate"] = (estate, largest["n"])
    figures["street"] = (street, Place.objects.filter(kind="estate", path__startswith=street.path).count())
    user = accounts.user_create(username="bench_street", password=secrets.token_urlsafe(), actor=None)
    accounts.role_assign(user=user, role="street_officer", place=street, actor=None)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    print("-- 基线与页面")
    figures["select1"] = measure(select_one, 200)
    figures["unit_count"] = measure(lambda: Unit.objects.filter(estate=estate).count(), runs)
    figures["overview"] = page(client, "dashboard:street_overview_for", {"pk": street.pk}, runs)
    # The unit list is an htmx fragment (search and pagination swap only the list).
    figures["unit_list"] = page(client, "registry:estate_units", {"pk": estate.pk}, runs, {"HX-Request": "true"})

    # Each app's own figures: gongzhi/<app>/bench.py defines TITLE and run(ctx) -> rows of (指标, 数值, 目标).
    # BENCH_ONLY=work_orders,voting runs only those (the base figures above always run).
    only = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}
    ctx = BenchContext(
        url=os.environ["DATABASE_URL"],
        runs=runs,
        district=district,
        street=street,
        estate=estate,
        street_user=user,
        client=client,
        select1_ms=statistics.median(figures["select1"]),
    )
    figures["plugins"] = []
    from gongzhi.core.plugins import bench_plugins

    for config, module in bench_plugins():  # each app declares its plug-in on its AppConfig
        if only and config.label not in only:
            continue
        print(f"-- {module.TITLE}")
        started = time.perf_counter()
        try:
            rows = module.run(ctx)
        except Exception as exc:  # noqa: BLE001 — one plugin's failure is reported, the others still run
            import traceback

            traceback.print_exc()
            rows = [("出错", f"{type(exc).__name__}: {exc}", "")]
        figures["plugins"].append((module.TITLE, rows, time.perf_counter() - started))
    return figures


@dataclass
class BenchContext:
    """What every bench plugin gets: the seeded district, one street and its largest estate, a logged-in
    street officer (in-process test client), and the SELECT 1 baseline of this run."""

    url: str
    runs: int
    district: object
    street: object
    estate: object
    street_user: object
    client: object
    select1_ms: float


def report(f: dict, *, units: int, runs: int) -> None:
    from gongzhi.core.benchkit import fmt, percentile

    seed = f["seed"]
    estate, estate_units = f["estate"]
    street, street_estates = f["street"]
    base = statistics.median(f["select1"])
    print()
    print(f"== 结果（PostgreSQL {f['postgres']}，Python {platform.python_version()}，{os.cpu_count()} 核）")
    print(
        f"数据：{seed.counts['units']:,} 套房屋，{seed.counts['people']:,} 人，共 {seed.rows:,} 行，库大小 {f['db_size']}"
    )
    print(f"街道：{street.name}（{street_estates} 个小区）；最大小区：{estate.name}（{estate_units:,} 套）")
    print(f"迁移 {f['migrate_s']:.1f} 秒；VACUUM ANALYZE {f['analyze_s']:.1f} 秒")
    print()
    rows = [
        ("seed_scale 写入速度", f"{seed.rows_per_second:,.0f} 行/秒（{seed.seconds:.1f} 秒）", "越高越好（只报告）"),
        ("基线：SELECT 1 往返 p50/p95", fmt(f["select1"]), "基线"),
        ("基线：最大小区 Unit count p50/p95", fmt(f["unit_count"]), "基线"),
    ]
    for key, label, goal in (
        ("overview", "街道总览 p50/p95", f"p95 < {GOAL_OVERVIEW_P95_MS} ms"),
        ("unit_list", "小区房屋列表 p50/p95", "（只报告）"),
    ):
        figure = f[key]
        if "error" in figure:
            rows.append((label, figure["error"], goal))
            continue
        samples = figure["samples"]
        verdict = ""
        if key == "overview":
            verdict = " ✓" if percentile(samples, 95) < GOAL_OVERVIEW_P95_MS else " ✗ 未达标"
        rows.append((label, f"{fmt(samples)}（{runs} 次）", goal + verdict))
        rows.append(
            (
                "  …相当于 SELECT 1 的倍数（p50）",
                f"{statistics.median(samples) / base:,.0f} 倍",
                "",
            )
        )
        if key == "unit_list":
            ok = " ✓" if figure["queries"] <= GOAL_UNIT_LIST_QUERIES else " ✗ 未达标"
            rows.append(("小区房屋列表 查询次数", str(figure["queries"]), f"≤ {GOAL_UNIT_LIST_QUERIES}{ok}"))
        else:
            rows.append(("街道总览 查询次数", str(figure["queries"]), "（只报告）"))
    width = max(_width(r[0]) for r in rows) + 2
    value_width = max(_width(r[1]) for r in rows) + 2
    print(f"{_pad('指标', width)}{_pad('数值', value_width)}目标")
    for label, value, goal in rows:
        print(f"{_pad(label, width)}{_pad(value, value_width)}{goal}")
    for title, plugin_rows, seconds in f.get("plugins", []):
        print()
        print(f"== {title}（{seconds:.0f} 秒）")
        width = max([_width(r[0]) for r in plugin_rows] + [4]) + 2
        value_width = max([_width(r[1]) for r in plugin_rows] + [4]) + 2
        for label, value, goal in plugin_rows:
            print(f"{_pad(label, width)}{_pad(value, value_width)}{goal}")
    print()
    print("计时为进程内 Django 测试客户端（不含网络与 gunicorn），数据库为本机 PostgreSQL；bench 从不因计时失败。")


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


if __name__ == "__main__":
    sys.exit(main())
