"""The whole demo (manage.py load_demo), built once for this module by the ``demo`` fixture
(tests/demo/conftest.py) inside a transaction rolled back at the end; each test runs in a savepoint
within it. Every whole-demo check lives in this one module so that ``--dist loadfile`` hands them all to
one worker and the demo is built once per run.

- the seed estates reproduce the public figures of the seed reports (/work/shared/seeds), and every
  role has a login that lands on a page;
- the demo work orders (gongzhi.work_orders.demo): months of orders in every state, with non-trivial
  响应率、解决率、满意率 (DOMAIN_RULES.md §G 26) from the existing selectors;
- the demo votes (gongzhi.voting.demo): 劲松北's published figures come out (§D 17), 太阳都市花园 votes
  building by building, 团结公寓's petition reaches 20 % (§E 18);
- the demo money (gongzhi.funds.demo): the 太阳都市 curve passes 70 % on 22 Feb and 90 % on 12 Mar
  2023, 劲松北's fees near 72 %, a year of 富南大厦 revenue closed and reviewed, and the
  广安门北街20号院 pipe split among its six rights units summing to the total.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import ROLES
from gongzhi.core.models import Notification
from gongzhi.demo import sites
from gongzhi.demo.kit import DEMO_PASSWORD
from gongzhi.demo.users import DEMO_USERS
from gongzhi.funds import rules as funds_rules
from gongzhi.funds import selectors as funds_selectors
from gongzhi.funds import services as funds_services
from gongzhi.funds.models import Campaign, ContactLog, CostShare, CostSplit, FeeBill, LedgerPeriod, RateSnapshot, Review
from gongzhi.governance.models import (
    Alliance,
    Department,
    OwnersCommittee,
    PartyOrganisation,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.selectors import committee_composition_warnings
from gongzhi.registry import rules as registry_rules
from gongzhi.registry.models import Grid, GridAssignment, Organisation, Ownership, Person, Place, Residency, Unit
from gongzhi.voting import chain
from gongzhi.voting import rules as voting_rules
from gongzhi.voting.models import Assembly, Motion, Petition
from gongzhi.work_orders import demo as work_orders_demo
from gongzhi.work_orders import selectors as work_order_selectors
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel, EscalationLevel, Status
from gongzhi.work_orders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.slow


def estate(name: str) -> Place:
    return Place.objects.get(kind="estate", name=name)


def households(*estates: Place) -> int:
    return Unit.objects.filter(estate__in=estates, use="residential").count()


# ---------------------------------------------------------------- 劲松北社区 (seeds 000, 002)


def test_jinsong_north_has_3605_households_2763_of_them_privately_owned(demo, db):
    # Given the demo; when we count 劲松一区 and 劲松二区; then the report's 3605 households, of
    # which the 2763 that needed rights confirmation are owned by people, the rest public housing.
    one, two = estate("劲松一区"), estate("劲松二区")
    assert one.parent.name == two.parent.name == "劲松北社区"
    assert households(one, two) == 3605
    private = Ownership.objects.filter(unit__estate__in=[one, two], unit__use="residential", owner_kind="person")
    assert private.values("unit").distinct().count() == 2763


def test_jinsong_north_residents_are_369_permille_seniors_and_37_percent_renters(demo, db):
    # 报道: 36.9 % of residents aged 60+ (60周岁以上 includes 60, DOMAIN_RULES.md §A 1), 37 % renters.
    today = timezone.localdate()
    current = Residency.objects.filter(unit__estate__in=[estate("劲松一区"), estate("劲松二区")], until__isnull=True)
    residents = set(current.values_list("person_id", flat=True))
    tenants = set(current.filter(kind="tenant").values_list("person_id", flat=True))
    births = Person.objects.filter(pk__in=residents).values_list("birth_date", flat=True)
    seniors = sum(1 for b in births if registry_rules.is_senior(b, today))
    assert len(residents) > 7000
    assert round(1000 * seniors / len(residents)) == 369
    assert round(100 * len(tenants) / len(residents)) == 37


def test_jinsong_north_is_served_by_yuanjing_under_the_jinsong_alliance(demo, db):
    today = timezone.localdate()
    for name in ("劲松一区", "劲松二区"):
        contract = ServiceContract.objects.filter(estate=estate(name)).current(today).get()
        assert contract.company.name == sites.YUANJING
    alliance = Alliance.objects.get(name="劲松街道物业服务联盟")
    assert alliance.place.name == "劲松街道"
    assert alliance.members.filter(name=sites.YUANJING).exists()
    # 报道: 物业入驻涉及 8 个党支部
    community = Place.objects.get(kind="community", name="劲松北社区")
    committee = PartyOrganisation.objects.get(place=community, kind="community_committee")
    assert committee.parent.kind == "street_working_committee"
    assert committee.children.filter(kind="branch").count() == 8


# ---------------------------------------------------------------- 广安门北街20号院 (seed 000)


def test_guanganmen_20_is_one_building_of_4_entrances_486_households_held_by_6_rights_units(demo, db):
    yard = estate("广安门北街20号院")
    assert yard.parent.name == "西便门内社区"
    assert yard.parent.parent.name == "广安门内街道"
    building = Place.objects.get(parent=yard, kind="building")
    assert Place.objects.filter(parent=building, kind="entrance").count() == 4
    assert households(yard) == 486
    holders = Organisation.objects.filter(kind="rights_unit", ownerships__unit__estate=yard).distinct()
    assert holders.count() == 6


def test_guanganmen_20_management_committee_has_11_members_10_in_the_party_and_a_temporary_branch(demo, db):
    # 报道: 物管会委员 11 人，党员 10 名；临时党支部委员 3 人；主任 尹瑞芳 (社区党委书记).
    committee = OwnersCommittee.objects.active().get(estate=estate("广安门北街20号院"))
    assert committee.kind == "management_committee"
    assert committee.members.count() == 11
    assert committee.members.filter(is_party_member=True).count() == 10
    chair = committee.members.get(post="chair")
    assert chair.person.name == "尹瑞芳"
    assert chair.from_residents_committee
    branch = PartyOrganisation.objects.get(committee=committee)
    assert branch.kind == "temporary_branch"
    assert branch.memberships.exclude(post="member").count() == 3
    # DOMAIN_RULES.md §E 21: ≥ 7, odd, owner representatives ≥ 1/2, chair from the residents' committee.
    assert committee_composition_warnings(committee, timezone.localdate()) == []


# ---------------------------------------------------------------- 蓟门里, 老山 (seed 001)


def test_jimenli_has_35_buildings_33_old_15_rights_units_and_an_all_party_committee(demo, db):
    jimenli = estate("蓟门里小区")
    buildings = Place.objects.filter(parent=jimenli, kind="building")
    assert buildings.count() == 35
    assert buildings.filter(is_old=True).count() == 33
    assert 3100 <= households(jimenli) < 3200  # 报道: 现住家庭 3100 余户
    assert Residency.objects.filter(unit__estate=jimenli).count() > 10_000  # 1 万余人
    holders = Organisation.objects.filter(kind="rights_unit", ownerships__unit__estate=jimenli).distinct()
    assert holders.count() == 15
    committee = OwnersCommittee.objects.active().get(estate=jimenli)
    assert committee.members.count() == committee.members.filter(is_party_member=True).count() == 11
    assert {"金丽丽", "郑义"} <= set(committee.members.values_list("person__name", flat=True))
    assert PartyOrganisation.objects.filter(committee=committee, kind="branch").exists()
    # 报道: 物业服务企业 10 家 — one holds the estate's contract, all ten are in the street's alliance.
    assert Alliance.objects.get(place__name="北太平庄街道").members.count() == 10


def test_laoshan_has_90_buildings_split_among_3_party_members(demo, db):
    laoshan = estate("老山东里北小区")
    assert Place.objects.filter(parent=laoshan, kind="building").count() == 90
    zones = Grid.objects.filter(place=laoshan, name__startswith="党员责任区")
    assert zones.count() == 3
    assert sum(z.places.count() for z in zones) == 90
    duties = GridAssignment.objects.filter(grid__in=zones, role="party_member_buildings")
    assert duties.values("person").distinct().count() == 3
    group = PartyOrganisation.objects.get(name="老山项目党小组")
    assert group.kind == "party_group" and group.memberships.count() == 3


# ---------------------------------------------------------------- 团结公寓 (seed 003), 富南大厦 (seed 004)


def test_tuanjie_apartments_have_their_fourth_owners_committee(demo, db):
    committee = OwnersCommittee.objects.active().get(estate=estate("团结公寓"))
    assert committee.kind == "owners_committee" and committee.term_number == 4
    assert Alliance.objects.get(place__name="团结湖街道").members.count() == 25


def test_funan_has_132_homes_39_offices_and_a_party_work_group_posted_to_its_owners_committee(demo, db):
    funan = estate("富南大厦")
    assert households(funan) == 132
    assert Unit.objects.filter(estate=funan, use="office").count() == 39
    committee = OwnersCommittee.objects.active().get(estate=funan)
    group = PartyOrganisation.objects.get(kind="work_group", committee=committee)
    assert group.place == funan
    assert group.parent.name == "迎勋居民区党总支"
    assert committee.members.get(post="chair").person.name == "宣惠煜"


# ---------------------------------------------------------------- every estate, every street


def test_every_estate_has_units_with_areas_owners_residents_and_a_grid(demo, db):
    for place in Place.objects.filter(kind="estate"):
        units = Unit.objects.filter(estate=place)
        assert units.filter(area__isnull=True).count() == 0, place
        assert not units.exclude(path__startswith=place.path).exists(), place
        assert not units.filter(ownerships__isnull=True).exists(), place
        assert Residency.objects.filter(unit__estate=place).exists(), place
        assert Grid.objects.filter(place=place, assignments__role="grid_worker").exists(), place
    sources = set(Unit.objects.values_list("area_source", flat=True))
    assert sources == {"registered", "surveyed", "contract"}  # DOMAIN_RULES.md §C 11
    assert Ownership.objects.filter(owner_kind="organisation", organisation__kind="developer").exists()
    assert Unit.objects.filter(developer_unsold=True).exists()
    co_owned = Ownership.objects.values("unit").annotate(n=Count("id")).filter(n__gt=1)
    assert co_owned.exists()
    for district in Place.objects.filter(kind="district"):
        kinds = set(Department.objects.filter(place=district).values_list("kind", flat=True))
        assert {"housing", "enforcement", "market"} <= kinds, district


def test_the_three_rates_of_jinsong_street_show_gaps(demo, db):
    # DOMAIN_RULES.md §H 29: some estates lack a property service, a committee or Party coverage.
    today = timezone.localdate()
    estates = Place.objects.filter(kind="estate", path__startswith=Place.objects.get(name="劲松街道").path)
    served = [
        e
        for e in estates
        if ServiceContract.objects.filter(estate=e).current(today).exists()
        or SelfManagement.objects.filter(estate=e).current(today).exists()
    ]
    committees = OwnersCommittee.objects.active().filter(estate__in=estates)
    covered = [
        c
        for c in committees
        if PartyOrganisation.objects.filter(committee=c).exists() or c.members.filter(is_party_member=True).exists()
    ]
    assert 0 < len(served) < estates.count()
    assert 0 < committees.count() < estates.count()
    assert 0 < len(covered) < committees.count()


# ---------------------------------------------------------------- logins


def test_every_role_has_a_demo_login(demo, db):
    roles = {u.role for u in DEMO_USERS}
    assert set(ROLES) <= roles
    assert {"resident", "superuser"} <= roles
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        if spec.role in ROLES:
            assert user.role_assignments.filter(role=spec.role, active=True).exists(), spec.username
        if spec.role == "resident":
            assert user.person_id and user.person.residencies.filter(until__isnull=True).exists(), spec.username
    assert User.objects.get(username="admin").is_superuser
    owner = User.objects.get(username="jinsong_owner").person
    assert Ownership.objects.filter(person=owner, unit__estate__name="劲松一区").exists()


@pytest.mark.parametrize("username", [u.username for u in DEMO_USERS])
def test_demo_user_logs_in_and_lands_on_a_page(demo, db, username):
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain, "the home page sends each user on to where their work starts"


def test_demo_logins_prints_every_login_and_the_residents_homes(demo, db):
    out = io.StringIO()
    call_command("demo_logins", "--address", "http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text and DEMO_PASSWORD in text
    for spec in DEMO_USERS:
        assert spec.username in text
    home = Residency.objects.filter(person=User.objects.get(username="jinsong_owner").person).first()
    assert home.unit.label in text
    assert "还没有" not in text


# ---------------------------------------------------------------- loading again


def test_if_empty_does_nothing_when_estates_exist(demo, db):
    before = (Place.objects.count(), Unit.objects.count(), Person.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert (Place.objects.count(), Unit.objects.count(), Person.objects.count(), User.objects.count()) == before


def test_loading_the_demo_twice_is_refused_and_changes_nothing(demo, db):
    before = (Place.objects.count(), Unit.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match="已经加载过"):
        call_command("load_demo", stdout=io.StringIO())
    assert (Place.objects.count(), Unit.objects.count(), User.objects.count()) == before


# ---------------------------------------------------------------- work orders (gongzhi.work_orders.demo)


def test_load_demo_builds_months_of_orders_mostly_in_jinsong(demo, db):
    orders = WorkOrder.objects.all()
    assert "演示工单" in demo
    by_estate = Counter(orders.values_list("estate__name", flat=True))
    assert by_estate["劲松一区"] + by_estate["劲松二区"] > sum(by_estate.values()) / 2
    assert by_estate["广安门北街20号院"] > 0 and len(by_estate) >= 4
    first = orders.order_by("submitted_at").first().submitted_at
    assert (timezone.now() - first).days >= 90
    assert Counter(orders.values_list("channel", flat=True)).keys() >= {
        Channel.RESIDENT_APP,
        Channel.HOTLINE,
        Channel.HOTLINE_12345,
    }
    cases = orders.filter(channel=Channel.HOTLINE_12345)
    assert not cases.filter(external_ref="").exists()


def test_every_state_and_every_rung_is_present(demo, db):
    now = timezone.now()
    statuses = Counter(WorkOrder.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.CLOSED] > sum(statuses.values()) / 2  # most are done
    assert WorkOrder.objects.overdue(now).exists()
    levels = Counter(WorkOrder.objects.values_list("escalation_level", flat=True))
    assert levels[EscalationLevel.STREET] >= 2
    department = WorkOrder.objects.filter(escalation_level=EscalationLevel.DEPARTMENT, status__in=OPEN_STATUSES)
    assert department.exists()


def test_timelines_follow_the_clocks(demo, db):
    # every escalation is an event at the moment a clock ran out, and a late step is recorded as late
    orders = WorkOrder.objects.all()
    escalated = orders.filter(escalation_level__gt=0)
    for order in escalated[:50]:
        events = order.events.filter(kind="escalated")
        assert events.count() == order.escalation_level
        assert events.order_by("-at").first().at == order.escalated_at
    for order in orders.exclude(accepted_at=None)[:200]:
        assert order.submitted_at <= order.accepted_at <= timezone.now()
        assert order.accepted_in_time == (
            order.escalation_level == 0 or not order.events.filter(kind="escalated", data__clock="accept_by").exists()
        )
    for order in orders.filter(status__in=[Status.RESOLVED, Status.CONFIRMED, Status.CLOSED])[:200]:
        assert order.accepted_at <= order.arrived_at <= order.resolved_at
    assert not orders.filter(rating__isnull=False, confirmed_at__isnull=True).exists()
    assert WorkOrderEvent.objects.filter(kind="confirmed").count() == orders.filter(rating__isnull=False).count()


def test_rates_from_the_selectors_are_non_trivial(demo, db):
    rates = work_order_selectors.rates(WorkOrder.objects.all())
    assert 0.6 < rates.response < 1
    assert 0.7 < rates.resolution < 1
    assert 0.6 < rates.satisfaction < 1
    low = WorkOrder.objects.filter(rating__lte=2).count()
    assert 0 < low < rates.rated / 5


def test_build_is_deterministic_and_runs_once(demo, db):
    before = WorkOrder.objects.count()
    assert work_orders_demo.build(seed=2026)["orders"] == 0  # orders exist: nothing is added
    assert WorkOrder.objects.count() == before


# ---------------------------------------------------------------- votes (gongzhi.voting.demo)


def test_jinsong_vote_gives_the_published_figures(demo, db):
    assert "演示业主表决已加载" in demo
    motion = Motion.objects.select_related("assembly").get(assembly__estate__name="劲松北社区")
    result = motion.result
    # 报道 000: of 2,763 households, 56.03 % of the households and 51.66 % of the area agreed
    assert result["households"]["total"] == 2763 and result["households"]["agreeing"] == 1548
    assert result["households"]["percent_agreeing"] == "56.03"
    conditions = {c["key"]: c for c in result["conditions"]}
    assert conditions["approval_area"]["percent"] == "51.66"
    # §D 15/17: under the Property Law an ordinary matter passes ("双过半"); a fund matter would not
    assert motion.rule_set == "property_law" and motion.passed is True
    counts = voting_rules.Counts(**{k: Decimal(v) if "area" in k else v for k, v in result["counts"].items()})
    assert not voting_rules.tally(
        rule_set=voting_rules.PROPERTY_LAW, matter=voting_rules.FUND_RAISE, counts=counts
    ).passed
    assert motion.assembly.status == "published" and motion.assembly.published_on is not None
    assert chain.verify(motion).ok and result["chain_head"] == motion.chain_head


def test_taiyang_votes_building_by_building_and_is_open(demo, db):
    assembly = Assembly.objects.get(estate__name__startswith="太阳都市花园后期")
    assert assembly.status == "open"
    motions = list(assembly.motions.prefetch_related("buildings"))
    assert len(motions) >= 2
    for m in motions:
        assert m.matter == "fund_raise" and m.rule_set == "civil_code" and m.buildings.count() == 1
        assert 0 < m.chain_length < m.total_units and chain.verify(m).ok


def test_tuanjie_petition_reached_and_the_committee_was_told(demo, db):
    petition = Petition.objects.get(estate__name="团结公寓")
    assert petition.status == "closed"  # the assembly it asked for has been called
    assert Assembly.objects.get(petition=petition).motions.count() == 5
    assert Notification.objects.filter(recipient__username="tuanjie_committee", title__contains="20%").exists()


# ---------------------------------------------------------------- money (gongzhi.funds.demo)


def _rate(campaign, day):
    s = RateSnapshot.objects.get(campaign=campaign, day=day, building=None)
    return s.units_paid, s.units


def test_taiyang_curve_passes_seventy_and_ninety_on_the_reported_days(demo, db):
    campaign = Campaign.objects.get(estate__name="太阳都市花园后期小区")
    assert campaign.starts_on == dt.date(2023, 2, 10) and campaign.decision_body == "building_groups"
    assert not funds_rules.reaches(*_rate(campaign, dt.date(2023, 2, 21)), 70)
    assert funds_rules.reaches(*_rate(campaign, dt.date(2023, 2, 22)), 71)  # 报道: "超过七成"
    assert not funds_rules.reaches(*_rate(campaign, dt.date(2023, 3, 11)), 90)
    assert funds_rules.reaches(*_rate(campaign, dt.date(2023, 3, 12)), 90)  # 报道: "达九成"
    assert ContactLog.objects.filter(bill__campaign=campaign, outcome="abroad").exists()
    assert campaign.bills.filter(paid_on__isnull=True, step__gte=4).exists()


def test_jinsong_fees_collected_at_about_72_percent(demo, db):
    q = FeeBill.objects.filter(estate__name__in=["劲松一区", "劲松二区"]).aggregate(
        n=Count("pk"), paid=Count("pk", filter=Q(paid_on__isnull=False))
    )
    assert q["n"] > 10_000
    assert funds_rules.reaches(q["paid"], q["n"], 70) and not funds_rules.reaches(q["paid"], q["n"], 75)


def test_funan_year_of_revenue_closed_and_reviewed_with_one_quarter_overdue(demo, db):
    funan = Place.objects.get(kind="estate", name="富南大厦")
    assert LedgerPeriod.objects.filter(estate=funan).count() == 4
    assert funds_services.ledger_verify(funan) == (True, None)
    assert Review.objects.filter(estate=funan, body="party").count() == 6
    assert any(s.overdue for s in funds_selectors.review_status(funan))


def test_guanganmen_pipes_split_among_six_rights_units(demo, db):
    split = CostSplit.objects.get(estate__name="广安门北街20号院")
    shares = list(CostShare.objects.filter(split=split).values_list("amount_fen", flat=True))
    assert len(shares) == 6 and sum(shares) == split.total_fen


def test_demo_reports_what_it_built(demo, db):
    counts = re.search(r"资金演示数据：(.*)", demo).group(1)
    assert "'campaign_units'" in counts and "'seconds'" in counts  # the time is reported, not asserted (STYLE.md)
