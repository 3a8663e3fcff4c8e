"""The one scoping selector: a role at a node covers its subtree; company staff see their contracts' estates."""

from gongzhi.core.scoping import scope_of
from gongzhi.governance.models import OwnersCommittee
from gongzhi.registry.models import Person, Place, Unit


def test_street_officer_sees_every_estate_of_the_street(world):
    # Given a street officer; when they list estates; then both communities' estates are there.
    estates = set(Place.objects.estates().visible_to(world.users["street_officer"]))
    assert estates == {world.estate_a, world.estate_b}


def test_community_staff_see_only_their_community(world):
    user = world.users["community_staff"]
    assert set(Unit.objects.visible_to(user)) == set(world.units_a)
    assert not Unit.objects.visible_to(user).filter(pk=world.units_b[0].pk).exists()


def test_property_manager_sees_the_estates_of_the_company_contracts(world):
    user = world.users["property_manager"]
    assert set(Place.objects.estates().visible_to(user)) == {world.estate_a}
    assert set(Place.objects.estates().visible_to(world.users["property_manager_b"])) == {world.estate_b}


def test_resident_sees_own_units_and_estate_but_not_neighbours_units(world):
    user = world.users["resident"]
    assert list(Unit.objects.visible_to(user)) == [world.units_a[0]]
    assert world.estate_a in Place.objects.visible_to(user)
    assert world.street in Place.objects.visible_to(user)  # the names above their estate
    assert world.estate_b not in Place.objects.visible_to(user)
    assert list(Person.objects.visible_to(user)) == [world.owner_person]
    assert list(OwnersCommittee.objects.visible_to(user)) == [world.committee_a]


def test_tenant_is_a_resident_of_the_rented_unit(world):
    scope = scope_of(world.users["tenant"])
    assert scope.unit_ids == {world.units_a[1].pk}


def test_user_without_role_sees_nothing(world):
    user = world.users["no_role"]
    assert not Place.objects.visible_to(user).exists()
    assert not Unit.objects.visible_to(user).exists()
    assert not Person.objects.visible_to(user).exists()


def test_read_only_roles_cannot_edit(world):
    for persona in ["department_officer", "committee_member", "property_manager", "grid_worker"]:
        assert not Unit.objects.editable_by(world.users[persona]).exists(), persona
    assert Unit.objects.editable_by(world.users["community_staff"]).count() == 3


def test_people_are_visible_through_their_units(world):
    user = world.users["community_staff_b"]
    assert set(Person.objects.visible_to(user)) == {world.outsider_person}


def test_street_officer_sees_the_departments_of_their_district(world):
    from gongzhi.governance.models import Department
    from gongzhi.governance.services import department_create

    dept = department_create(kind="housing", name="西城区房管局", place=world.district, actor=None)
    assert list(Department.objects.visible_to(world.users["street_officer"])) == [dept]
    assert list(Department.objects.visible_to(world.users["department_officer"])) == [dept]
    assert not Department.objects.visible_to(world.users["outsider"]).exists()
    assert not Department.objects.editable_by(world.users["street_officer"]).exists()
