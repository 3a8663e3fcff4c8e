"""Pure rules of money (资金规则): bills, apportionments, the 30 % threshold, the half-of-revenue rule,
payment rates and the re-raising ladder. No Django, no I/O.

Money is integer fen (分); areas are ``Decimal`` square metres with two places; rates are integer
fen per m² (per month for property fees). Comparisons with legal thresholds are done by integer
cross-multiplication, rates are exact ``Fraction``s: a float never decides anything here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# DOMAIN_RULES.md §F 23: replenishment is due below 30 % of the first-phase amount.
REPLENISH_PERCENT = 30
# DOMAIN_RULES.md §F 24 (BJ art. 74): while the fund is below 30 %, at least half of public revenue.
REVENUE_TO_FUND_NUMERATOR = 1
REVENUE_TO_FUND_DENOMINATOR = 2


# --- bills ------------------------------------------------------------------------------------------


def bill_fen(area: Decimal, rate_fen: int, months: int = 1) -> int:
    """What one unit owes: area (m²) × rate (fen/m², per month × ``months``), in whole fen.

    The product is computed exactly as a Decimal; the one rounding is to the whole fen, half up
    (四舍五入到分): 60.50 m² × 15 fen = 907.5 fen → 908 fen. Half-up, not banker's rounding,
    because that is how a payment notice is checked by hand.
    """
    if not isinstance(area, Decimal):
        raise TypeError("面积应为 Decimal")
    if area < 0 or rate_fen < 0 or months < 0:
        raise ValueError("面积、单价和月数不能为负")
    exact = area * Decimal(rate_fen) * Decimal(months)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def bills_total(areas: Sequence[Decimal], rate_fen: int, months: int = 1) -> tuple[list[int], int]:
    """Each unit's bill and the campaign's total: the total is the sum of the bills as issued,
    so what the notices ask for and what the campaign expects are the same number to the fen."""
    bills = [bill_fen(a, rate_fen, months) for a in areas]
    return bills, sum(bills)


# --- apportionment (民法典 art. 283, DOMAIN_RULES.md §F 25) ----------------------------------------------


def split_by_area(total_fen: int, areas: Sequence[Decimal]) -> list[int]:
    """Split ``total_fen`` among shares in proportion to their areas, exact to the fen, summing to the total.

    Largest remainder (最大余额法): everyone first gets the floor of their exact share; the fen left
    over go one each to the largest fractional remainders. Ties are broken by the larger area, then
    by position in the list, so the same input always gives the same table.
    """
    if total_fen < 0:
        raise ValueError("分摊总额不能为负")
    if not areas:
        raise ValueError("没有参与分摊的面积")
    if any(a < 0 for a in areas):
        raise ValueError("面积不能为负")
    weights = [Fraction(a) for a in areas]
    whole = sum(weights)
    if whole == 0:
        raise ValueError("参与分摊的总面积为零")
    exact = [Fraction(total_fen) * w / whole for w in weights]
    floors = [e.numerator // e.denominator for e in exact]
    left = total_fen - sum(floors)
    order = sorted(range(len(areas)), key=lambda i: (-(exact[i] - floors[i]), -weights[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


# --- thresholds ---------------------------------------------------------------------------------------


def replenishment_due(balance_fen: int, first_phase_fen: int) -> bool:
    """§F 23: the balance is below 30 % of the first-phase amount (balance × 100 < first × 30).

    With no first-phase amount recorded there is nothing to compare with: not due.
    """
    if first_phase_fen <= 0:
        return False
    return balance_fen * 100 < first_phase_fen * REPLENISH_PERCENT


def revenue_to_fund_required(net_revenue_fen: int, fund_below_threshold: bool) -> int:
    """§F 24: the least that must go to the fund from a period's net public revenue (income less
    reasonable costs, 民法典 art. 282), rounded up to the fen: half, while the fund is below 30 %."""
    if not fund_below_threshold or net_revenue_fen <= 0:
        return 0
    n, d = REVENUE_TO_FUND_NUMERATOR, REVENUE_TO_FUND_DENOMINATOR
    return -((-net_revenue_fen * n) // d)


def revenue_rule_met(to_fund_fen: int, net_revenue_fen: int, fund_below_threshold: bool) -> bool:
    """§F 24 as a cross-multiplication: to_fund × 2 ≥ net revenue, when the fund is below 30 %."""
    if not fund_below_threshold or net_revenue_fen <= 0:
        return True
    return to_fund_fen * REVENUE_TO_FUND_DENOMINATOR >= net_revenue_fen * REVENUE_TO_FUND_NUMERATOR


# --- rates ---------------------------------------------------------------------------------------------


def rate(part: int, whole: int) -> Fraction | None:
    """An exact rate; ``None`` when there is nothing to measure (whole is 0)."""
    if whole <= 0:
        return None
    return Fraction(part, whole)


def reaches(part: int, whole: int, percent: int) -> bool:
    """part / whole ≥ percent % by cross-multiplication (part × 100 ≥ percent × whole)."""
    return whole > 0 and part * 100 >= percent * whole


def percent_text(value: Fraction | None, places: int = 1) -> str:
    """A rate for people: '70.3%' (half up), or '—' when there is nothing to measure."""
    if value is None:
        return "—"
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}%"


def percent_number(value: Fraction | None, places: int = 2) -> str | None:
    """A rate as a decimal string for charts and JSON ('70.33'), exact to ``places`` half up."""
    if value is None:
        return None
    exact = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# --- the re-raising ladder (五步递进法) -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rung of a campaign's ladder: its number (1…n), the day it starts, and an optional
    condition — it is entered only once fewer than ``unpaid_below_percent`` % of units are unpaid
    (the seed's fourth step: "未交款业主不到10%")."""

    number: int
    starts_on: dt.date
    unpaid_below_percent: int | None = None


def due_step(steps: Sequence[Step], today: dt.date, unpaid: int, total: int) -> int:
    """The step an unpaid unit should be at today: steps are climbed in order, each once its day has
    come and its condition holds; the climb stops at the first step not yet due (0: none is)."""
    reached = 0
    for step in sorted(steps, key=lambda s: s.number):
        if step.starts_on > today:
            break
        if step.unpaid_below_percent is not None and not (
            total > 0 and unpaid * 100 < step.unpaid_below_percent * total
        ):
            break
        reached = step.number
    return reached


def steps_to_enter(current: int, due: int) -> list[int]:
    """The steps a unit at ``current`` enters to reach ``due``: each one once, in order."""
    return list(range(current + 1, due + 1))


# --- oversight ------------------------------------------------------------------------------------------


def review_overdue(
    last_period_end: dt.date | None, first_due: dt.date, today: dt.date, every_days: int, grace_days: int
) -> bool:
    """A periodic review (定期查阅) is overdue when the period after the last one reviewed ended more
    than ``grace_days`` ago; with no review yet, counted from ``first_due``."""
    start = last_period_end if last_period_end is not None else first_due
    return today > start + dt.timedelta(days=every_days + grace_days)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter holding ``day`` (Shanghai publishes public revenue quarterly, §F 24)."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = next_month(next_month(next_month(start))) - dt.timedelta(days=1)
    return start, end
