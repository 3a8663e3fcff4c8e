"""Every read of the funds app, scoped to the user (``visible_to``), with the figures the pages show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db.models import BigIntegerField, Case, Count, F, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from gongzhi.core.errors import invalid
from gongzhi.core.scoping import get_for_user, scope_of
from gongzhi.funds import rules
from gongzhi.funds.choices import ASSIGNEE_ROLE_CHOICES, ENTRY_SIGN, EntryKind, MovementKind, ReviewSubject
from gongzhi.funds.models import (
    Campaign,
    CampaignBill,
    CampaignPayment,
    CampaignStep,
    ContactLog,
    FeeBill,
    FundAccount,
    FundMovement,
    LedgerEntry,
    LedgerPeriod,
    RateSnapshot,
    Review,
    UnitFund,
    UnmatchedRow,
)
from gongzhi.funds.permissions import step_roles, works_step
from gongzhi.registry.models import Ownership, Place

ROLE_LABEL = dict(ASSIGNEE_ROLE_CHOICES)
REVIEW_EVERY_DAYS = getattr(settings, "FUNDS_REVIEW_EVERY_DAYS", 92)  # quarterly (富南5条: 定期查阅)
REVIEW_GRACE_DAYS = getattr(settings, "FUNDS_REVIEW_GRACE_DAYS", 30)


def estate_for_user(user: Any, pk: Any) -> Place:
    """An estate the user may see (404 otherwise)."""
    return get_for_user(Place.objects.estates(), user, pk=pk)


def estates_for_user(user: Any) -> QuerySet[Place]:
    return Place.objects.estates().visible_to(user).order_by("path")


def estate_buildings(estate: Place) -> list[Place]:
    return list(Place.objects.filter(parent=estate, kind="building").order_by("sort_key", "name"))


def estate_building(estate: Place, pk: int | None) -> Place | None:
    """A building of the estate named by id in a form or a request (``None`` for none); an id that is not
    one of the estate's buildings is refused naming the field."""
    if pk is None:
        return None
    building = Place.objects.filter(parent=estate, kind="building", pk=pk).first()
    if building is None:
        raise invalid("building_id", "楼栋编号：楼栋不属于该小区")
    return building


# --- fund ---------------------------------------------------------------------------------------------


@dataclass
class FundView:
    account: FundAccount | None
    due: bool
    percent: str
    movements: list[FundMovement]
    halves: list[tuple[str, int, int]]  # half-year statement: label, in, out

    @property
    def line_fen(self) -> int:
        """30 % of the first phase, rounded up to the fen (§F 23)."""
        return -(-self.account.first_phase_fen * rules.REPLENISH_PERCENT // 100) if self.account else 0


def fund_view(user: Any, estate: Place) -> FundView:
    account = FundAccount.objects.visible_to(user).filter(estate=estate).first()
    if account is None:
        return FundView(None, False, "—", [], [])
    moves = list(FundMovement.objects.visible_to(user).filter(account=account).select_related("created_by")[:200])
    halves: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for day, amount in FundMovement.objects.filter(account=account).values_list("occurred_on", "amount_fen"):
        key = f"{day.year}年{'上' if day.month <= 6 else '下'}半年"
        halves[key][0 if amount > 0 else 1] += amount
    return FundView(
        account,
        rules.replenishment_due(account.balance_fen, account.first_phase_fen),
        rules.percent_text(rules.rate(account.balance_fen, account.first_phase_fen)),
        moves,
        sorted(((k, v[0], -v[1]) for k, v in halves.items()), reverse=True),
    )


def my_fund(user: Any) -> list[dict[str, Any]]:
    """The user's units' fund shares (分户账): first-phase deposit and what was paid in since."""
    funds = list(
        UnitFund.objects.visible_to(user).select_related("unit__building", "unit__entrance", "estate", "account")
    )
    unit_ids = [uf.unit_id for uf in funds]
    # re-raising paid for the unit (its payment rows) and other movements booked to the unit: one
    # grouped query each, whatever the number of units
    paid = dict(
        CampaignPayment.objects.filter(bill__unit_id__in=unit_ids)
        .order_by()
        .values("bill__unit_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("bill__unit_id", "s")
    )
    other = dict(
        FundMovement.objects.filter(unit_id__in=unit_ids)
        .exclude(kind=MovementKind.REPLENISH)
        .order_by()
        .values("unit_id")
        .annotate(s=Sum("amount_fen"))
        .values_list("unit_id", "s")
    )
    out = []
    for uf in funds:
        since = (paid.get(uf.unit_id) or 0) + (other.get(uf.unit_id) or 0)
        out.append({"unit_fund": uf, "paid_since_fen": since, "total_fen": uf.first_phase_fen + since})
    return out


# --- campaigns -------------------------------------------------------------------------------------------


def campaigns_for_user(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("estate").order_by("-starts_on", "-pk")


def campaign_for_user(user: Any, pk: Any, *, write: bool = False) -> Campaign:
    return get_for_user(Campaign.objects.select_related("estate"), user, write=write, pk=pk)


@dataclass
class Progress:
    units: int
    units_paid: int
    due_fen: int
    paid_fen: int

    @property
    def by_count(self) -> Fraction | None:
        return rules.rate(self.units_paid, self.units)

    @property
    def by_amount(self) -> Fraction | None:
        return rules.rate(self.paid_fen, self.due_fen)

    @property
    def count_text(self) -> str:
        return rules.percent_text(self.by_count)

    @property
    def amount_text(self) -> str:
        return rules.percent_text(self.by_amount)

    @property
    def count_percent(self) -> str:
        return rules.percent_number(self.by_count, 1) or "0"


def campaign_progress(campaign: Campaign) -> tuple[Progress, list[tuple[Place, Progress]]]:
    """Now: overall and per building, by count and by amount (exact fractions)."""
    rows = list(
        CampaignBill.objects.filter(campaign=campaign)
        .order_by()
        .values("building_id")
        .annotate(
            units=Count("pk"),
            paid=Count("pk", filter=Q(paid_on__isnull=False)),
            due=Sum("amount_fen"),
            got=Sum("paid_fen"),
        )
    )
    buildings = Place.objects.in_bulk([r["building_id"] for r in rows])
    per = sorted(
        ((buildings[r["building_id"]], Progress(r["units"], r["paid"], r["due"] or 0, r["got"] or 0)) for r in rows),
        key=lambda bp: (bp[0].sort_key or "", bp[0].name),
    )
    total = Progress(
        sum(p.units for _, p in per),
        sum(p.units_paid for _, p in per),
        sum(p.due_fen for _, p in per),
        sum(p.paid_fen for _, p in per),
    )
    return total, per


def campaign_totals(campaigns: list[Campaign]) -> list[tuple[Campaign, Progress]]:
    """Each campaign's totals now, in one grouped query (for lists across estates)."""
    rows = {
        r["campaign_id"]: Progress(r["units"], r["paid"], r["due"] or 0, r["got"] or 0)
        for r in CampaignBill.objects.filter(campaign__in=campaigns)
        .order_by()
        .values("campaign_id")
        .annotate(
            units=Count("pk"),
            paid=Count("pk", filter=Q(paid_on__isnull=False)),
            due=Sum("amount_fen"),
            got=Sum("paid_fen"),
        )
    }
    return [(c, rows.get(c.pk, Progress(0, 0, 0, 0))) for c in campaigns]


def campaign_curve(campaign: Campaign) -> dict[str, Any]:
    """The review curve (复盘曲线): the daily snapshots as exact percentages, overall and per building."""
    snaps = list(
        RateSnapshot.objects.filter(campaign=campaign).select_related("building").order_by("day", "building_id")
    )
    days = sorted({s.day for s in snaps})
    overall = {s.day: s for s in snaps if s.building_id is None}
    per: dict[str, dict[dt.date, RateSnapshot]] = defaultdict(dict)
    for s in snaps:
        if s.building_id is not None:
            per[s.building.name][s.day] = s

    def pct(s: RateSnapshot | None, amount: bool = False) -> str | None:
        if s is None:
            return None
        return rules.percent_number(rules.rate(s.paid_fen, s.due_fen) if amount else rules.rate(s.units_paid, s.units))

    return {
        "days": [d.isoformat() for d in days],
        "count": [pct(overall.get(d)) for d in days],
        "amount": [pct(overall.get(d), True) for d in days],
        "buildings": {name: [pct(series.get(d)) for d in days] for name, series in sorted(per.items())},
    }


@dataclass
class LeftRow:
    bill: CampaignBill
    step: CampaignStep | None
    last_contact: ContactLog | None
    people: list[str] = field(default_factory=list)


def campaign_left(campaign: Campaign) -> list[LeftRow]:
    """Who is left, at which step, who is on it (谁没交、在第几步、谁在跟进): the weekly review list."""
    from gongzhi.funds.services.shared import _estate_holders, _estate_users

    steps = {s.number: s for s in CampaignStep.objects.filter(campaign=campaign)}
    bills = list(
        CampaignBill.objects.filter(campaign=campaign, paid_on__isnull=True)
        .select_related("unit__building", "unit__entrance", "building")
        .order_by("-step", "building__sort_key", "building__name", "unit__path", "unit__number")
    )
    last: dict[int, ContactLog] = {}
    for c in (
        ContactLog.objects.filter(bill__campaign=campaign, bill__paid_on__isnull=True)
        .select_related("by")
        .order_by("bill_id", "at", "pk")
    ):
        last[c.bill_id] = c
    people: dict[str, list[str]] = {}
    holders = _estate_holders(campaign.estate)
    for step in steps.values():
        roles = step_roles(step.assignee_role)
        people[step.assignee_role] = sorted(
            u.display_name or u.get_username() for u in _estate_users(campaign.estate, roles, holders)
        )
    return [
        LeftRow(
            b, steps.get(b.step), last.get(b.pk), people.get(steps[b.step].assignee_role, []) if b.step in steps else []
        )
        for b in bills
    ]


def unmatched_rows(campaign: Campaign, limit: int = 200) -> list[UnmatchedRow]:
    """The campaign's statement rows still waiting for a person to match them (待认领), latest import first."""
    return list(
        UnmatchedRow.objects.filter(campaign=campaign, payment__isnull=True).order_by("-statement_id", "row")[:limit]
    )


def bill_for_match(row: UnmatchedRow, *, bill_id: int | None = None, code: str = "") -> CampaignBill | None:
    """The bill of the row's campaign named by its id or its 缴款识别码 (as printed: case does not matter)."""
    bills = CampaignBill.objects.filter(campaign_id=row.campaign_id)
    if bill_id is not None:
        return bills.filter(pk=bill_id).first()
    return bills.filter(code=code.strip().upper()).first()


def todo_for_user(user: Any) -> list[tuple[CampaignStep, list[CampaignBill]]]:
    """The unpaid units on the steps the user works (待办): by the step's assignee role, in the estates
    where the user holds that role."""
    out = []
    steps = (
        CampaignStep.objects.filter(campaign__status="active")
        .select_related("campaign__estate")
        .order_by("campaign_id", "number")
    )
    scope = scope_of(user)
    for step in steps:
        if not works_step(scope, step.assignee_role, step.campaign.estate):
            continue
        bills = list(
            CampaignBill.objects.filter(campaign=step.campaign, step=step.number, paid_on__isnull=True)
            .select_related("unit__building", "unit__entrance")
            .order_by("unit__path", "unit__number")[:500]
        )
        if bills:
            out.append((step, bills))
    return out


# --- my bills --------------------------------------------------------------------------------------------


def my_bills(user: Any) -> dict[str, Any]:
    """The owner's bills (我的账单): re-raising bills and property-fee bills of the units they own."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return {"campaign_bills": [], "fee_bills": [], "fee_owed_fen": 0}
    owned = Ownership.objects.current().filter(person_id=person_id).values("unit_id")
    campaign_bills = list(
        CampaignBill.objects.visible_to(user)
        .filter(unit_id__in=owned)
        .select_related("campaign", "unit__building", "unit__entrance", "estate")
        .order_by("-campaign__starts_on")
    )
    fee_bills = list(
        FeeBill.objects.visible_to(user)
        .filter(unit_id__in=owned)
        .select_related("unit__building", "unit__entrance", "estate")
        .order_by("-month")[:36]
    )
    owed = sum(b.outstanding_fen for b in fee_bills)
    return {"campaign_bills": campaign_bills, "fee_bills": fee_bills, "fee_owed_fen": owed}


# --- fees ----------------------------------------------------------------------------------------------------


@dataclass
class RateRow:
    key: Any
    label: str
    bills: int
    paid: int
    due_fen: int
    paid_fen: int

    @property
    def count_text(self) -> str:
        return rules.percent_text(rules.rate(self.paid, self.bills))

    @property
    def amount_text(self) -> str:
        return rules.percent_text(rules.rate(self.paid_fen, self.due_fen))


def collection_rates(
    user: Any, *, by: str = "estate", estate: Place | None = None, since: dt.date | None = None
) -> list[RateRow]:
    """Property-fee collection rate (收缴率) by estate, building or month, over the bills the user may see;
    by count (bills paid / bills) and by amount (fen paid / fen due), exact."""
    qs = FeeBill.objects.visible_to(user).order_by()
    if estate is not None:
        qs = qs.filter(estate=estate)
    if since is not None:
        qs = qs.filter(month__gte=since)
    group = {"estate": "estate_id", "building": "building_id", "month": "month"}[by]
    rows = list(
        qs.values(group).annotate(
            bills=Count("pk"),
            paid=Count("pk", filter=Q(paid_on__isnull=False)),
            due=Sum("amount_fen"),
            got=Sum("paid_fen"),
        )
    )
    if by == "month":
        labels = {r[group]: f"{r[group]:%Y年%m月}" for r in rows}
    else:
        places = Place.objects.in_bulk([r[group] for r in rows])
        labels = {pk: p.name for pk, p in places.items()}
    out = [
        RateRow(r[group], labels.get(r[group], ""), r["bills"], r["paid"], r["due"] or 0, r["got"] or 0) for r in rows
    ]
    return sorted(out, key=lambda r: str(r.key) if by == "month" else r.label)


# --- ledger ----------------------------------------------------------------------------------------------------


def ledger_for_user(user: Any, estate: Place) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.visible_to(user)
        .filter(estate=estate)
        .select_related("reverses", "created_by", "building")
        .order_by("-seq")
    )


def ledger_balance(estate: Place) -> int:
    """Public revenue held now: income less costs, spending and money moved to the fund (reversals undo),
    summed in the database with the signs of ``ENTRY_SIGN``."""
    signed = Case(
        *(When(kind=kind, then=F("amount_fen") * sign) for kind, sign in ENTRY_SIGN.items()),
        *(
            When(kind=EntryKind.REVERSAL, reverses__kind=kind, then=F("amount_fen") * -sign)
            for kind, sign in ENTRY_SIGN.items()
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    return LedgerEntry.objects.filter(estate=estate).aggregate(total=Coalesce(Sum(signed), 0))["total"]


def periods_for(user: Any, estate: Place) -> list[LedgerPeriod]:
    return list(LedgerPeriod.objects.visible_to(user).filter(estate=estate).order_by("-start"))


# --- oversight -------------------------------------------------------------------------------------------------


@dataclass
class ReviewStatus:
    subject: str
    label: str
    last: Review | None
    overdue: bool


def review_status(estate: Place, today: dt.date | None = None) -> list[ReviewStatus]:
    """Each subject's last review and whether the next one is overdue (every quarter, 30 days' grace)."""
    today = today or timezone.localdate()
    first_due = estate.created_at.date() if estate.created_at else today
    last = {r.subject: r for r in Review.objects.filter(estate=estate).order_by("subject", "period_end", "pk")}
    return [
        ReviewStatus(
            value,
            str(label),
            last.get(value),
            rules.review_overdue(
                last[value].period_end if value in last else None,
                first_due,
                today,
                REVIEW_EVERY_DAYS,
                REVIEW_GRACE_DAYS,
            ),
        )
        for value, label in ReviewSubject.choices
    ]


def overdue_reviews(user: Any, today: dt.date | None = None) -> list[tuple[Place, list[str]]]:
    """Estates the user sees whose review of some subject is overdue (shown on the community page)."""
    today = today or timezone.localdate()
    estates = list(estates_for_user(user).filter(Q(fund_account__isnull=False) | Q(ledger__isnull=False)).distinct())
    last: dict[tuple[int, str], dt.date] = {
        (r["estate_id"], r["subject"]): r["end"]
        for r in Review.objects.filter(estate__in=estates)
        .values("estate_id", "subject")
        .annotate(end=Max("period_end"))
    }
    out = []
    for e in estates:
        first_due = e.created_at.date()
        late = [
            str(label)
            for value, label in ReviewSubject.choices
            if rules.review_overdue(last.get((e.pk, value)), first_due, today, REVIEW_EVERY_DAYS, REVIEW_GRACE_DAYS)
        ]
        if late:
            out.append((e, late))
    return out
