"""manage.py seed_scale: a district-scale registry streamed in batches, with correct materialized
paths (DESIGN.md §2) on SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from gongzhi.governance.models import OwnersCommittee, PartyOrganisation, ServiceContract
from gongzhi.registry import rules
from gongzhi.registry import services as reg
from gongzhi.registry.models import Ownership, Person, Place, Unit


def seed(units: int, batch: int = 500) -> tuple[Place, str]:
    out = io.StringIO()
    call_command("seed_scale", "--units", str(units), "--batch", str(batch), stdout=out)
    district = Place.objects.filter(kind="district", name__startswith="规模测试区").order_by("-pk").first()
    return district, out.getvalue()


def test_seed_scale_writes_every_path_once_and_right(db):
    # Given the registry; when 2000 units are seeded in batches of 500 (several flushes per estate)
    district, out = seed(2000)
    # then every node's path is its parent's path plus its own id, ending with its own id
    places = Place.objects.filter(path__startswith=district.path).select_related("parent")
    assert places.filter(kind="estate").exists()
    for place in places:
        assert place.path.endswith(f"/{place.pk}/")
        assert place.path == f"{place.parent.path}{place.pk}/"
        assert place.depth == place.parent.depth + 1
    # and every unit hangs under its estate, at its entrance's (or building's) path
    units = Unit.objects.filter(estate__path__startswith=district.path).select_related("estate", "building", "entrance")
    assert units.count() == 2000
    for unit in units:
        assert unit.path.startswith(unit.estate.path)
        assert unit.path == (unit.entrance or unit.building).path
        assert unit.building.parent_id == unit.estate_id
        assert unit.area > 0 and unit.area_source in rules.AREA_PRIORITY
    # and every unit has an owner
    assert not units.filter(ownerships__isnull=True).exists()
    assert "行/秒" in out


def test_seed_scale_gives_some_estates_contracts_committees_and_party_orgs(db):
    district, _ = seed(12000, batch=5000)
    estates = Place.objects.filter(kind="estate", path__startswith=district.path)
    with_contract = ServiceContract.objects.filter(estate__in=estates).values("estate").distinct().count()
    committees = OwnersCommittee.objects.filter(estate__in=estates)
    assert 0 < with_contract <= estates.count()
    assert 0 < committees.count() <= estates.count()
    assert PartyOrganisation.objects.filter(place__path__startswith=district.path, kind="community_committee").exists()
    # committee members are owners of the estate
    for committee in committees:
        for member in committee.members.all():
            assert Ownership.objects.filter(person=member.person, unit__estate=committee.estate).exists()


def test_seed_scale_leaves_ids_in_step_with_the_database(db):
    # After rows with ids handed out in advance, an ordinary insert still gets a fresh id (PostgreSQL sequences).
    district, _ = seed(1000)
    street = reg.place_create(kind="street", name="事后新增街道", parent=district, actor=None)
    assert street.path == f"{district.path}{street.pk}/"
    assert not Place.objects.filter(pk=street.pk).exclude(name="事后新增街道").exists()


def test_seed_scale_twice_makes_two_districts_without_clashing_id_numbers(db):
    first, _ = seed(1000)
    second, _ = seed(1000)
    assert first.name == "规模测试区1" and second.name == "规模测试区2"
    duplicates = Person.objects.exclude(id_number="").values("id_number").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    some = Person.objects.filter(place__path__startswith=second.path).values_list("id_number", flat=True)[:50]
    assert all(rules.id_number_valid(n) for n in some)


@pytest.mark.parametrize("argv", [["--units", "0"], ["--units", "10", "--batch", "0"]])
def test_seed_scale_refuses_nonsense_and_changes_nothing(db, argv):
    before = Place.objects.count()  # the shared world's places
    with pytest.raises(CommandError):
        call_command("seed_scale", *argv, stdout=io.StringIO())
    assert Place.objects.count() == before
