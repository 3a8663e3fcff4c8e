"""The demo (manage.py load_demo) reproduces the public figures of the seed reports
(/work/shared/seeds) and gives every role a login that lands on a page.

The demo is loaded once for the module inside a transaction that is rolled back at the end;
each test runs in a savepoint within it.
"""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import ROLES
from gongzhi.governance.models import (
    Alliance,
    Department,
    OwnersCommittee,
    PartyOrganisation,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.selectors import committee_composition_warnings
from gongzhi.registry import rules
from gongzhi.registry.demo import sites
from gongzhi.registry.demo.population import (
    OWNER_ORG,
    OWNER_PERSON,
    Profile,
    make_homes,
    plan_buildings,
)
from gongzhi.registry.demo.users import DEMO_PASSWORD, DEMO_USERS
from gongzhi.registry.models import Grid, GridAssignment, Organisation, Ownership, Person, Place, Residency, Unit


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        # Check the deferred foreign keys once here; otherwise PostgreSQL re-checks the whole load
        # at every test's teardown (its savepoint rollback puts the checks back in the queue).
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


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
    seniors = sum(1 for b in births if rules.is_senior(b, today))
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


# ---------------------------------------------------------------- the pure generators


@pytest.mark.parametrize("seed", range(8))
def test_households_hit_the_senior_and_tenant_shares_exactly(seed):
    rng = random.Random(seed)
    owners = [OWNER_ORG if rng.random() < 0.23 else OWNER_PERSON for _ in range(rng.randint(300, 2000))]
    homes = make_homes(rng, owners, Profile(seniors_permille=369, tenants_permille=370))
    people = [m for h in homes for m in h.members]
    seniors = sum(1 for m in people if m.age >= 60)
    tenants = sum(1 for m in people if m.kind == "tenant")
    assert seniors == (2 * 369 * len(people) + 1000) // 2000  # rounded half up
    assert tenants == (2 * 370 * len(people) + 1000) // 2000
    assert all(m.age <= 57 for m in people if m.kind == "tenant" and not m.senior)
    assert all(m.age >= 61 for m in people if m.senior)


@pytest.mark.parametrize("seed", range(8))
def test_buildings_hold_exactly_the_households_asked_for(seed):
    rng = random.Random(seed)
    for spec in (sites.JIMENLI, sites.LAOSHAN, sites.GUANGANMEN_20, sites.JINSONG_1, sites.FUNAN):
        layout = spec.layout
        plans = plan_buildings(rng, households=layout.households, styles=list(layout.styles), count=layout.buildings)
        assert sum(p.units for p in plans) == layout.households
        if layout.buildings:
            assert len(plans) == layout.buildings
