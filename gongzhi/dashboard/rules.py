"""The three rates (三率, DOMAIN_RULES.md §H 29) computed from per-estate facts.

Pure computation, no Django: the selector gathers the facts in a bounded number of queries and
this module turns them into exact ``Rate`` values. Which numerator and basis each rate uses is a
setting (``THREE_RATES``), because the official formulas are not published.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gongzhi.governance.rules import Rate

PROPERTY_COVERAGE = "property_coverage"
COMMITTEE_FORMATION = "committee_formation"
PARTY_COVERAGE = "party_coverage"
RATE_CODES = (PROPERTY_COVERAGE, COMMITTEE_FORMATION, PARTY_COVERAGE)

ESTATES = "estates"
HOUSEHOLDS = "households"
COMMITTEES = "committees"

# The numerators and bases each rate understands (config/settings.py THREE_RATES).
RATE_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    PROPERTY_COVERAGE: (frozenset({"contract_or_self_managed"}), frozenset({ESTATES, HOUSEHOLDS})),
    COMMITTEE_FORMATION: (frozenset({"owners_or_management_committee"}), frozenset({ESTATES, HOUSEHOLDS})),
    PARTY_COVERAGE: (frozenset({"committee_with_party_org_or_members"}), frozenset({COMMITTEES})),
}


class RateConfigError(ValueError):
    """THREE_RATES names a numerator or basis the code does not know."""


@dataclass(frozen=True)
class RateConfig:
    code: str
    numerator: str
    basis: str


@dataclass(frozen=True)
class EstateFacts:
    """What the rates need to know about one estate."""

    estate_id: int
    households: int  # residential units in the registry
    has_property_service: bool  # a current service contract or a qualified current self-management
    has_committee: bool  # an active owners' committee or 物管会


@dataclass(frozen=True)
class CommitteePartyFacts:
    """An active committee and whether Party organisation covers it."""

    committee_id: int
    estate_id: int
    has_party: bool  # a Party organisation of its own or at its estate, or a Party member among its members


@dataclass(frozen=True)
class TargetCheck:
    year: str
    percent: int
    met: bool


def rate_configs(raw: Mapping[str, Mapping[str, str]]) -> dict[str, RateConfig]:
    """Check the THREE_RATES setting and return one config per rate."""
    out: dict[str, RateConfig] = {}
    for code in RATE_CODES:
        if code not in raw:
            raise RateConfigError(f"THREE_RATES 缺少 {code} 的设置")
        numerators, bases = RATE_OPTIONS[code]
        numerator, basis = raw[code].get("numerator"), raw[code].get("basis")
        if numerator not in numerators:
            raise RateConfigError(
                f"THREE_RATES[{code!r}] 的分子 {numerator!r} 无效，可选：{'、'.join(sorted(numerators))}"
            )
        if basis not in bases:
            raise RateConfigError(f"THREE_RATES[{code!r}] 的口径 {basis!r} 无效，可选：{'、'.join(sorted(bases))}")
        out[code] = RateConfig(code, numerator, basis)
    return out


def _counts(config: RateConfig, facts: EstateFacts) -> bool:
    if config.code == PROPERTY_COVERAGE:
        return facts.has_property_service
    return facts.has_committee


def split(
    config: RateConfig, estates: Iterable[EstateFacts], committees: Iterable[CommitteePartyFacts]
) -> tuple[list[int], list[int]]:
    """The ids behind a rate: (in the numerator, in the denominator but not the numerator).

    Estate ids for the estates and households bases, committee ids for the committees basis.
    """
    if config.basis == COMMITTEES:
        committees = list(committees)
        return [c.committee_id for c in committees if c.has_party], [
            c.committee_id for c in committees if not c.has_party
        ]
    estates = list(estates)
    return [e.estate_id for e in estates if _counts(config, e)], [
        e.estate_id for e in estates if not _counts(config, e)
    ]


def compute(config: RateConfig, estates: Iterable[EstateFacts], committees: Iterable[CommitteePartyFacts]) -> Rate:
    """One rate, exact (DOMAIN_RULES.md §A 2): counts of estates or committees, or sums of households."""
    if config.basis == COMMITTEES:
        committees = list(committees)
        return Rate(sum(1 for c in committees if c.has_party), len(committees))
    estates = list(estates)
    if config.basis == HOUSEHOLDS:
        return Rate(sum(e.households for e in estates if _counts(config, e)), sum(e.households for e in estates))
    return Rate(sum(1 for e in estates if _counts(config, e)), len(estates))


def target_checks(rate: Rate, targets: Mapping[str, int]) -> list[TargetCheck]:
    """Each year's target of the 2020–2022 plan (30 → 70 → 90 %) and whether the rate meets it."""
    return [TargetCheck(year, int(pct), rate.meets(int(pct))) for year, pct in sorted(targets.items())]
