"""Demo money (演示资金数据), built by ``load_demo`` after the seed estates, work orders and voting.

- 太阳都市花园后期小区 (报道 004): the fund below 30 %, the re-raising decided by building groups
  (2022-12-22 — 2023-01-17), notices delivered from 10 Feb 2023, the five steps; the campaign is
  replayed day by day through the bank-statement import, the daily ladder and the daily snapshot,
  so the curve passes 70 % on 22 Feb and 90 % on 12 Mar (报道: "2月22日，总体交款率超过七成；3月12日，
  总体交款率达九成"), with contacts logged (owners abroad paying by phone and WeChat).
- 劲松一区/二区 (报道 000, 002): "先服务、再体验、后收费", six months of property-fee bills collected at
  about 72 % (报道: "物业费收取率已达72%").
- 富南大厦 (报道 004): a year of public revenue (parking, elevator advertising, rented space) with
  costs and, while the fund is below 30 %, half to the fund at each quarter's closing; the Party work
  group and the committee review each quarter (富南5条); the latest quarter is not reviewed yet.
- 广安门北街20号院 (报道 000): the new sewage pipes split among its six rights units by area.

Everything goes through the funds services (permission checks, audit rows, the hash chain), with
bulk writes where a service has them. Deterministic for a seed. Two demo logins are added for the
太阳都市 campaign (committee member, property finance) and one owner there.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from math import ceil
from typing import Any

from django.db import transaction
from django.db.models import F

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import forget_scope
from gongzhi.demo.kit import DEMO_PASSWORD
from gongzhi.funds import rules, services
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    ContactLog,
    CostSplit,
    FeeBill,
    FeePayment,
    FundAccount,
    LedgerEntry,
)
from gongzhi.funds.statement import StatementRow
from gongzhi.governance.models import ServiceContract
from gongzhi.governance.selectors import current_contract
from gongzhi.registry.models import Ownership, Place, Unit

D = dt.date
TAIYANG = "太阳都市花园后期小区"
FUNAN = "富南大厦"
GUANGANMEN = "广安门北街20号院"
JINSONG = ("劲松一区", "劲松二区")

# The campaign's payment rate by count on given days (报道: >70 % on 22 Feb, 90 % on 12 Mar); between
# them, straight lines. Just below the mark the day before, so the curve passes it on the day.
CURVE = [
    (D(2023, 2, 10), 0.04),
    (D(2023, 2, 13), 0.30),
    (D(2023, 2, 17), 0.55),
    (D(2023, 2, 21), 0.685),
    (D(2023, 2, 22), 0.715),
    (D(2023, 3, 3), 0.83),
    (D(2023, 3, 11), 0.885),
    (D(2023, 3, 12), 0.905),
    (D(2023, 3, 31), 0.93),
]
REPLAY_END = D(2023, 3, 31)


def _target(day: dt.date) -> float:
    for (d0, f0), (d1, f1) in zip(CURVE, CURVE[1:], strict=False):
        if d0 <= day <= d1:
            return f0 + (f1 - f0) * (day - d0).days / max((d1 - d0).days, 1)
    return CURVE[-1][1]


def _estate(name: str) -> Place | None:
    return Place.objects.filter(kind="estate", name=name).order_by("pk").first()


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _demo_user(username: str, display: str, role: str, **where: Any) -> User:
    from gongzhi.accounts.models import RoleAssignment

    user = _user(username)
    if user is None:  # another app's demo may have made the same login (voting: taiyang_committee)
        user = accounts.user_create(username=username, password=DEMO_PASSWORD, actor=None, display_name=display)
    if not RoleAssignment.objects.filter(user=user, role=role, active=True, **where).exists():
        accounts.role_assign(user=user, role=role, actor=None, **where)
        forget_scope(user)  # recompute the cached scope
    return user


def build(seed: int = 2026, log: Any = None) -> dict[str, Any]:
    """Build the demo money once (nothing is made if a demo campaign exists). Returns counts and seconds."""
    log = log or (lambda _msg: None)
    started = time.monotonic()
    if Campaign.objects.exists() or LedgerEntry.objects.exists():
        return {"seconds": 0.0}
    rng = random.Random(seed)  # noqa: S311 - demo data, deterministic per seed
    counts: dict[str, Any] = {}
    with transaction.atomic():
        counts["campaign_units"] = _taiyang(rng)
        counts["fee_bills"] = _jinsong_fees(rng)
        counts["ledger_entries"] = _funan(rng)
        counts["split_shares"] = _guanganmen()
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            object_type="funds.demo",
            object_id=str(seed),
            summary="加载演示资金数据",
        )
    counts["seconds"] = round(time.monotonic() - started, 2)
    log(f"资金演示数据：{counts}")
    return counts


# --- 太阳都市花园后期小区: the re-raising campaign -------------------------------------------------------------


def _taiyang(rng: random.Random) -> int:
    estate = _estate(TAIYANG)
    if estate is None:
        return 0
    contract = ServiceContract.objects.filter(estate=estate).order_by("-start").select_related("company").first()
    committee = _demo_user("taiyang_committee", "太阳都市业委会 委员", "committee_member", place=estate)
    finance = (
        _demo_user("taiyang_finance", "豫城物业 财务", "property_finance", company=contract.company)
        if contract is not None
        else committee
    )
    owner = (
        Ownership.objects.current()
        .filter(unit__estate=estate, person__isnull=False)
        .select_related("person")
        .order_by("unit_id")
        .first()
    )
    if owner is not None and _user("taiyang_owner") is None:
        user = accounts.user_create(
            username="taiyang_owner", password=DEMO_PASSWORD, actor=None, display_name="太阳都市 业主"
        )
        user.person = owner.person
        user.save(update_fields=["person"])
    area = sum(Unit.objects.filter(estate=estate, area__isnull=False).values_list("area", flat=True))
    first_phase = rules.bill_fen(area, 6000)  # 60 yuan/m² raised when the homes were sold (synthetic)
    services.fund_account_open(
        estate=estate,
        first_phase_fen=first_phase,
        balance_fen=first_phase * 22 // 100,  # the elevators ate it: 22 % left, below 30 % (§F 23)
        opened_on=D(2022, 11, 30),
        document_ref="黄浦区维修资金分户账对账单（2022年11月）",
        actor=committee,
    )
    campaign = services.campaign_start(
        estate=estate,
        title="电梯更新与维修资金续筹",
        decision_date=D(2023, 1, 17),
        decision_body="building_groups",
        decision_document="分楼组表决结果公告（2022年12月22日—2023年1月17日）",
        rate_fen=3000,
        starts_on=D(2023, 2, 10),
        actor=committee,
    )
    bills = list(CampaignBill.objects.filter(campaign=campaign).order_by("pk"))
    order = bills[:]
    rng.shuffle(order)
    paid = 0
    day = campaign.starts_on
    ref = 0
    contacts: list[ContactLog] = []
    while day <= REPLAY_END:
        want = ceil(_target(day) * len(bills))
        rows = []
        by_ref: dict[str, CampaignBill] = {}
        for bill in order[paid:want]:
            ref += 1
            rows.append(
                StatementRow(
                    row=ref,
                    ref=f"ICBC{day:%Y%m%d}{ref:05d}",
                    paid_on=day,
                    amount_fen=bill.amount_fen,
                    payer="业主",
                    memo=f"维修资金续筹 {bill.code}" if rng.random() < 0.97 else "维修资金",
                )
            )
            by_ref[rows[-1].ref] = bill
        paid = max(paid, want)
        if rows:
            result = services.statement_import_rows(
                campaign=campaign, rows=rows, file_name=f"银行流水{day:%m%d}.csv", actor=finance
            )
            if day < REPLAY_END:  # rows without a code are matched by hand the same day; the last day's wait
                for row in result.unmatched_rows:
                    services.unmatched_match(row=row, bill=by_ref[row.bank_ref], actor=finance)
        services.ladder_advance(today=day, campaign=campaign)
        services.snapshot_take(campaign=campaign, day=day)
        contacts += _contacts(rng, campaign, day, committee, finance)
        day += dt.timedelta(days=1)
    ContactLog.objects.bulk_create(contacts, batch_size=1000)
    return len(bills)


CONTACTS = [
    ("visit", "promised", "上门送达缴款单，业主答应本周交"),
    ("phone", "abroad", "业主在国外，已发手机银行缴款方式"),
    ("wechat", "promised", "微信发送缴款单照片和识别码"),
    ("volunteer", "hesitant", "楼组志愿者谈心，业主担心电梯更新费用分摊"),
    ("meeting", "promised", "居委会和街道房办约谈，说明续筹与电梯补贴的关系"),
    ("visit", "refused", "业主拒绝，称不用电梯"),
]


def _contacts(rng: random.Random, campaign: Campaign, day: dt.date, committee: User, finance: User) -> list[ContactLog]:
    """A few contacts a day with units still unpaid, by the step they are at."""
    unpaid = list(
        CampaignBill.objects.filter(campaign=campaign, paid_on__isnull=True, step__gte=1).values_list(
            "pk", "step", "estate_id"
        )
    )
    out = []
    for pk, step, estate_id in rng.sample(unpaid, min(len(unpaid), 4)):
        kind, outcome, note = CONTACTS[min(step - 1, 4)] if rng.random() < 0.7 else rng.choice(CONTACTS)
        at = dt.datetime.combine(day, dt.time(10 + rng.randrange(8), rng.randrange(60)), tzinfo=dt.UTC) - dt.timedelta(
            hours=8
        )
        out.append(
            ContactLog(
                bill_id=pk,
                estate_id=estate_id,
                step=step,
                kind=kind,
                outcome=outcome,
                note=note,
                at=at,
                by=finance if step <= 2 else committee,
            )
        )
    return out


# --- 劲松北: property fees at about 72 % --------------------------------------------------------------------


def _jinsong_fees(rng: random.Random) -> int:
    manager = _user("yuanjing_manager")
    if manager is None:
        return 0
    from django.utils import timezone

    today = timezone.localdate()
    months = []
    m = rules.month_start(today)
    for _ in range(6):
        m = (m - dt.timedelta(days=1)).replace(day=1)
        months.append(m)
    months.reverse()
    made = 0
    for name in JINSONG:
        estate = _estate(name)
        contract = current_contract(estate, today) if estate else None
        if contract is None:
            continue
        # three months of service to try before the first bill ("先服务、再体验、后收费")
        trial_end = rules.next_month(rules.next_month(rules.next_month(rules.month_start(contract.start))))
        plan = services.fee_plan_set(contract=contract, first_bill_month=trial_end, actor=manager)
        for month in months:
            if month >= plan.first_bill_month:
                made += services.fee_bills_issue(plan=plan, month=month, actor=manager)
        _collect(rng, estate, manager)
    return made


def _collect(rng: random.Random, estate: Place, manager: User) -> None:
    """About 72 % of homes pay every month (报道), a few pay some months; receipts for each payment."""
    buildings = list(FeeBill.objects.filter(estate=estate).values_list("building_id", flat=True).distinct())
    lean = {b: rng.uniform(-0.08, 0.08) for b in buildings}
    payers = {}
    for unit_id, building_id in FeeBill.objects.filter(estate=estate).values_list("unit_id", "building_id").distinct():
        r = rng.random()
        payers[unit_id] = 1.0 if r < 0.70 + lean[building_id] else (0.5 if r < 0.75 + lean[building_id] else 0.0)
    paid: list[tuple[int, dt.date]] = []
    for pk, unit_id, month in FeeBill.objects.filter(estate=estate).values_list("pk", "unit_id", "month"):
        share = payers[unit_id]
        if share == 1.0 or (share and rng.random() < share):
            paid.append((pk, month + dt.timedelta(days=rng.randrange(5, 40))))
    from django.utils import timezone

    today = timezone.localdate()
    by_day: dict[dt.date, list[int]] = {}
    for pk, day in paid:
        by_day.setdefault(min(day, today), []).append(pk)
    for day, ids in by_day.items():
        FeeBill.objects.filter(pk__in=ids).update(paid_fen=F("amount_fen"), paid_on=day)
    amounts = dict(FeeBill.objects.filter(estate=estate, paid_on__isnull=False).values_list("pk", "amount_fen"))
    FeePayment.objects.bulk_create(
        [
            FeePayment(
                bill_id=pk, estate=estate, amount_fen=amounts[pk], paid_on=min(day, today), method=rng.choice(["wechat", "alipay", "cash", "pos"]),
                receipt_no=f"WY{pk:08d}-1", entered_by=manager,
            )
            for pk, day in paid
        ],
        batch_size=2000,
    )  # fmt: skip
    audit_record(actor=manager, action=AuditAction.IMPORT, obj=estate, summary=f"演示物业费收费：{len(paid)} 笔")


# --- 富南大厦: a year of public revenue, closed each quarter, reviewed ------------------------------------------


def _funan(rng: random.Random) -> int:
    estate = _estate(FUNAN)
    keeper = _user("funan_committee")
    reviewer = _user("funan_party")
    if estate is None or keeper is None:
        return 0
    from django.utils import timezone

    today = timezone.localdate()
    area = sum(Unit.objects.filter(estate=estate, area__isnull=False).values_list("area", flat=True))
    first = rules.bill_fen(area, 5000)
    services.fund_account_open(
        estate=estate, first_phase_fen=first, balance_fen=first * 26 // 100, opened_on=D(2021, 7, 1),
        document_ref="黄浦区维修资金分户账对账单", actor=keeper,
    )  # fmt: skip
    this_q, _ = rules.quarter_of(today)
    quarters = []
    q_end = this_q - dt.timedelta(days=1)
    for _ in range(4):
        q_start, q_end_ = rules.quarter_of(q_end)
        quarters.append((q_start, q_end_))
        q_end = q_start - dt.timedelta(days=1)
    quarters.reverse()
    n = 0
    for index, (start, end) in enumerate(quarters):
        month = start
        while month <= end:
            n += _month_entries(rng, estate, keeper, month)
            month = rules.next_month(month)
        totals = services.period_totals(estate, start, end)
        account = FundAccount.objects.get(estate=estate)
        below = rules.replenishment_due(account.balance_fen, account.first_phase_fen)
        need = rules.revenue_to_fund_required(totals.net_fen, below) - totals.to_fund_fen
        if need > 0:
            services.ledger_append(
                estate=estate, kind="to_fund", amount_fen=need, occurred_on=end,
                description=f"{start:%Y}年第{(start.month - 1) // 3 + 1}季度公共收益净额的一半转入维修资金",
                document_ref=f"银行转账回单 {end:%Y%m%d}", decision_ref="北京/上海：维修资金低于30%时公共收益优先补充", actor=keeper,
            )  # fmt: skip
            n += 1
        services.ledger_period_close(estate=estate, start=start, end=end, actor=keeper)
        if reviewer is not None and index < len(quarters) - 1:
            for subject, comment in (
                ("fund", "维修资金余额与对账单一致"),
                ("revenue", "收支有凭证，转入维修资金符合规定"),
            ):
                services.review_sign(
                    estate=estate, subject=subject, period_start=start, period_end=end, comments=comment, actor=reviewer
                )
            services.review_sign(
                estate=estate, subject="committee_accounts", period_start=start, period_end=end,
                comments="业委会账册齐全，会议记录完整", actor=keeper,
            )  # fmt: skip
    return n


def _month_entries(rng: random.Random, estate: Place, keeper: User, month: dt.date) -> int:
    entries = [
        ("income", "parking", 1_600_000 + rng.randrange(-200_000, 200_000), 8, "地面停车位收费", "停车收费月报"),
        ("income", "advertising", 360_000, 10, "电梯轿厢广告", "广告合同 FN-2024-03"),
        ("income", "rented_space", 450_000, 12, "一层商铺门前场地出租", "场地租赁合同 FN-2023-07"),
        ("cost", "", 190_000 + rng.randrange(0, 40_000), 25, "停车管理人员劳务", "劳务发票"),
        ("cost", "", 48_000, 26, "广告位电费分摊", "电费分摊表"),
    ]
    if month.month == 6:
        entries.append(("spending", "", 820_000, 20, "更新一号门头信报箱", "发票"))
    n = 0
    for kind, source, amount, day, text, doc in entries:
        services.ledger_append(
            estate=estate, kind=kind, source=source, amount_fen=amount, occurred_on=month.replace(day=day),
            description=f"{month:%Y年%m月}{text}", document_ref=doc,
            decision_ref="业主大会决议（2024年第2次）" if kind == "spending" else "", actor=keeper,
        )  # fmt: skip
        n += 1
    return n


# --- 广安门北街20号院: the sewage pipes split among six rights units --------------------------------------------


def _guanganmen() -> int:
    estate = _estate(GUANGANMEN)
    actor = _user("guanganmen_committee")
    if estate is None or actor is None or CostSplit.objects.filter(estate=estate).exists():
        return 0
    split = services.cost_split_create(
        estate=estate,
        title="更换楼内污水立管和院内污水管线",
        total_fen=38_640_000,
        basis="rights_units",
        decision_ref="物管会与六家产权单位协调会纪要（演示）",
        actor=actor,
    )
    return split.shares.count()
