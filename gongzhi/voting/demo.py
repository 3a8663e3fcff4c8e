"""Demo owners' votes (演示表决): three stories from the seed reports, built through the voting services.

- 劲松北 (报道 000): the vote that brought in 愿景明德物业, reconstructed so that its published figures
  come out: of the 2,763 owner households of 劲松一区 and 二区 that needed confirming, 1,548 (56.03 %)
  holding 51.66 % of the area agreed — a "双过半" under the Property Law (§D 15, 17). The 842 public
  housing units of the 房管所 are left out of the roll, as in the report. The report publishes only the
  agreeing figures; how the others voted (disagree, abstain, no ballot) is illustrative.
- 太阳都市花园后期小区 (报道 004): an open vote, building by building (分楼组表决), on re-raising the
  maintenance fund together with replacing the lifts (matter 6, ≥ 3/4 under the Civil Code), about a
  third of the way through.
- 团结公寓 (报道 002): 20 % of the owners signed for an extraordinary assembly (§E 18); the committee
  was told and called it, with the five matters of the report on its posted agenda.

The paper ballots of a box are entered with ``paper_ballots_import`` by two staff (four eyes), so the
chain, the electorate and the tally are the services' own. Deterministic for a given seed and day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import User
from gongzhi.demo.kit import DEMO_PASSWORD
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Unit
from gongzhi.voting import rules, selectors, services
from gongzhi.voting.models import ElectorateUnit, Motion, PetitionSignature

SH = dt.timezone(dt.timedelta(hours=8))

JINSONG_AGREE = 1548  # 报道 000: 同意户数占比 56.03 %（2763 户）
JINSONG_AREA_PERCENT = Decimal("51.66")  # 报道 000: 同意面积占比 51.66 %


def _user(username: str, display: str, role: str | None, place: Place | None, person: Any = None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.user_create(username=username, password=DEMO_PASSWORD, actor=None, display_name=display)
        if role:
            accounts.role_assign(user=user, role=role, actor=None, place=place)
    if person is not None and user.person_id != person.pk:
        user.person = person
        user.save(update_fields=["person"])
    return user


def _place(name: str, kind: str) -> Place | None:
    return Place.objects.filter(name=name, kind=kind).order_by("pk").first()


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


# --- 劲松北 -------------------------------------------------------------------------------------------


def _pick_agreeing(rows: list[ElectorateUnit], total_cents: int, rng: random.Random) -> set[int]:
    """1,548 single-owner units whose area makes 51.66 % of the total when rounded (§A 3)."""
    low = (JINSONG_AREA_PERCENT - Decimal("0.005")) * total_cents / 100
    high = (JINSONG_AREA_PERCENT + Decimal("0.005")) * total_cents / 100
    target = (low + high) / 2
    candidates = [r for r in rows if not r.shared_head]
    rng.shuffle(candidates)
    chosen, rest = candidates[:JINSONG_AGREE], candidates[JINSONG_AGREE:]
    total = sum(r.area_cents for r in chosen)
    for _ in range(3000):
        if low <= total < high:
            break
        gap = int(target - total)
        chosen.sort(key=lambda r: r.area_cents)
        rest.sort(key=lambda r: r.area_cents)
        # far away: the biggest step in the right direction; close: the swap that best fits the gap
        i, j = (len(chosen) - 1, 0) if gap < 0 else (0, len(rest) - 1)
        if abs(rest[j].area_cents - chosen[i].area_cents) >= abs(gap):
            best = None
            rest_areas = [r.area_cents for r in rest]
            for i2, a in enumerate(chosen):
                j2 = bisect.bisect_left(rest_areas, a.area_cents + gap)
                for j3 in (j2 - 1, j2):
                    if 0 <= j3 < len(rest):
                        miss = abs(rest_areas[j3] - a.area_cents - gap)
                        if best is None or miss < best[0]:
                            best = (miss, i2, j3)
            _, i, j = best
        total += rest[j].area_cents - chosen[i].area_cents
        chosen[i], rest[j] = rest[j], chosen[i]
    if not (low <= total < high):
        raise RuntimeError(
            f"劲松北演示数据：找不到面积恰为 51.66% 的同意户（{total} 不在 {low}–{high}，{len(candidates)} 户可选）"
        )
    return {r.unit_id for r in chosen}


def build_jinsong(rng: random.Random, log: Callable[[str], None]) -> Motion | None:
    community = _place("劲松北社区", "community")
    housing = Organisation.objects.filter(name="朝阳区房管局劲松房管所（直管公房）").first()
    if community is None or housing is None:
        log("  劲松北社区不在演示数据中，跳过")
        return None
    staff = User.objects.filter(username="jinsong_community").first() or _user(
        "jinsong_community", "劲松北社区 居委会", "community_staff", community
    )
    counter = _user("jinsong_counter", "劲松北社区 计票复核员", "community_staff", community)
    opens, closes = dt.date(2019, 9, 20), dt.date(2019, 10, 20)
    assembly = services.assembly_create(
        estate=community,
        title="劲松一区、二区业主大会：选聘物业服务企业",
        opens_at=_at(opens),
        closes_at=_at(closes, 17),
        notice_text="劲松一区、二区需要确权的2763户业主：就选聘北京愿景明德物业管理有限公司提供物业服务进行表决。"
        "物业费按“先服务、再体验、后收费”，设3年扶持期。",
        actor=staff,
    )
    motion = services.motion_add(
        assembly=assembly,
        title="选聘北京愿景明德物业管理有限公司为劲松一区、二区物业服务企业",
        matter="manager",
        description="依据物权法第76条，经专有部分占建筑物总面积过半数的业主且占总人数过半数的业主同意（双过半）。",
        documents=[
            ("物业服务方案", "服务内容：保洁、秩序维护、设施维修、绿化；3年扶持期内先服务后收费。"),
            ("投票说明", "每户一票；共有人共用一票；开箱验票后公示同意户数和面积比例。"),
        ],
        excluded_organisations=[housing],
        exclusion_note="直管公房842户的产权单位（房管所）另行书面决定，不参加本次业主表决（报道：需要确权的2763户）",
        actor=staff,
    )
    services.assembly_post_notice(assembly=assembly, actor=staff, noticed_on=opens - dt.timedelta(days=16))
    services.assembly_open(assembly=assembly, actor=staff, now=_at(opens, 10))
    rows = list(ElectorateUnit.objects.filter(motion=motion))
    motion.refresh_from_db()
    agree = _pick_agreeing(rows, int(motion.total_area * 100), rng)
    others = [r for r in rows if r.unit_id not in agree]
    rng.shuffle(others)
    disagree, abstain = others[:560], others[560:742]  # illustrative: the report gives only the agreeing side
    ballots = [(r.label, "agree", f"JS-{i:04d}") for i, r in enumerate(rows, 1) if r.unit_id in agree]
    ballots += [(r.label, "disagree", f"JS-D{i:04d}") for i, r in enumerate(disagree, 1)]
    ballots += [(r.label, "abstain", f"JS-A{i:04d}") for i, r in enumerate(abstain, 1)]
    services.paper_ballots_import(motion=motion, rows=ballots, actor=staff, confirmer=counter, at=_at(closes, 18))
    services.assembly_close(assembly=assembly, actor=staff, now=_at(closes, 19))
    services.assembly_publish(assembly=assembly, actor=staff, published_on=closes + dt.timedelta(days=2))
    motion.refresh_from_db()
    heads = {c["key"]: c for c in motion.result["conditions"]}
    homes = motion.result["households"]
    log(
        f"  劲松北：{homes['total']} 户参加表决，同意 {homes['agreeing']} 户（{homes['percent_agreeing']}%）、"
        f"面积 {heads['approval_area']['percent']}%；按人数 {heads['approval_heads']['numerator']}/"
        f"{motion.total_heads} 人；{'通过' if motion.passed else '未通过'}（物权法第76条，双过半）"
    )
    return motion


# --- 太阳都市花园后期小区 ------------------------------------------------------------------------------------


def build_taiyang(rng: random.Random, log: Callable[[str], None]) -> None:
    estate = Place.objects.filter(name__startswith="太阳都市花园后期", kind="estate").first()
    if estate is None:
        log("  太阳都市花园后期小区不在演示数据中，跳过")
        return
    community = estate.parent
    committee = _user("taiyang_committee", "太阳都市花园后期 业委会委员", "committee_member", estate)
    staff = _user("taiyang_community", "太阳都市居民区 居委会", "community_staff", community)
    now = timezone.now()
    today = timezone.localdate()
    assembly = services.assembly_create(
        estate=estate,
        title="太阳都市花园后期小区业主大会：电梯更新与维修资金续筹（分楼组表决）",
        opens_at=now - dt.timedelta(days=5),
        closes_at=now + dt.timedelta(days=21),
        notice_text="电梯更新改造和维修资金续筹同步推进：各楼组分别表决本楼的续筹和电梯更新方案。"
        "续筹维修资金是申请电梯更新政府补贴的前提条件。",
        actor=committee,
    )
    homes = Unit.objects.filter(estate=estate, use="residential").values("building_id")
    buildings = list(Place.objects.filter(parent=estate, kind="building", pk__in=homes).order_by("sort_key", "name"))
    for b in buildings:
        services.motion_add(
            assembly=assembly,
            title=f"{b.name}：续筹维修资金并更新电梯",
            matter="fund_raise",
            description="按本楼专有面积续筹维修资金，用于电梯更新改造（含政府补贴后业主分摊部分）。",
            buildings=[b],
            documents=[("续筹和电梯更新方案", f"{b.name}：续筹标准按每平方米计；电梯更新改造方案见楼栋大堂公告。")],
            actor=committee,
        )
    services.assembly_post_notice(assembly=assembly, actor=committee, noticed_on=today - dt.timedelta(days=21))
    services.assembly_open(assembly=assembly, actor=committee, now=now - dt.timedelta(days=5))
    owner = None
    for i, motion in enumerate(assembly.motions.order_by("position")):
        rows = list(ElectorateUnit.objects.filter(motion=motion).order_by("label"))
        rng.shuffle(rows)
        share = (45, 30, 20)[i % 3]  # participation so far differs building by building
        voted = rows[: len(rows) * share // 100]
        box = [
            (r.label, rng.choices(["agree", "disagree", "abstain"], (86, 9, 5))[0], f"TY{i}-{n:03d}")
            for n, r in enumerate(voted, 1)
        ]
        services.paper_ballots_import(
            motion=motion, rows=box, actor=committee, confirmer=staff, at=now - dt.timedelta(days=1)
        )
        if owner is None:
            waiting = [r for r in rows[len(voted) :] if r.owner_keys.startswith("p:") and "," not in r.owner_keys]
            if waiting:
                person_id = int(waiting[0].owner_keys[2:])
                owner = _user(
                    "taiyang_owner",
                    "太阳都市花园后期 业主",
                    None,
                    None,
                    person=Ownership.objects.get(
                        unit_id=waiting[0].unit_id, person_id=person_id, until__isnull=True
                    ).person,
                )
        live = selectors.motion_counts(motion).counts
        log(
            f"  太阳都市：{motion.title}：已投 {live.participating_heads}/{live.total_heads} 人，"
            f"面积 {rules.percent(live.participating_area, live.total_area)}%"
        )


# --- 团结公寓 ---------------------------------------------------------------------------------------------


def build_tuanjie(rng: random.Random, log: Callable[[str], None]) -> None:
    estate = _place("团结公寓", "estate")
    if estate is None:
        log("  团结公寓不在演示数据中，跳过")
        return
    committee = _user("tuanjie_committee", "团结公寓 业委会委员", "committee_member", estate)
    _user("tuanjie_community", "团结湖社区 居委会", "community_staff", estate.parent)
    heads = selectors.estate_heads(estate)
    persons = sorted(
        {int(k[2:]) for owners in heads.values() if len(owners) == 1 for k in owners if k.startswith("p:")}
    )
    rng.shuffle(persons)
    needed = rules.petition_needed(len(heads))
    first = _user("tuanjie_owner", "团结公寓 业主", None, None, person=Person.objects.get(pk=persons[0]))
    petition = services.petition_create(
        estate=estate,
        title="提议召开业主大会临时会议：选举第4届业委会、选聘物业、更换电梯等5项",
        reason="设施设备老化，业主对小区管理不满，相关12345诉求逐月增加。",
        actor=first,
    )
    # the signatures gathered door to door, then the one that reaches 20 % through the service
    signed_at = timezone.now() - dt.timedelta(days=3)
    PetitionSignature.objects.bulk_create(
        [PetitionSignature(petition=petition, person_id=p, signed_at=signed_at) for p in persons[1 : needed - 1]]
    )
    last = _user(
        "tuanjie_owner2", "团结公寓 业主（联名）", None, None, person=Person.objects.get(pk=persons[needed - 1])
    )
    services.petition_sign(petition=petition, actor=last)
    petition.refresh_from_db()
    progress = selectors.petition_progress(petition)
    log(
        f"  团结公寓：{progress.signed_heads}/{progress.total_heads} 人联名（{progress.percent}%），{petition.get_status_display()}"
    )
    now = timezone.now()
    assembly = services.assembly_create(
        estate=estate,
        title="团结公寓业主大会临时会议",
        kind="extraordinary",
        opens_at=now + dt.timedelta(days=16),
        closes_at=now + dt.timedelta(days=30),
        notice_text="经20%的业主提议召开临时会议，对以下5项小区公共事项进行表决。",
        petition=petition,
        actor=committee,
    )
    for title, matter in (
        ("选举团结公寓第4届业主委员会", "committee"),
        ("选聘物业服务企业", "manager"),
        ("使用维修资金更换运行二十年以上的电梯", "fund_use"),
        ("修改小区业主大会议事规则", "rules"),
        ("制定小区公共收益使用管理细则", "bj_common_income"),
    ):
        services.motion_add(assembly=assembly, title=title, matter=matter, actor=committee)
    services.assembly_post_notice(assembly=assembly, actor=committee)


def build(seed: int, log: Callable[[str], None]) -> None:
    """Load the demo votes (called by ``manage.py load_demo`` after the seed estates and work orders)."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by seed
    log("演示业主表决：")
    with transaction.atomic():
        build_jinsong(rng, log)
        build_taiyang(rng, log)
        build_tuanjie(rng, log)
    log(f"演示业主表决已加载（{time.monotonic() - started:.1f} 秒）")


__all__ = ["build"]
