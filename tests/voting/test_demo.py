"""The demo votes (gongzhi.voting.demo): 劲松北's published figures come out (§D 17), 太阳都市花园 votes
building by building, 团结公寓's petition reaches 20 % (§E 18). The whole demo is loaded once for the
module inside a transaction rolled back at the end."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from gongzhi.core.models import Notification
from gongzhi.voting import chain, rules
from gongzhi.voting.models import Assembly, Motion, Petition


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_jinsong_vote_gives_the_published_figures(loaded, db):
    assert "演示业主表决已加载" in loaded
    motion = Motion.objects.select_related("assembly").get(assembly__estate__name="劲松北社区")
    result = motion.result
    # 报道 000: of 2,763 households, 56.03 % of the households and 51.66 % of the area agreed
    assert result["households"]["total"] == 2763 and result["households"]["agreeing"] == 1548
    assert result["households"]["percent_agreeing"] == "56.03"
    conditions = {c["key"]: c for c in result["conditions"]}
    assert conditions["approval_area"]["percent"] == "51.66"
    # §D 15/17: under the Property Law an ordinary matter passes ("双过半"); a fund matter would not
    assert motion.rule_set == "property_law" and motion.passed is True
    counts = rules.Counts(**{k: Decimal(v) if "area" in k else v for k, v in result["counts"].items()})
    assert not rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.FUND_RAISE, counts=counts).passed
    assert motion.assembly.status == "published" and motion.assembly.published_on is not None
    assert chain.verify(motion).ok and result["chain_head"] == motion.chain_head


def test_taiyang_votes_building_by_building_and_is_open(loaded, db):
    assembly = Assembly.objects.get(estate__name__startswith="太阳都市花园后期")
    assert assembly.status == "open"
    motions = list(assembly.motions.prefetch_related("buildings"))
    assert len(motions) >= 2
    for m in motions:
        assert m.matter == "fund_raise" and m.rule_set == "civil_code" and m.buildings.count() == 1
        assert 0 < m.chain_length < m.total_units and chain.verify(m).ok


def test_tuanjie_petition_reached_and_the_committee_was_told(loaded, db):
    petition = Petition.objects.get(estate__name="团结公寓")
    assert petition.status == "closed"  # the assembly it asked for has been called
    assert Assembly.objects.get(petition=petition).motions.count() == 5
    assert Notification.objects.filter(recipient__username="tuanjie_committee", title__contains="20%").exists()
