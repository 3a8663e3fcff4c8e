"""The demo's pure generators (gongzhi.demo.population) on the seed estates' layouts: the senior and
tenant shares come out exactly, the buildings hold exactly the households asked for. No database."""

from __future__ import annotations

import random

import pytest

from gongzhi.demo import sites
from gongzhi.demo.population import OWNER_ORG, OWNER_PERSON, Profile, make_homes, plan_buildings


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
