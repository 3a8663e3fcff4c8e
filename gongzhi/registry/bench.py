"""make bench — the audit log: appends per second from 1 writer and from 8 concurrent writers, each in
its own estate (an audited registry update each: the row and its audit row in one transaction), with a
sequencer sealing in the background as the worker would; and how long a committed row waited to be
sealed (goal: within 2 s). Then the people and unit lists (issue 14 §4: keyset pages, a count of at
most 10,001 rows) as the street officer and as a community's staff: the first page and the 101st,
p50 / p95 (goal p95 < 300 ms).

The goal of the design (docs/architecture.md, "the audit log") is that writers never wait on each
other for the audit log, so throughput scales with writers until the machine's cores run out; before,
every write in the system queued on one chain-head row lock.
"""

from __future__ import annotations

import os
import threading
import time

from gongzhi.core.benchkit import percentile

TITLE = "审计日志：1 个与 8 个并发写入者（不同小区）的每秒追加数，封存延迟；人员、房屋列表"

WRITES = int(os.environ.get("BENCH_AUDIT_WRITES", "400"))  # per writer
GOAL_SEAL_S = 2.0
GOAL_LIST_P95_MS = 300
DEEP_PAGE = 101  # the page measured "deep": rows 5,001–5,050


def _writers(estates: list, per_writer: int) -> float:
    from django.db import connections

    from gongzhi.registry import services as reg

    def write(estate) -> None:  # noqa: ANN001
        try:
            for i in range(per_writer):
                reg.place_update(place=estate, note=f"bench {i}", actor=None)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(e,)) for e in estates]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(estates) * per_writer / (time.perf_counter() - start)


def list_rows(street, estate, runs: int) -> list[tuple[str, str, str]]:  # noqa: ANN001 - Place rows
    """The people page and the people / units / estate-units API, first and deep page, for a street
    officer and a community's staff (logged in through the in-process test client)."""
    import secrets

    from django.test import Client

    from gongzhi.accounts import services as accounts
    from gongzhi.core.benchkit import measure, percentile
    from gongzhi.registry.models import Place

    community = Place.objects.get(pk=int(estate.path.strip("/").split("/")[3]))  # city/district/street/community
    out: list[tuple[str, str, str]] = []

    def login(username: str, role: str, place: Place) -> Client:
        user = accounts.user_create(username=username, password=secrets.token_urlsafe(), actor=None)
        accounts.role_assign(user=user, role=role, place=place, actor=None)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    def timed(label: str, client: Client, url: str) -> None:
        status = client.get(url).status_code
        samples = measure(lambda: client.get(url), runs, warmup=2)
        p95 = percentile(samples, 95)
        mark = "✓" if status == 200 and p95 < GOAL_LIST_P95_MS else f"✗ ({status})"
        out.append((label, f"{percentile(samples, 50):.1f} / {p95:.1f} ms", f"p95 < {GOAL_LIST_P95_MS} ms {mark}"))

    def deep(client: Client, path: str) -> str:
        """The cursor after row (DEEP_PAGE - 1) × 50, walked 200 rows at a time."""
        body = client.get(f"{path}?limit=200").json()
        for _ in range((DEEP_PAGE - 1) * 50 // 200 - 1):
            if not body["next"]:
                break
            body = client.get(f"{path}?limit=200&after={body['next']}").json()
        return body["next"] or ""

    for who, client in (
        ("街道干部", login("bench_list_street", "street_officer", street)),
        ("社区工作人员", login("bench_list_community", "community_staff", community)),
    ):
        timed(f"{who}：人员页 第 1 页", client, "/registry/people/")
        timed(f"{who}：人员页 搜索“王”", client, "/registry/people/?q=%E7%8E%8B")
        for noun, path in (("人员", "/api/v1/people"), ("房屋", "/api/v1/units")):
            timed(f"{who}：接口 {noun} 第 1 页", client, f"{path}?limit=50")
            timed(f"{who}：接口 {noun} 第 {DEEP_PAGE} 页", client, f"{path}?limit=50&after={deep(client, path)}")
        timed(f"{who}：接口 最大小区的房屋 第 1 页", client, f"/api/v1/places/{estate.pk}/units?limit=50")
        body = client.get("/api/v1/people?limit=1").json()
        out.append((f"{who}：人员总数（只数到 10,000）", f"{body['total']:,}" + ("+" if body["more"] else ""), ""))
    return out


def run(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001 - bench.run.BenchContext
    from django.db import connections
    from django.utils import timezone

    from gongzhi.core import audit
    from gongzhi.core.models import AuditLog
    from gongzhi.registry.models import Place

    estates = list(Place.objects.filter(kind="estate", path__startswith=ctx.district.path).order_by("pk")[:8])
    stop = threading.Event()

    def sequencer() -> None:
        # as the Huey worker does: seal what is committed, a few times a second
        try:
            while not stop.is_set():
                audit.seal_pending()
                time.sleep(0.2)
        finally:
            connections.close_all()

    audit.register_sealer(lambda: None)  # writers only append here; the thread above seals
    started = timezone.now()
    seq = threading.Thread(target=sequencer)
    seq.start()
    try:
        one = _writers(estates[:1], WRITES)
        eight = _writers(estates, WRITES)
    finally:
        stop.set()
        seq.join()
        from gongzhi.core import tasks

        audit.register_sealer(tasks.seal_audit)
    audit.seal_pending()
    # the merge delay of every row appended above: from the write (its ``at``) to its batch's sealing
    delays = [
        (sealed - at).total_seconds()
        for at, sealed in AuditLog.objects.filter(at__gte=started, batch__isnull=False).values_list(
            "at", "batch__sealed_at"
        )
    ]
    ok, bad = audit.verify_chain()
    lists = list_rows(ctx.street, ctx.estate, ctx.runs)
    return [
        ("1 个写入者：每秒追加", f"{one:,.0f} 条/秒（{WRITES} 次带审计的修改）", "基线"),
        ("8 个写入者（8 个小区）：每秒追加", f"{eight:,.0f} 条/秒", "随写入者增加，而非持平"),
        ("  …8 个 ÷ 1 个", f"{eight / one:.2f} 倍", "> 1 ✓" if eight / one > 1.2 else "≈ 1 ✗ 未随写入者增加"),
        (
            "封存延迟 p50 / p99 / 最大",
            f"{percentile(delays, 50):.2f} / {percentile(delays, 99):.2f} / {max(delays):.2f} 秒" if delays else "—",
            f"< {GOAL_SEAL_S:.0f} 秒" + (" ✓" if delays and max(delays) < GOAL_SEAL_S else " ✗"),
        ),
        ("校验整条链", "通过" if ok else f"失败：第 {bad.seq if bad else '?'} 条", "通过"),
        *lists,
    ]
