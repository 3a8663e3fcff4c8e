"""make bench — owners' votes: opening a vote on the largest estate, ballot submissions per second, the
tally of a 10,000-unit electorate and of 1,000,000 cast votes across the district, each tally beside
the same aggregate written by hand as one SQL query in the same run.

1. An assembly on the largest estate is called, noticed and opened through the services: opening
   freezes the electorate (every unit, its area, owners and head). Its time is reported.
2. Ballot submissions: BENCH_VOTING_THREADS (default 8) threads cast BENCH_VOTING_BALLOTS (default
   500, at most the estate's owner-held units) online ballots through ``ballot_cast`` — owner check,
   the lock on the motion, the chain hash, the electorate row, the audit row — each thread with its
   own connection. Then the same number again from one thread. Ballots per second are reported.
3. The district's votes: BENCH_VOTING_MOTIONS (default 143) motions of BENCH_VOTING_ELECTORATE (default
   10,000) units each — 1,430,000 electorate rows, 1,000,000 of them with a cast vote (70 %: agree, disagree,
   abstain; two units in ten share a head, §C 12), written by one INSERT … SELECT.
   The tally reads these rows (the live choice of each unit is kept on its electorate row; the chain
   of ballots is what ``verify`` checks it against), so the ballot rows themselves are not inserted.
   Timed: ``selectors.motion_tally`` of one 10,000-unit motion, and ``selectors.counts_by_motion`` +
   ``rules.tally`` of all motions, each next to the same aggregate as one hand-written SQL query.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import statistics
import threading
import time
from types import SimpleNamespace

from gongzhi.core.benchkit import percentile

TITLE = "业主表决：开始表决（冻结名册）、投票吞吐、1万户名册与全区约100万张选票的计票（对照手写 SQL）"

THREADS = int(os.environ.get("BENCH_VOTING_THREADS", "8"))
BALLOTS = int(os.environ.get("BENCH_VOTING_BALLOTS", "500"))
MOTIONS = int(os.environ.get("BENCH_VOTING_MOTIONS", "143"))
ELECTORATE = int(os.environ.get("BENCH_VOTING_ELECTORATE", "10000"))
GOAL_RATIO = 1.2
GOAL_DISTRICT_MS = 1000

RAW_SQL = """
SELECT motion_id,
       COALESCE(SUM(area_cents) FILTER (WHERE choice <> ''), 0),
       COALESCE(SUM(area_cents) FILTER (WHERE choice = 'agree'), 0),
       COUNT(*) FILTER (WHERE head_lead AND head_state <> ''),
       COUNT(*) FILTER (WHERE head_lead AND head_state = 'agree'),
       COUNT(*) FILTER (WHERE head_lead AND head_state = 'mixed'),
       COUNT(*) FILTER (WHERE choice <> '')
FROM voting_electorateunit
WHERE motion_id = ANY(%s)
GROUP BY motion_id
"""


def _pair(app, raw, runs: int, warmup: int = 3) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Time the two alternately, so a busy moment of the shared machine weighs on both alike."""
    for _ in range(warmup):
        app()
        raw()
    a: list[float] = []
    r: list[float] = []
    for _ in range(runs):
        for fn, out in ((app, a), (raw, r)):
            started = time.perf_counter()
            fn()
            out.append((time.perf_counter() - started) * 1000)
    return a, r


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples):.1f} / {percentile(samples, 95):.1f} ms"


def _raw(motion_ids: list[int]) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, [motion_ids])
        return cursor.fetchall()


def _runner():
    from gongzhi.accounts import services as accounts

    user = accounts.user_create(username="bench_voting_admin", password=secrets.token_urlsafe(), actor=None)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _open_vote(ctx, admin) -> tuple[object, float]:  # noqa: ANN001
    from django.utils import timezone

    from gongzhi.voting import services

    now = timezone.now()
    assembly = services.assembly_create(
        estate=ctx.estate,
        title="bench：选聘物业服务企业",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        actor=admin,
    )
    motion = services.motion_add(assembly=assembly, title="选聘物业服务企业", matter="manager", actor=admin)
    services.assembly_post_notice(
        assembly=assembly, actor=admin, noticed_on=timezone.localdate() - dt.timedelta(days=20)
    )
    started = time.perf_counter()
    services.assembly_open(assembly=assembly, actor=admin)
    seconds = time.perf_counter() - started
    motion.refresh_from_db()
    return motion, seconds


def _voters(motion, limit: int) -> list[tuple[int, int]]:  # noqa: ANN001
    from gongzhi.voting.models import ElectorateUnit

    out = []
    rows = ElectorateUnit.objects.filter(motion=motion, owner_keys__startswith="p:").values_list(
        "unit_id", "owner_keys"
    )
    for unit_id, keys in rows.iterator():
        out.append((unit_id, int(keys.split(",")[0][2:])))
        if len(out) >= limit:
            break
    return out


def _cast_all(motion, voters: list[tuple[int, int]], threads: int) -> tuple[float, int]:  # noqa: ANN001
    from django.db import connections

    from gongzhi.registry.models import Unit
    from gongzhi.voting import services

    units = Unit.objects.in_bulk([u for u, _ in voters])
    errors: list[Exception] = []
    chunks = [voters[i::threads] for i in range(threads)]

    def work(chunk: list[tuple[int, int]]) -> None:
        try:
            for unit_id, person_id in chunk:
                owner = SimpleNamespace(person_id=person_id, is_authenticated=False, pk=None)
                services.ballot_cast(motion=motion, unit=units[unit_id], choice="agree", actor=owner)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    return seconds, len(voters)


def _district_votes(ctx, admin) -> list[int]:  # noqa: ANN001
    """MOTIONS motions of ELECTORATE real units of the district each, with their live choices."""
    from django.db import connection
    from django.utils import timezone

    from gongzhi.voting.models import Assembly, Motion

    now = timezone.now()
    assembly = Assembly.objects.create(
        estate=ctx.estate,
        title="bench：全区表决",
        status="open",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=7),
        noticed_on=timezone.localdate() - dt.timedelta(days=20),
        opened_at=now,
        created_by=admin,
    )
    motions = Motion.objects.bulk_create(
        [
            Motion(assembly=assembly, position=i + 1, title=f"事项{i + 1}", matter="manager", frozen_at=now)
            for i in range(MOTIONS)
        ]
    )
    ids = [m.pk for m in motions]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO voting_electorateunit
                (motion_id, unit_id, building_id, label, use, area, area_cents, area_source, owner_keys,
                 developer_unsold, head, head_no, shared_head, head_lead, head_state, round, choice, ballot_id)
            SELECT motion_id, unit_id, building_id, label, use, a, (a * 100)::bigint, 'registered', '',
                   false, 'unit:' || head_no, head_no, shared, lead,
                   CASE c WHEN '' THEN '' WHEN 'agree' THEN 'agree' ELSE 'not' END, 0, c, NULL
            FROM (
                SELECT m.id AS motion_id, u.id AS unit_id, u.building_id, u.number AS label, u.use, u.a,
                       -- two units in ten make one head of two units (§C 12); the pair votes alike
                       u.h AS head_no,
                       u.rn %% 10 < 2 AS shared,
                       u.rn %% 10 <> 1 AS lead,
                       CASE WHEN (u.h * 7919 + m.id * 104729) %% 10 < 3 THEN ''
                            WHEN (u.h * 7919 + m.id * 104729) %% 10 < 8 THEN 'agree'
                            WHEN (u.h * 7919 + m.id * 104729) %% 10 < 9 THEN 'disagree'
                            ELSE 'abstain' END AS c
                FROM (SELECT *, CASE WHEN rn %% 10 < 2 THEN 1000000 + rn / 10 ELSE rn END AS h
                      FROM (SELECT id, building_id, number, use, COALESCE(area, 50.00) AS a,
                                   row_number() OVER (ORDER BY id) AS rn
                            FROM registry_unit WHERE path LIKE %s) r) u
                CROSS JOIN (SELECT id FROM voting_motion WHERE id = ANY(%s)) m
                WHERE u.rn <= %s
            ) v
            ORDER BY motion_id, unit_id  -- as opening a vote writes them: one motion's rows together
            """,
            [f"{ctx.district.path}%", ids, ELECTORATE],
        )
        cursor.execute(
            """
            UPDATE voting_motion m SET total_area = t.area, total_heads = t.heads, total_units = t.units
            FROM (SELECT motion_id, SUM(area) AS area, COUNT(DISTINCT head_no) AS heads, COUNT(*) AS units
                  FROM voting_electorateunit WHERE motion_id = ANY(%s) GROUP BY motion_id) t
            WHERE m.id = t.motion_id
            """,
            [ids],
        )
        cursor.execute("VACUUM ANALYZE voting_electorateunit")
    return ids


def run(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001 - bench.run.BenchContext
    from gongzhi.voting import rules, selectors
    from gongzhi.voting.models import ElectorateUnit, Motion

    rows: list[tuple[str, str, str]] = []
    admin = _runner()

    # 1. Opening a vote on the largest estate (through the services)
    motion, open_s = _open_vote(ctx, admin)
    rows.append(
        (
            "开始表决：冻结最大小区名册",
            f"{motion.total_units:,} 户、{motion.total_heads:,} 人，{open_s * 1000:.0f} ms",
            "只报告",
        )
    )

    # 2. Ballot submissions
    voters = _voters(motion, BALLOTS * 2)
    half = len(voters) // 2
    if half:
        seconds, n = _cast_all(motion, voters[:half], THREADS)
        rows.append(
            (f"网上投票：{THREADS} 线程并发", f"{n / seconds:,.0f} 张/秒（{n:,} 张，{seconds:.1f} 秒）", "只报告")
        )
        seconds, n = _cast_all(motion, voters[half:], 1)
        rows.append(("网上投票：单线程", f"{n / seconds:,.0f} 张/秒（{n:,} 张，{seconds:.1f} 秒）", "只报告"))
        from gongzhi.voting.chain import verify

        started = time.perf_counter()
        ok = verify(Motion.objects.get(pk=motion.pk))
        rows.append(
            (
                "核验选票链",
                f"{ok.length:,} 张，{'通过' if ok.ok else '失败'}，{(time.perf_counter() - started) * 1000:.0f} ms",
                "通过 ✓" if ok.ok else "通过 ✗",
            )
        )

    # 3. The district: 1,000,000 cast votes in MOTIONS motions
    started = time.perf_counter()
    ids = _district_votes(ctx, admin)
    total = ElectorateUnit.objects.filter(motion_id__in=ids).count()
    cast = ElectorateUnit.objects.filter(motion_id__in=ids).exclude(choice="").count()
    rows.append(
        (
            "全区表决数据",
            f"{len(ids)} 个事项，{total:,} 户名册，其中 {cast:,} 户已投（{time.perf_counter() - started:.1f} 秒写入）",
            "",
        )
    )

    one = Motion.objects.select_related("assembly").get(pk=ids[0])
    app_one, raw_one = _pair(lambda: selectors.motion_tally(one), lambda: _raw([one.pk]), ctx.runs)
    ratio_one = statistics.median(app_one) / statistics.median(raw_one)
    rows.append((f"计票：{one.total_units:,} 户名册（selectors + rules）p50/p95", _ms(app_one), ""))
    rows.append(("  同一聚合，手写 SQL", _ms(raw_one), ""))
    rows.append(("  倍数", f"{ratio_one:.2f} ×", f"≤ {GOAL_RATIO} × {'✓' if ratio_one <= GOAL_RATIO else '✗'}"))

    motions = {m.pk: m for m in Motion.objects.filter(pk__in=ids).select_related("assembly")}

    def district() -> None:
        live = selectors.counts_by_motion(ids)
        for pk, counts in live.items():
            m = motions[pk]
            rules.tally(rule_set=m.rule_set, matter=m.matter, counts=counts.counts)

    runs = max(5, ctx.runs // 5)
    app_all, raw_all = _pair(district, lambda: _raw(ids), runs, warmup=1)
    ratio_all = statistics.median(app_all) / statistics.median(raw_all)
    p50 = statistics.median(app_all)
    rows.append(
        (
            f"计票：全区 {cast:,} 张选票、{len(ids)} 个事项 p50/p95",
            _ms(app_all),
            f"< {GOAL_DISTRICT_MS} ms {'✓' if p50 < GOAL_DISTRICT_MS else '✗'}",
        )
    )
    rows.append(("  同一聚合，手写 SQL", _ms(raw_all), ""))
    rows.append(("  倍数", f"{ratio_all:.2f} ×", f"≤ {GOAL_RATIO} × {'✓' if ratio_all <= GOAL_RATIO else '✗'}"))
    # the two must agree, or the comparison means nothing
    raw_rows = {r[0]: r for r in _raw(ids)}
    live = selectors.counts_by_motion(ids)
    same = all(
        int(live[pk].counts.participating_area * 100) == raw_rows[pk][1]
        and live[pk].counts.participating_heads == raw_rows[pk][3]
        and live[pk].counts.agreeing_heads == raw_rows[pk][4]
        for pk in ids
    )
    rows.append(("  两者结果一致", "是" if same else "否", "是 ✓" if same else "是 ✗"))
    return rows
