"""The tally of owners' joint decisions (业主共同决定计票), by the rules of law. No Django, no I/O.

Two rule sets (DOMAIN_RULES.md §B, §D):

- ``civil_code`` — 民法典 art. 278, for votes from 2021-01-01: a quorum of ≥ 2/3 of the total area
  AND ≥ 2/3 of the total headcount taking part (§B 5); then, of those taking part, ≥ 3/4 by area AND
  by heads for matters 6–8 (§B 6), > 1/2 by area AND by heads for every other matter, including
  matter 5, using the fund (§B 7).
- ``property_law`` — 物权法 art. 76, for votes before 2021-01-01: ≥ 2/3 of the TOTAL area and heads
  agreeing for raising or using the fund and for rebuilding; > 1/2 of the TOTAL area and heads
  agreeing for every other matter ("双过半"). There is no separate quorum (§D 15).

Every comparison is an integer cross-multiplication (§A 2): areas are Decimal m² with 2 places and
are counted here in whole 0.01 m² steps, heads are integers. Each condition reports its numbers,
the least count that meets it, the margin (how far above or below that least count the vote is, in
heads or m²) and a sentence saying why it was or was not met. Percentages are for people only,
rounded to 2 places (§A 3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CIVIL_CODE = "civil_code"
PROPERTY_LAW = "property_law"
RULE_SETS = (CIVIL_CODE, PROPERTY_LAW)
CIVIL_CODE_IN_FORCE = dt.date(2021, 1, 1)

# Matters of 民法典 art. 278 (items 1–9) and Beijing's extra matters (BJ art. 34, §B 9).
RULES = "rules"  # (1) 制定和修改业主大会议事规则
COVENANT = "covenant"  # (2) 制定和修改管理规约
COMMITTEE = "committee"  # (3) 选举业主委员会或者更换业主委员会成员
MANAGER = "manager"  # (4) 选聘和解聘物业服务企业或者其他管理人
FUND_USE = "fund_use"  # (5) 使用建筑物及其附属设施的维修资金
FUND_RAISE = "fund_raise"  # (6) 筹集建筑物及其附属设施的维修资金
REBUILD = "rebuild"  # (7) 改建、重建建筑物及其附属设施
COMMON_USE = "common_use"  # (8) 改变共有部分的用途或者利用共有部分从事经营活动
OTHER = "other"  # (9) 有关共有和共同管理权利的其他重大事项
BJ_SERVICE_PRICE = "bj_service_price"  # BJ art. 34: 物业服务内容、标准和价格
BJ_COMMON_INCOME = "bj_common_income"  # BJ art. 34: 共有部分经营及收益的使用
BJ_ALLOWANCE = "bj_allowance"  # BJ art. 34: 业主委员会委员津贴
BJ_AUDIT = "bj_audit"  # BJ art. 34: 业主委员会主任的经济责任审计
BJ_OVERTURN = "bj_overturn"  # BJ art. 34: 撤销业主委员会的决定

MATTERS = (
    RULES,
    COVENANT,
    COMMITTEE,
    MANAGER,
    FUND_USE,
    FUND_RAISE,
    REBUILD,
    COMMON_USE,
    OTHER,
    BJ_SERVICE_PRICE,
    BJ_COMMON_INCOME,
    BJ_ALLOWANCE,
    BJ_AUDIT,
    BJ_OVERTURN,
)
# 民法典 art. 278 para. 2: items 6–8 need 3/4 of those taking part (§B 6); everything else > 1/2 (§B 7).
CIVIL_CODE_SPECIAL = frozenset({FUND_RAISE, REBUILD, COMMON_USE})
# 物权法 art. 76 para. 2: raising and using the fund, rebuilding, need 2/3 of all owners (§D 15).
PROPERTY_LAW_SPECIAL = frozenset({FUND_USE, FUND_RAISE, REBUILD})

AREA_STEP = Decimal("0.01")


@dataclass(frozen=True)
class Counts:
    """The numbers a tally rests on: the electorate's totals, who took part, who agreed."""

    total_area: Decimal
    total_heads: int
    participating_area: Decimal
    participating_heads: int
    agreeing_area: Decimal
    agreeing_heads: int

    def __post_init__(self) -> None:
        for name in ("total_area", "participating_area", "agreeing_area"):
            _cents(getattr(self, name), name)
        if not (0 <= self.agreeing_heads <= self.participating_heads <= self.total_heads):
            raise ValueError("人数应满足 0 ≤ 同意 ≤ 参与 ≤ 总数")
        if not (0 <= self.agreeing_area <= self.participating_area <= self.total_area):
            raise ValueError("面积应满足 0 ≤ 同意 ≤ 参与 ≤ 总数")


@dataclass(frozen=True)
class Condition:
    """One legal condition of a tally, with its numbers and why it was or was not met."""

    key: str  # quorum_area, quorum_heads, approval_area, approval_heads
    label: str  # 参与表决的专有部分面积 …
    basis: str  # "area" or "heads"
    numerator: Decimal | int
    denominator: Decimal | int
    threshold: Fraction
    inclusive: bool  # 以上 (≥) or 过半数 (>)
    rule: str  # the rule it comes from, e.g. "民法典第278条第2款" (the law, never a section of our rules file)
    met: bool
    needed: Decimal | int  # the least numerator that meets the condition
    margin: Decimal | int  # numerator − needed: ≥ 0 when met

    @property
    def percent(self) -> Decimal:
        return percent(self.numerator, self.denominator)

    @property
    def threshold_text(self) -> str:
        frac = {Fraction(2, 3): "三分之二", Fraction(3, 4): "四分之三", Fraction(1, 2): "二分之一"}[self.threshold]
        return f"{frac}以上（含本数）" if self.inclusive else f"超过{frac}（过半数）"

    @property
    def unit(self) -> str:
        return "㎡" if self.basis == "area" else "人"

    @property
    def why(self) -> str:
        have = f"{self.numerator}{self.unit}"
        of = f"{self.denominator}{self.unit}"
        if self.denominator == 0:
            return f"{self.label}：基数为0，无法满足"
        if self.met:
            return (
                f"{self.label} {have} / {of}（{self.percent}%），应{self.threshold_text}，"
                f"至少需要 {self.needed}{self.unit}，多出 {self.margin}{self.unit}，满足"
            )
        return (
            f"{self.label} {have} / {of}（{self.percent}%），应{self.threshold_text}，"
            f"至少需要 {self.needed}{self.unit}，还差 {-self.margin}{self.unit}，不满足"
        )


@dataclass(frozen=True)
class Tally:
    """The result of applying one rule set to one set of counts."""

    rule_set: str
    matter: str
    counts: Counts
    conditions: tuple[Condition, ...]
    passed: bool
    flags: tuple[str, ...] = field(default=())

    @property
    def quorum_met(self) -> bool:
        return all(c.met for c in self.conditions if c.key.startswith("quorum"))


def _cents(value: Decimal, name: str = "面积") -> int:
    """An area as a whole number of 0.01 m² steps; anything finer is refused, not rounded."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} 应为 Decimal")
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{name} 最多两位小数：{value}")
    return int(scaled)


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal:
    """For people: numerator / denominator as a percentage rounded half-up to 2 places (§A 3)."""
    if not denominator:
        return Decimal("0.00")
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(AREA_STEP, rounding=ROUND_HALF_UP)


def meets(numerator: int, denominator: int, threshold: Fraction, inclusive: bool) -> bool:
    """numerator/denominator ≥ (or >) threshold, by cross-multiplying integers (§A 1–2).

    A denominator of 0 meets nothing: with nobody to count there is no decision.
    """
    if denominator <= 0:
        return False
    left = threshold.denominator * numerator
    right = threshold.numerator * denominator
    return left >= right if inclusive else left > right


def least_meeting(denominator: int, threshold: Fraction, inclusive: bool) -> int:
    """The least integer numerator that meets the threshold of this denominator."""
    p, q = threshold.numerator, threshold.denominator
    if inclusive:
        return -((-p * denominator) // q)  # ceil(p·d/q)
    return (p * denominator) // q + 1  # floor(p·d/q) + 1


def condition(
    *,
    key: str,
    label: str,
    basis: str,
    numerator: Decimal | int,
    denominator: Decimal | int,
    threshold: Fraction,
    inclusive: bool,
    rule: str,
) -> Condition:
    if basis == "area":
        num, den = _cents(numerator), _cents(denominator)
    else:
        num, den = int(numerator), int(denominator)
    met = meets(num, den, threshold, inclusive)
    needed = least_meeting(den, threshold, inclusive) if den > 0 else 1
    margin = num - needed
    if basis == "area":
        needed_out: Decimal | int = Decimal(needed) * AREA_STEP
        margin_out: Decimal | int = Decimal(margin) * AREA_STEP
    else:
        needed_out, margin_out = needed, margin
    return Condition(
        key=key,
        label=label,
        basis=basis,
        numerator=numerator,
        denominator=denominator,
        threshold=threshold,
        inclusive=inclusive,
        rule=rule,
        met=met,
        needed=needed_out,
        margin=margin_out,
    )


TWO_THIRDS = Fraction(2, 3)
THREE_QUARTERS = Fraction(3, 4)
HALF = Fraction(1, 2)


def civil_code_conditions(matter: str, c: Counts) -> tuple[Condition, ...]:
    quorum_rule = "民法典第278条第2款"
    special = matter in CIVIL_CODE_SPECIAL
    if special:
        approval = (THREE_QUARTERS, True, "民法典第278条第2款（第六至八项）")
    else:
        approval = (HALF, False, "民法典第278条第2款（其他事项）")
    threshold, inclusive, approval_rule = approval
    return (
        condition(
            key="quorum_area",
            label="参与表决的专有部分面积占总面积",
            basis="area",
            numerator=c.participating_area,
            denominator=c.total_area,
            threshold=TWO_THIRDS,
            inclusive=True,
            rule=quorum_rule,
        ),
        condition(
            key="quorum_heads",
            label="参与表决人数占总人数",
            basis="heads",
            numerator=c.participating_heads,
            denominator=c.total_heads,
            threshold=TWO_THIRDS,
            inclusive=True,
            rule=quorum_rule,
        ),
        condition(
            key="approval_area",
            label="同意的专有部分面积占参与表决面积",
            basis="area",
            numerator=c.agreeing_area,
            denominator=c.participating_area,
            threshold=threshold,
            inclusive=inclusive,
            rule=approval_rule,
        ),
        condition(
            key="approval_heads",
            label="同意人数占参与表决人数",
            basis="heads",
            numerator=c.agreeing_heads,
            denominator=c.participating_heads,
            threshold=threshold,
            inclusive=inclusive,
            rule=approval_rule,
        ),
    )


def property_law_conditions(matter: str, c: Counts) -> tuple[Condition, ...]:
    if matter in PROPERTY_LAW_SPECIAL:
        threshold, inclusive, rule = TWO_THIRDS, True, "物权法第76条第2款（维修资金、改建重建）"
    else:
        threshold, inclusive, rule = HALF, False, "物权法第76条第2款（其他事项，双过半）"
    return (
        condition(
            key="approval_area",
            label="同意的专有部分面积占总面积",
            basis="area",
            numerator=c.agreeing_area,
            denominator=c.total_area,
            threshold=threshold,
            inclusive=inclusive,
            rule=rule,
        ),
        condition(
            key="approval_heads",
            label="同意人数占总人数",
            basis="heads",
            numerator=c.agreeing_heads,
            denominator=c.total_heads,
            threshold=threshold,
            inclusive=inclusive,
            rule=rule,
        ),
    )


def date_flags(rule_set: str, opens_on: dt.date | None, closes_on: dt.date | None) -> tuple[str, ...]:
    """What a reviewer must know about the dates of a vote (§D 16)."""
    if opens_on is None or closes_on is None:
        return ()
    flags: list[str] = []
    if opens_on < CIVIL_CODE_IN_FORCE <= closes_on:
        flags.append("表决跨越2021年1月1日（民法典施行），适用哪部法律须经法律审核")
    elif rule_set == CIVIL_CODE and closes_on < CIVIL_CODE_IN_FORCE:
        flags.append("表决在2021年1月1日前结束，应适用物权法")
    elif rule_set == PROPERTY_LAW and opens_on >= CIVIL_CODE_IN_FORCE:
        flags.append("表决在2021年1月1日后开始，应适用民法典")
    return tuple(flags)


def expected_rule_set(opens_on: dt.date, closes_on: dt.date) -> str | None:
    """The rule set the dates call for, or None when the vote straddles 2021-01-01 (legal review, §D 16)."""
    if closes_on < CIVIL_CODE_IN_FORCE:
        return PROPERTY_LAW
    if opens_on >= CIVIL_CODE_IN_FORCE:
        return CIVIL_CODE
    return None


def tally(
    *,
    rule_set: str,
    matter: str,
    counts: Counts,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
) -> Tally:
    """Apply ``rule_set`` to ``counts`` for a motion on ``matter``: passed only if every condition is met."""
    if matter not in MATTERS:
        raise ValueError(f"未知的表决事项：{matter}")
    if rule_set == CIVIL_CODE:
        conditions = civil_code_conditions(matter, counts)
    elif rule_set == PROPERTY_LAW:
        conditions = property_law_conditions(matter, counts)
    else:
        raise ValueError(f"未知的计票规则：{rule_set}")
    return Tally(
        rule_set=rule_set,
        matter=matter,
        counts=counts,
        conditions=conditions,
        passed=all(c.met for c in conditions),
        flags=date_flags(rule_set, opens_on, closes_on),
    )


# --- Heads (SPC-BDO arts. 8–9, §C 12) ------------------------------------------------------------


@dataclass(frozen=True)
class VoterUnit:
    """One unit of the electorate as the head count sees it."""

    unit_id: int
    area: Decimal
    head: str  # which head it counts toward (see ``head_key``)


def head_key(*, unit_id: int, owner_keys: frozenset[str] | set[str], developer_unsold: bool) -> str:
    """The head a unit counts toward (§C 12).

    All the developer's unsold units are one head; units held by the same owner (or the same set of
    co-owners) are one head; otherwise one unit is one head. A unit with no owner on record still
    counts as one head of its own.
    """
    if developer_unsold:
        return "developer"
    if owner_keys:
        return "owners:" + ",".join(sorted(owner_keys))
    return f"unit:{unit_id}"


@dataclass(frozen=True)
class Position:
    """A head's part in the vote, from the live ballots of its units."""

    participating: bool
    agreeing: bool
    mixed: bool  # its units voted differently


def count(units: list[VoterUnit] | tuple[VoterUnit, ...], choices: dict[int, str]) -> tuple[Counts, list[str]]:
    """Counts from the electorate and the live ballots (unit id → "agree" / "disagree" / "abstain").

    Area is counted unit by unit. A head takes part when any of its units has a ballot; it agrees
    only when every ballot of its units agrees — an owner of several units is one person (§C 12) and
    cannot be counted as both agreeing and not. Heads whose units voted differently are returned by
    name for the result page to show.
    """
    total_area = Decimal("0.00")
    part_area = Decimal("0.00")
    agree_area = Decimal("0.00")
    heads: dict[str, list[str | None]] = {}
    for u in units:
        total_area += u.area
        choice = choices.get(u.unit_id)
        heads.setdefault(u.head, []).append(choice)
        if choice is not None:
            part_area += u.area
            if choice == "agree":
                agree_area += u.area
    part_heads = agree_heads = 0
    mixed: list[str] = []
    for head, cast in heads.items():
        cast_only = [c for c in cast if c is not None]
        if not cast_only:
            continue
        part_heads += 1
        if all(c == "agree" for c in cast_only):
            agree_heads += 1
        if len(set(cast_only)) > 1:
            mixed.append(head)
    return (
        Counts(
            total_area=total_area,
            total_heads=len(heads),
            participating_area=part_area,
            participating_heads=part_heads,
            agreeing_area=agree_area,
            agreeing_heads=agree_heads,
        ),
        mixed,
    )


HEAD_NONE, HEAD_AGREE, HEAD_NOT, HEAD_MIXED = "", "agree", "not", "mixed"


def head_position(choices: list[str] | tuple[str, ...]) -> str:
    """A head's position from the live choices of its units ("" for a unit that has not voted):
    none cast → "", every cast one agrees → "agree", agree and not → "mixed", otherwise "not".
    This is ``count``'s rule, kept per head so the tally can count heads without DISTINCT."""
    cast = {c for c in choices if c}
    if not cast:
        return HEAD_NONE
    if cast == {"agree"}:
        return HEAD_AGREE
    return HEAD_MIXED if "agree" in cast else HEAD_NOT


def petition_reached(signed_heads: int, total_heads: int) -> bool:
    """≥ 20 % of owners by headcount may require an extraordinary assembly (BJ art. 36, §E 18)."""
    return meets(signed_heads, total_heads, Fraction(1, 5), True)


def petition_needed(total_heads: int) -> int:
    return least_meeting(total_heads, Fraction(1, 5), True) if total_heads > 0 else 1


NOTICE_DAYS = 15  # BJ art. 35: notice ≥ 15 days before the assembly (§E 19)
PUBLISH_DAYS = 3  # BJ art. 37: decisions posted within 3 days (§E 19)
REVOCATION_YEARS = 1  # 民法典 art. 280, SPC-BDO art. 12 (§B 8)


def notice_ok(noticed_on: dt.date, opens_on: dt.date, days: int = NOTICE_DAYS) -> bool:
    """The notice was posted at least ``days`` days before the vote opens (以上: the boundary counts)."""
    return (opens_on - noticed_on).days >= days


def revocation_ends(published_on: dt.date) -> dt.date:
    """The last day an owner who learnt of the decision on publication may ask a court to revoke it."""
    try:
        return published_on.replace(year=published_on.year + REVOCATION_YEARS)
    except ValueError:  # 29 February
        return published_on.replace(year=published_on.year + REVOCATION_YEARS, day=28)
