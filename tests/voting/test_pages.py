"""Voting pages: the owner votes on the phone page, staff key and confirm paper ballots, set up and run
an assembly, publish the result notice; refusals (403 read-only, 404 outsider) change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.voting import services
from gongzhi.voting.models import Assembly, Ballot, Motion, PaperBallot, Petition
from tests.voting.conftest import make_assembly


def test_owner_sees_the_motion_votes_and_gets_a_receipt(vote):
    client = vote.client_for("resident")
    url = reverse("voting:motion", args=[vote.motion.pk])
    page = client.get(url).content.decode()
    assert "选聘物业服务企业" in page and "物业服务合同（草案）" in page
    assert "1号楼1单元101" in page and "提交表决" in page
    response = client.post(
        reverse("voting:cast", args=[vote.motion.pk]), {"unit_id": vote.units_a[0].pk, "choice": "agree"}
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get(motion=vote.motion)
    page = client.get(url).content.decode()
    assert "您的选票已计入" in page and ballot.hash in page


def test_tenant_reads_but_cannot_vote_and_outsider_gets_404(vote):
    tenant = vote.client_for("tenant")
    page = tenant.get(reverse("voting:motion", args=[vote.motion.pk])).content.decode()
    assert "租户" in page and "提交表决" not in page
    cast = reverse("voting:cast", args=[vote.motion.pk])
    assert tenant.post(cast, {"unit_id": vote.units_a[1].pk, "choice": "agree"}).status_code == 403
    assert vote.client_for("outsider").post(cast, {"unit_id": vote.units_a[0].pk, "choice": "agree"}).status_code == 404
    assert not Ballot.objects.exists()


def test_paper_ballot_keyed_then_confirmed_by_a_second_person(vote):
    first, second = vote.client_for("committee_member"), vote.client_for("community_staff")
    url = reverse("voting:paper", args=[vote.motion.pk])
    r = first.post(url, {"unit": "2号楼201", "choice": "agree", "sheet_no": "P-7", "proxy_name": "", "proxy_note": ""})
    assert r.status_code == 302
    paper = PaperBallot.objects.get()
    # the one who keyed it cannot confirm it; the page says so and shows no confirm form
    assert "须另一名工作人员复核" in first.get(url).content.decode()
    assert first.post(reverse("voting:paper_confirm", args=[paper.pk]), {"choice": "agree"}).status_code == 403
    # a read-only role gets 403, an outsider 404: nothing changes
    assert (
        vote.client_for("street_officer")
        .post(reverse("voting:paper_confirm", args=[paper.pk]), {"choice": "agree"})
        .status_code
        == 403
    )
    assert (
        vote.client_for("community_staff_b")
        .post(reverse("voting:paper_confirm", args=[paper.pk]), {"choice": "agree"})
        .status_code
        == 404
    )
    # a different reading is refused with a message
    second.post(reverse("voting:paper_confirm", args=[paper.pk]), {"choice": "disagree"})
    assert not Ballot.objects.exists()
    second.post(reverse("voting:paper_confirm", args=[paper.pk]), {"choice": "agree"})
    ballot = Ballot.objects.get()
    assert ballot.channel == "paper" and ballot.confirmed_by == vote.users["community_staff"]


def test_paper_entry_names_a_wrong_unit(vote):
    r = vote.client_for("committee_member").post(
        reverse("voting:paper", args=[vote.motion.pk]), {"unit": "9号楼9", "choice": "agree"}
    )
    assert "9号楼9" in r.content.decode() and "不在表决名册中" in r.content.decode()
    assert not PaperBallot.objects.exists()
    r = vote.client_for("street_officer").post(
        reverse("voting:paper", args=[vote.motion.pk]), {"unit": "2号楼201", "choice": "agree"}
    )
    assert r.status_code == 403 and not PaperBallot.objects.exists()


def test_void_from_the_page(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    ballot = Ballot.objects.get()
    url = reverse("voting:void", args=[ballot.pk])
    assert vote.client_for("party_worker").post(url, {"reason": "误投"}).status_code == 403
    assert vote.client_for("resident").post(url, {"reason": "误投"}).status_code == 403
    assert Ballot.objects.count() == 1
    vote.client_for("community_staff").post(url, {"reason": "业主书面申请"})
    assert Ballot.objects.filter(kind="void").count() == 1


def test_staff_set_up_notice_open_close_publish(world):
    client = world.client_for("committee_member")
    now = timezone.localtime()
    opens = now + dt.timedelta(days=16)
    r = client.post(
        reverse("voting:assembly_new"),
        {
            "estate_id": world.estate_a.pk,
            "title": "甲小区临时会议",
            "kind": "regular",
            "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (opens + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "notice_text": "定于……",
        },
    )
    assembly = Assembly.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("voting:assembly", args=[assembly.pk])
    client.post(
        reverse("voting:motion_add", args=[assembly.pk]),
        {
            "title": "续筹维修资金",
            "matter": "fund_raise",
            "rule_set": "civil_code",
            "building_ids": [world.building_a2.pk],
        },
    )
    motion = Motion.objects.get()
    assert list(motion.buildings.all()) == [world.building_a2]
    # a read-only role and an outsider cannot act
    assert (
        world.client_for("street_officer")
        .post(reverse("voting:assembly_action", args=[assembly.pk, "notice"]))
        .status_code
        == 403
    )
    assert (
        world.client_for("community_staff_b")
        .post(reverse("voting:assembly_action", args=[assembly.pk, "notice"]))
        .status_code
        == 404
    )
    assert Assembly.objects.get().status == "draft"
    client.post(reverse("voting:assembly_action", args=[assembly.pk, "notice"]), {"noticed_on": ""})
    assert Assembly.objects.get().status == "noticed"
    with time_machine.travel(opens + dt.timedelta(minutes=1), tick=False):
        client = world.client_for("committee_member")  # a fresh login: the session would have expired
        client.post(reverse("voting:assembly_action", args=[assembly.pk, "open"]))
        assert Assembly.objects.get().status == "open"
        page = client.get(reverse("voting:assembly", args=[assembly.pk])).content.decode()
        assert "实时参与情况" in page and "2号楼" in page and "hx-trigger" in page
    with time_machine.travel(opens + dt.timedelta(days=8), tick=False):
        client = world.client_for("committee_member")
        client.post(reverse("voting:assembly_action", args=[assembly.pk, "close"]))
        assert Assembly.objects.get().status == "closed"
        client.post(reverse("voting:assembly_action", args=[assembly.pk, "publish"]), {"published_on": ""})
        assembly = Assembly.objects.get()
        assert assembly.status == "published" and assembly.published_on is not None
        notice = world.client_for("resident").get(reverse("voting:result", args=[assembly.pk])).content.decode()
        assert (
            "未通过" in notice
            and "参与表决的专有部分面积占总面积" in notice
            and "民法典第278条第2款" in notice
            and "§" not in notice
        )
        assert "请求人民法院撤销" in notice


def test_result_lists_units_and_areas_never_names(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    with time_machine.travel(vote.assembly.closes_at + dt.timedelta(minutes=5), tick=False):
        services.assembly_close(assembly=vote.assembly, actor=vote.users["committee_member"])
    page = (
        vote.client_for("resident").get(reverse("voting:result", args=[vote.assembly.pk]) + "?units=1").content.decode()
    )
    assert "1号楼1单元101" in page and "60.50" in page and "同意" in page
    assert vote.owner_person.name not in page and "某产权单位" not in page
    assert Motion.objects.get(pk=vote.motion.pk).chain_head in page


def test_verify_page_reports_a_tampered_ballot(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    url = reverse("voting:verify", args=[vote.motion.pk])
    assert "核验通过" in vote.client_for("tenant").get(url).content.decode()
    Ballot.objects.update(choice="disagree")
    page = vote.client_for("tenant").get(url).content.decode()
    assert "核验失败" in page and "第 1 号选票" in page


def test_petition_pages(world):
    client = world.client_for("resident")
    r = client.post(
        reverse("voting:petition_new"), {"estate_id": world.estate_a.pk, "title": "更换物业", "reason": "服务差"}
    )
    petition = Petition.objects.get()
    assert r.status_code == 302
    page = client.get(reverse("voting:petition", args=[petition.pk])).content.decode()
    assert "已联名" in page and "已达到召开临时会议的人数" in page
    # a tenant may read but not sign; an outsider does not see it
    assert world.client_for("tenant").post(reverse("voting:petition_sign", args=[petition.pk])).status_code == 403
    assert world.client_for("outsider").post(reverse("voting:petition_sign", args=[petition.pk])).status_code == 404
    assert petition.signatures.count() == 1
    # an owner of estate B cannot start one in estate A
    world.client_for("outsider").post(reverse("voting:petition_new"), {"estate_id": world.estate_a.pk, "title": "x"})
    assert Petition.objects.count() == 1


@pytest.mark.parametrize("persona", ["resident", "committee_member"])
def test_index_query_count_does_not_grow_with_assemblies(world, persona, query_baseline):
    make_assembly(world)
    client = world.client_for(persona)
    client.get(reverse("voting:index"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("voting:index"))
    for i in range(3):
        make_assembly(world, title=f"会议{i}")
    with CaptureQueriesContext(connection) as four:
        assert client.get(reverse("voting:index")).status_code == 200
    assert len(four) == len(one)
    query_baseline.check(f"page voting:index {persona}, 4 assemblies", len(four))


def test_an_owner_cannot_vote_for_a_unit_that_is_not_theirs(vote):
    # a unit the owner may not see does not exist for them (404, as in the API); nothing is cast
    cast = reverse("voting:cast", args=[vote.motion.pk])
    response = vote.client_for("resident").post(cast, {"unit_id": vote.units_a[2].pk, "choice": "agree"})
    assert response.status_code == 404
    assert not Ballot.objects.exists()
