"""The voting JSON API: every operation's success, the outsider's 404, the read-only role's 403, the
clash's 409 and bad input's 400 — and that a refused request changed nothing.

Refusals carry the code of what refused them: a permission's (``voting.call``…) for who may not act, an
error code of ``gongzhi.voting.errors`` for a clash or a vote not in the state the act needs (those
were 400 ``validation_error`` or 409 ``conflict`` before the codes; deliberately changed)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongzhi.core.models import AuditLog
from gongzhi.voting import services
from gongzhi.voting.models import Assembly, Ballot, Motion, PaperBallot, Petition
from tests.api.conftest import assert_error, bearer, call, token_for
from tests.personas import ESTATE_A_OUTSIDERS, ESTATE_A_READ_ONLY
from tests.voting.conftest import make_assembly

READ_ONLY = [p for p in ESTATE_A_READ_ONLY if p != "committee_member"] + ["street_officer"]
OUTSIDERS = ESTATE_A_OUTSIDERS


def test_list_and_detail_are_scoped(vote):
    # the estate's assemblies are public to it: the volunteer of building 1 and company A's staff see them
    for persona in ("resident", "tenant", "committee_member", "street_officer", "admin", "property_staff", "volunteer"):
        body = call(vote.client_for(persona), "GET", "/voting/assemblies").json()
        assert [a["id"] for a in body["items"]] == [vote.assembly.pk], persona
    for persona in OUTSIDERS:
        assert call(vote.client_for(persona), "GET", "/voting/assemblies").json()["total"] == 0
        assert_error(call(vote.client_for(persona), "GET", f"/voting/assemblies/{vote.assembly.pk}"), 404, "not_found")
        assert_error(call(vote.client_for(persona), "GET", f"/voting/motions/{vote.motion.pk}"), 404, "not_found")
    detail = call(vote.client_for("resident"), "GET", f"/voting/assemblies/{vote.assembly.pk}").json()
    assert detail["motions"][0]["total_area"] == "223.75" and detail["motions"][0]["documents"]


def test_create_assembly_add_motion_notice(world):
    client = world.client_for("community_staff")
    now = timezone.now()
    body = {
        "estate_id": world.estate_a.pk,
        "title": "甲小区业主大会",
        "opens_at": (now + dt.timedelta(days=16)).isoformat(),
        "closes_at": (now + dt.timedelta(days=23)).isoformat(),
    }
    # read-only roles 403, outsiders 404, nothing made
    for persona in READ_ONLY:
        assert_error(call(world.client_for(persona), "POST", "/voting/assemblies", body), 403, "voting.call")
    assert_error(call(world.client_for("community_staff_b"), "POST", "/voting/assemblies", body), 404, "not_found")
    # the volunteer sees estate A's assemblies, but not estate A itself
    assert_error(call(world.client_for("volunteer"), "POST", "/voting/assemblies", body), 404, "not_found")
    assert not Assembly.objects.exists()
    created = call(client, "POST", "/voting/assemblies", body)
    assert created.status_code == 201, created.content
    aid = created.json()["id"]
    bad = call(
        client,
        "POST",
        f"/voting/assemblies/{aid}/motions",
        {"title": "续筹", "matter": "fund_raise", "rule_set": "property_law"},
    )
    error = assert_error(bad, 400, "validation_error")
    assert "民法典" in error["fields"]["rule_set"]
    motion = call(
        client,
        "POST",
        f"/voting/assemblies/{aid}/motions",
        {
            "title": "续筹维修资金",
            "matter": "fund_raise",
            "building_ids": [world.building_a2.pk],
            "documents": [{"title": "方案", "body": "每平方米……"}],
        },
    )
    assert motion.status_code == 201 and motion.json()["building_ids"] == [world.building_a2.pk]
    early = call(
        client,
        "POST",
        f"/voting/assemblies/{aid}/notice",
        {"noticed_on": str(timezone.localdate() + dt.timedelta(days=2))},
    )
    assert "noticed_on" in assert_error(early, 400, "validation_error")["fields"]
    assert_error(
        call(world.client_for("street_officer"), "POST", f"/voting/assemblies/{aid}/notice", {}),
        403,
        "voting.post_notice",
    )
    noticed = call(client, "POST", f"/voting/assemblies/{aid}/notice", {})
    assert noticed.json()["status"] == "noticed"
    late = call(client, "POST", f"/voting/assemblies/{aid}/motions", {"title": "临时动议", "matter": "other"})
    # a vote not in the state the act needs is a conflict with its code (was 400 before codes)
    assert "公告以外" in assert_error(late, 409, "voting.agenda_fixed")["message"]
    assert Motion.objects.count() == 1


def test_owner_votes_with_a_token_and_gets_the_receipt(vote):
    key = token_for(vote.users["resident"])
    client = vote.client_for("anonymous")
    path = f"/voting/motions/{vote.motion.pk}/ballots"
    r = call(client, "POST", path, {"unit_id": vote.units_a[0].pk, "choice": "agree"}, **bearer(key))
    assert r.status_code == 201, r.content
    ballot = r.json()
    again = call(client, "POST", path, {"unit_id": vote.units_a[0].pk, "choice": "disagree"}, **bearer(key))
    assert "已投票" in assert_error(again, 409, "voting.already_voted")["fields"]["unit_id"]
    detail = call(client, "GET", f"/voting/motions/{vote.motion.pk}", **bearer(key)).json()
    assert detail["my_units"] == [
        {
            "unit_id": vote.units_a[0].pk,
            "label": "1号楼1单元101",
            "area": "60.50",
            "choice": "agree",
            "ballot_seq": 1,
            "ballot_hash": ballot["hash"],
        }
    ]
    assert detail["tally"]["counts"]["participating_area"] == "60.50"
    assert {c["key"] for c in detail["tally"]["conditions"]} == {
        "quorum_area",
        "quorum_heads",
        "approval_area",
        "approval_heads",
    }
    assert detail["buildings"][0]["voted"] == 1
    mine = call(client, "GET", path, **bearer(key)).json()
    assert [b["seq"] for b in mine["items"]] == [1]


def test_tenant_403_outsider_404_bad_choice_400_and_nothing_changes(vote):
    path = f"/voting/motions/{vote.motion.pk}/ballots"
    before = AuditLog.objects.count()
    assert_error(
        call(vote.client_for("tenant"), "POST", path, {"unit_id": vote.units_a[1].pk, "choice": "agree"}),
        403,
        "voting.cast",
    )
    assert_error(
        call(vote.client_for("outsider"), "POST", path, {"unit_id": vote.units_b[0].pk, "choice": "agree"}),
        404,
        "not_found",
    )
    bad = call(vote.client_for("resident"), "POST", path, {"unit_id": vote.units_a[0].pk, "choice": "yes"})
    assert "choice" in assert_error(bad, 400, "validation_error")["fields"]
    assert not Ballot.objects.exists() and AuditLog.objects.count() == before


def test_paper_ballot_four_eyes_void_and_ballot_list(vote):
    first, second = vote.client_for("committee_member"), vote.client_for("community_staff")
    path = f"/voting/motions/{vote.motion.pk}/paper-ballots"
    body = {"unit_id": vote.units_a[2].pk, "choice": "agree", "sheet_no": "P-1"}
    for persona in READ_ONLY + ["resident"]:
        assert_error(call(vote.client_for(persona), "POST", path, body), 403, "voting.key_paper")
    assert_error(call(vote.client_for("community_staff_b"), "POST", path, body), 404, "not_found")
    paper = call(first, "POST", path, body).json()
    assert_error(call(first, "POST", path, body), 409, "voting.paper_waiting")  # one pending per unit
    confirm = f"/voting/paper-ballots/{paper['id']}/confirm"
    assert_error(call(first, "POST", confirm, {"choice": "agree"}), 403, "voting.same_person")
    assert_error(call(second, "POST", confirm, {"choice": "abstain"}), 400, "voting.confirm_mismatch")
    assert not Ballot.objects.exists()
    ballot = call(second, "POST", confirm, {"choice": "agree"})
    assert ballot.status_code == 201 and ballot.json()["channel"] == "paper"
    bid = ballot.json()["id"]
    assert_error(
        call(vote.client_for("street_officer"), "POST", f"/voting/ballots/{bid}/void", {"reason": "x"}),
        403,
        "voting.void",
    )
    void = call(second, "POST", f"/voting/ballots/{bid}/void", {"reason": "房号录错"})
    assert void.status_code == 201 and void.json()["kind"] == "void" and void.json()["voids_id"] == bid
    entries = call(vote.client_for("street_officer"), "GET", f"/voting/motions/{vote.motion.pk}/ballots").json()
    assert [(e["seq"], e["kind"]) for e in entries["items"]] == [(1, "cast"), (2, "void")]
    # residents see only their own units' entries
    assert call(vote.client_for("resident"), "GET", f"/voting/motions/{vote.motion.pk}/ballots").json()["total"] == 0
    other = call(first, "POST", path, {"unit_id": vote.units_a[1].pk, "choice": "disagree"}).json()
    rejected = call(second, "POST", f"/voting/paper-ballots/{other['id']}/reject", {"reason": "无签名"})
    assert rejected.json()["status"] == "rejected"
    assert PaperBallot.objects.filter(status="pending").count() == 0


def test_open_close_publish_result_and_verify(world):
    client = world.client_for("committee_member")
    assembly, (motion,) = make_assembly(world, open_it=False)
    services.assembly_post_notice(
        assembly=assembly,
        actor=world.users["committee_member"],
        noticed_on=timezone.localdate() - dt.timedelta(days=20),
    )
    assert_error(
        call(world.client_for("party_worker"), "POST", f"/voting/assemblies/{assembly.pk}/open"), 403, "voting.open"
    )
    opened = call(client, "POST", f"/voting/assemblies/{assembly.pk}/open")
    assert opened.json()["status"] == "open"
    call(
        world.client_for("resident"),
        "POST",
        f"/voting/motions/{motion.pk}/ballots",
        {"unit_id": world.units_a[0].pk, "choice": "agree"},
    )
    assert_error(call(client, "GET", f"/voting/motions/{motion.pk}/result"), 404, "not_found")
    assert_error(call(client, "POST", f"/voting/assemblies/{assembly.pk}/close"), 409, "voting.still_open")
    with time_machine.travel(assembly.closes_at + dt.timedelta(minutes=1), tick=False):
        client = world.client_for("committee_member")
        assert call(client, "POST", f"/voting/assemblies/{assembly.pk}/close").json()["status"] == "closed"
        published = call(client, "POST", f"/voting/assemblies/{assembly.pk}/publish", {})
        assert published.json()["revocation_ends"] is not None
        result = call(world.client_for("tenant"), "GET", f"/voting/motions/{motion.pk}/result").json()
    assert result["tally"]["passed"] is False
    quorum = {c["key"]: c for c in result["tally"]["conditions"]}["quorum_heads"]
    assert (quorum["numerator"], quorum["denominator"], quorum["needed"], quorum["margin"]) == ("1", "3", "2", "-1")
    assert [u["label"] for u in result["units"]] == ["1号楼1单元101", "1号楼1单元102", "2号楼201"]
    assert "王业主" not in str(result)
    verify = call(world.client_for("resident"), "GET", f"/voting/motions/{motion.pk}/verify").json()
    assert verify["ok"] and verify["head"] == verify["published_head"] == result["chain_head"]


@pytest.mark.parametrize("persona", ["resident"])
def test_petition_api(world, persona):
    client = world.client_for(persona)
    created = call(client, "POST", "/voting/petitions", {"estate_id": world.estate_a.pk, "title": "更换物业"})
    assert created.status_code == 201
    body = created.json()
    assert (body["signed_heads"], body["total_heads"], body["needed"], body["reached"]) == (1, 3, 1, True)
    assert_error(call(client, "POST", f"/voting/petitions/{body['id']}/signatures"), 409, "voting.already_signed")
    assert_error(
        call(world.client_for("tenant"), "POST", f"/voting/petitions/{body['id']}/signatures"), 403, "voting.sign"
    )
    assert_error(call(world.client_for("outsider"), "GET", f"/voting/petitions/{body['id']}"), 404, "not_found")
    assert_error(
        call(world.client_for("outsider"), "POST", "/voting/petitions", {"estate_id": world.estate_a.pk, "title": "x"}),
        404,
        "not_found",
    )
    assert call(world.client_for("street_officer"), "GET", "/voting/petitions").json()["total"] == 1
    assert Petition.objects.count() == 1
