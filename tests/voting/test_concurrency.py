"""200 simultaneous ballots — duplicates and co-owners racing — leave exactly one ballot per unit and a
chain that verifies (PostgreSQL: SQLite serializes every write, so there is no race to test there)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from gongzhi.accounts import services as account_services
from gongzhi.registry import services as reg
from gongzhi.voting import chain, services
from gongzhi.voting.models import Ballot, ElectorateUnit, Motion
from tests.voting.conftest import make_assembly

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")

UNITS = 50  # 2 co-owners each, each submitting twice: 200 submissions


@pytest.mark.django_db(transaction=True)
def test_two_hundred_racing_submissions_give_one_ballot_per_unit(world):
    jobs = []
    units = []
    for i in range(UNITS):
        unit = reg.unit_create(
            building=world.building_a2, number=f"5{i:02d}", registered_area=Decimal("66.60"), actor=None
        )
        units.append(unit)
        for who in ("a", "b"):
            person = reg.person_create(name=f"业主{i}{who}", place=world.estate_a, actor=None)
            reg.ownership_add(unit=unit, person=person, actor=None)
            user = account_services.user_create(username=f"race{i}{who}", password="x-Race-2026", actor=None)
            user.person = person
            user.save(update_fields=["person"])
            choice = "agree" if who == "a" else "disagree"
            jobs += [(unit, user, choice), (unit, user, choice)]
    _, (motion,) = make_assembly(world)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def submit(job):
        unit, user, choice = job
        try:
            try:
                barrier.wait(timeout=10)
            except threading.BrokenBarrierError:
                pass
            services.ballot_cast(motion=motion, unit=unit, choice=choice, actor=user)
            return "ok"
        except ValidationError:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(submit, jobs))

    assert len(jobs) == 200
    assert Counter(outcomes) == {"ok": UNITS, "refused": 200 - UNITS}
    per_unit = Counter(Ballot.objects.filter(motion=motion, kind="cast").values_list("unit_id", flat=True))
    assert set(per_unit) == {u.pk for u in units} and set(per_unit.values()) == {1}
    motion = Motion.objects.get(pk=motion.pk)
    assert motion.chain_length == UNITS
    assert ElectorateUnit.objects.filter(motion=motion).exclude(choice="").count() == UNITS
    assert chain.verify(motion).ok
