"""Voting services: agenda and notice (§E 19), the frozen electorate (§C 11–14), ballots online and on
paper (four eyes), voiding, the chain, closing, publication (§B 8), petitions (§E 18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.core.audit import verify_chain
from gongzhi.core.models import AuditLog, Notification
from gongzhi.core.scoping import forget_scope
from gongzhi.registry import services as reg
from gongzhi.registry.models import Ownership
from gongzhi.voting import chain, rules, selectors, services
from gongzhi.voting.models import Assembly, Ballot, ElectorateUnit, Motion, PaperBallot, Petition
from tests.voting.conftest import make_assembly
from tests.world import PASSWORD


def owner_user(world, name, unit, *, co=False):
    person = reg.person_create(name=name, place=world.estate_a, actor=None)
    reg.ownership_add(unit=unit, person=person, actor=None)
    user = account_services.user_create(username=name, password=PASSWORD, actor=None, display_name=name)
    user.person = person
    user.save(update_fields=["person"])
    world.users[name] = user
    return user


# --- Agenda and notice (§E 19) ------------------------------------------------------------------------


def test_notice_must_be_posted_fifteen_days_before_voting_opens(world):
    assembly, _ = make_assembly(world, open_it=False)
    too_late = timezone.localdate(assembly.opens_at) - dt.timedelta(days=14)
    with pytest.raises(ValidationError) as err:
        services.assembly_post_notice(assembly=assembly, actor=world.users["committee_member"], noticed_on=too_late)
    assert "15日" in str(err.value)
    assembly.refresh_from_db()
    assert assembly.status == "draft" and assembly.noticed_on is None
    ok = timezone.localdate(assembly.opens_at) - dt.timedelta(days=15)
    services.assembly_post_notice(assembly=assembly, actor=world.users["committee_member"], noticed_on=ok)
    assert Assembly.objects.get(pk=assembly.pk).status == "noticed"


def test_nothing_is_voted_outside_the_posted_agenda(world):
    assembly, _ = make_assembly(world)
    with pytest.raises(ValidationError) as err:
        services.motion_add(assembly=assembly, title="临时动议", matter="other", actor=world.users["committee_member"])
    assert "公告以外" in str(err.value)
    assert assembly.motions.count() == 1


def test_rule_set_follows_the_dates(world):
    # §D 16: a vote closed before 2021 is counted by the Property Law; one straddling the date is flagged
    tz = timezone.get_current_timezone()
    old, _ = make_assembly(
        world,
        open_it=False,
        motions=(),
        opens_at=dt.datetime(2019, 5, 1, 9, tzinfo=tz),
        closes_at=dt.datetime(2019, 6, 1, 17, tzinfo=tz),
    )
    with pytest.raises(ValidationError) as err:
        services.motion_add(
            assembly=old,
            title="选聘物业",
            matter="manager",
            rule_set="civil_code",
            actor=world.users["committee_member"],
        )
    assert "物权法" in str(err.value)
    motion = services.motion_add(
        assembly=old, title="选聘物业", matter="manager", actor=world.users["committee_member"]
    )
    assert motion.rule_set == "property_law"
    straddle, _ = make_assembly(
        world,
        open_it=False,
        motions=(),
        opens_at=dt.datetime(2020, 12, 20, 9, tzinfo=tz),
        closes_at=dt.datetime(2021, 1, 10, 17, tzinfo=tz),
    )
    m = services.motion_add(
        assembly=straddle, title="续筹维修资金", matter="fund_raise", actor=world.users["committee_member"]
    )
    tally, _ = selectors.motion_tally(Motion.objects.select_related("assembly").get(pk=m.pk))
    assert any("法律审核" in f for f in tally.flags)


def test_read_only_roles_cannot_call_an_assembly(world):
    for persona in ("street_officer", "party_worker", "property_manager", "grid_worker", "resident"):
        with pytest.raises(PermissionDenied):
            make_assembly(world, actor=persona, open_it=False)
    assert not Assembly.objects.exists()


# --- The electorate (§C 11–14) --------------------------------------------------------------------------


def test_opening_freezes_units_areas_and_heads(vote):
    rows = {e.label: e for e in ElectorateUnit.objects.filter(motion=vote.motion)}
    assert set(rows) == {"1号楼1单元101", "1号楼1单元102", "2号楼201"}
    assert rows["1号楼1单元101"].area == Decimal("60.50") and rows["1号楼1单元101"].area_source == "registered"
    assert rows["1号楼1单元101"].owner_keys == f"p:{vote.owner_person.pk}"
    assert rows["2号楼201"].owner_keys == f"o:{vote.rights_unit.pk}"
    assert rows["1号楼1单元102"].head.startswith("unit:")  # no owner on record: its own head
    assert vote.motion.total_area == Decimal("223.75") and vote.motion.total_heads == 3


def test_registry_changes_after_opening_do_not_change_the_electorate(vote):
    unit = vote.units_a[0]
    reg.unit_update(unit=unit, actor=vote.users["street_officer"], registered_area=Decimal("99.00"))
    reg.unit_create(building=vote.building_a2, number="202", registered_area=Decimal("70.00"), actor=None)
    row = ElectorateUnit.objects.get(motion=vote.motion, unit=unit)
    assert row.area == Decimal("60.50")
    assert ElectorateUnit.objects.filter(motion=vote.motion).count() == 3
    assert selectors.motion_counts(vote.motion).counts.total_area == Decimal("223.75")


def test_owner_of_several_units_is_one_head_and_the_developer_one_head(world):
    # §C 12
    dev = reg.organisation_create(kind="developer", name="某开发公司", place=world.district, actor=None)
    u1 = reg.unit_create(building=world.building_a2, number="301", registered_area=Decimal("90.00"), actor=None)
    u2 = reg.unit_create(
        building=world.building_a2, number="302", registered_area=Decimal("91.00"), developer_unsold=True, actor=None
    )
    u3 = reg.unit_create(
        building=world.building_a2, number="303", registered_area=Decimal("92.00"), developer_unsold=True, actor=None
    )
    for u in (u2, u3):
        reg.ownership_add(unit=u, organisation=dev, actor=None)
    reg.ownership_add(unit=u1, person=world.owner_person, actor=None)  # 王业主 now holds 101 and 301
    _, (motion,) = make_assembly(world)
    assert motion.total_units == 6
    assert motion.total_heads == 4  # 王业主, 102, the rights unit, the developer
    heads = set(ElectorateUnit.objects.filter(motion=motion, shared_head=True).values_list("head", flat=True))
    assert heads == {f"owners:p:{world.owner_person.pk}", "developer"}


def test_parking_counts_only_where_the_estate_says_so(world):
    # §C 13: a per-estate setting
    reg.unit_create(
        building=world.building_a2, number="车位001", registered_area=Decimal("12.50"), use="parking", actor=None
    )
    _, (m1,) = make_assembly(world)
    assert m1.total_units == 3
    services.voting_settings_set(estate=world.estate_a, count_parking=True, actor=world.users["committee_member"])
    with pytest.raises(PermissionDenied):
        services.voting_settings_set(estate=world.estate_a, count_parking=False, actor=world.users["street_officer"])
    _, (m2,) = make_assembly(world, title="第二次会议")
    assert m2.total_units == 4 and m2.total_area == Decimal("236.25")


def test_sub_electorate_of_some_buildings(world):
    # §B 10: a matter of building 2 only is decided by building 2's owners
    _, (motion,) = make_assembly(world, motions=(("2号楼外墙维修", "fund_use", [world.building_a2]),))
    assert list(ElectorateUnit.objects.filter(motion=motion).values_list("label", flat=True)) == ["2号楼201"]
    with pytest.raises(ValidationError):
        make_assembly(world, motions=(("乙小区的楼", "fund_use", [world.building_b1]),), title="错楼")


# --- Ballots ---------------------------------------------------------------------------------------


def test_owner_votes_once_and_the_ballot_cannot_be_changed(vote):
    resident = vote.users["resident"]
    ballot = services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=resident)
    assert ballot.seq == 1 and ballot.prev_hash == chain.GENESIS and len(ballot.hash) == 64
    with pytest.raises(ValidationError, match="已投票"):
        services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="disagree", actor=resident)
    assert Ballot.objects.filter(motion=vote.motion).count() == 1
    row = ElectorateUnit.objects.get(motion=vote.motion, unit=vote.units_a[0])
    assert (row.choice, row.ballot_id) == ("agree", ballot.pk)
    assert AuditLog.objects.filter(object_type="voting.ballot", object_id=str(ballot.pk)).exists()


def test_tenant_and_owner_of_another_estate_cannot_vote(vote):
    for persona, unit in (
        ("tenant", vote.units_a[1]),
        ("outsider", vote.units_a[0]),
        ("committee_member", vote.units_a[0]),
    ):
        with pytest.raises(PermissionDenied):
            services.ballot_cast(motion=vote.motion, unit=unit, choice="agree", actor=vote.users[persona])
    assert not Ballot.objects.exists()


def test_co_owners_share_one_ballot(vote):
    # §C 13: co-owners of a unit cast one vote for it
    spouse = owner_user(vote, "co_owner", vote.units_a[0])
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=spouse)
    with pytest.raises(ValidationError, match="已投票"):
        services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="disagree", actor=vote.users["resident"])


def test_unit_sold_during_the_vote(vote):
    # §C 14: a vote already cast by the old owner stands; otherwise the new owner votes
    unit_voted, unit_open = vote.units_a[0], vote.units_a[1]
    services.ballot_cast(motion=vote.motion, unit=unit_voted, choice="agree", actor=vote.users["resident"])
    reg.ownership_end(ownership=Ownership.objects.get(unit=unit_voted), until=timezone.localdate(), actor=None)
    # who owns what is read once per request (the Scope); here the sale happens between two calls
    # with the same user object, so its scope is read again, as the old owner's next request would
    forget_scope(vote.users["resident"])
    buyer = owner_user(vote, "buyer", unit_voted)
    with pytest.raises(ValidationError, match="已投票"):
        services.ballot_cast(motion=vote.motion, unit=unit_voted, choice="disagree", actor=buyer)
    assert ElectorateUnit.objects.get(motion=vote.motion, unit=unit_voted).choice == "agree"
    # 102 had no owner when the vote opened; bought now, its new owner votes, with the frozen area
    buyer2 = owner_user(vote, "buyer2", unit_open)
    services.ballot_cast(motion=vote.motion, unit=unit_open, choice="disagree", actor=buyer2)
    assert ElectorateUnit.objects.get(motion=vote.motion, unit=unit_open).area == Decimal("75.25")
    # the old owner of 101 no longer votes for anything
    with pytest.raises(PermissionDenied):
        services.ballot_cast(motion=vote.motion, unit=unit_voted, choice="agree", actor=vote.users["resident"])


def test_voiding_needs_staff_and_a_reason_and_lets_the_unit_vote_again(vote):
    ballot = services.ballot_cast(
        motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"]
    )
    with pytest.raises(PermissionDenied):
        services.ballot_void(ballot=ballot, reason="误投", actor=vote.users["street_officer"])
    with pytest.raises(ValidationError):
        services.ballot_void(ballot=ballot, reason="  ", actor=vote.users["committee_member"])
    assert Ballot.objects.count() == 1
    void = services.ballot_void(ballot=ballot, reason="业主书面申请：误投", actor=vote.users["committee_member"])
    assert void.kind == "void" and void.voids_id == ballot.pk and void.prev_hash == ballot.hash
    assert ElectorateUnit.objects.get(motion=vote.motion, unit=vote.units_a[0]).choice == ""
    again = services.ballot_cast(
        motion=vote.motion, unit=vote.units_a[0], choice="disagree", actor=vote.users["resident"]
    )
    assert again.round == 1
    assert Ballot.objects.get(pk=ballot.pk).choice == "agree"  # the voided ballot itself is unchanged
    assert chain.verify(Motion.objects.get(pk=vote.motion.pk)).ok
    assert verify_chain()[0]


def test_paper_ballot_needs_a_second_person(vote):
    first, second = vote.users["committee_member"], vote.users["community_staff"]
    paper = services.paper_ballot_enter(
        motion=vote.motion,
        unit=vote.units_a[2],
        choice="agree",
        sheet_no="A-0001",
        proxy_name="张代理",
        proxy_note="委托书第12号",
        actor=first,
    )
    assert not Ballot.objects.exists()  # not counted yet
    with pytest.raises(PermissionDenied):
        services.paper_ballot_confirm(paper=paper, choice="agree", actor=first)
    with pytest.raises(PermissionDenied):
        services.paper_ballot_confirm(paper=paper, choice="agree", actor=vote.users["street_officer"])
    with pytest.raises(ValidationError, match="不一致"):
        services.paper_ballot_confirm(paper=paper, choice="disagree", actor=second)
    assert not Ballot.objects.exists() and PaperBallot.objects.get(pk=paper.pk).status == "pending"
    ballot = services.paper_ballot_confirm(paper=paper, choice="agree", actor=second)
    assert (ballot.channel, ballot.entered_by, ballot.confirmed_by) == ("paper", first, second)
    assert (ballot.proxy_name, ballot.proxy_note, ballot.sheet_no) == ("张代理", "委托书第12号", "A-0001")
    assert PaperBallot.objects.get(pk=paper.pk).status == "confirmed"


def test_paper_ballot_for_a_unit_that_voted_or_a_proxy_without_a_letter_is_refused(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    with pytest.raises(ValidationError, match="已投票"):
        services.paper_ballot_enter(
            motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["committee_member"]
        )
    with pytest.raises(ValidationError, match="委托书"):
        services.paper_ballot_enter(
            motion=vote.motion,
            unit=vote.units_a[1],
            choice="agree",
            proxy_name="李某",
            actor=vote.users["committee_member"],
        )
    assert not PaperBallot.objects.exists()


def test_paper_box_import_is_all_or_nothing(vote):
    first, second = vote.users["committee_member"], vote.users["community_staff"]
    rows = [("1号楼1单元102", "同意", "B-1"), ("9号楼999", "同意", "B-2")]
    with pytest.raises(ValidationError) as err:
        services.paper_ballots_import(motion=vote.motion, rows=rows, actor=first, confirmer=second)
    assert "第2行" in str(err.value) and "9号楼999" in str(err.value)
    assert not Ballot.objects.exists()
    n = services.paper_ballots_import(
        motion=vote.motion,
        rows=[("1号楼1单元102", "同意", "B-1"), ("2号楼201", "不同意", "B-2")],
        actor=first,
        confirmer=second,
    )
    assert n == 2
    motion = Motion.objects.get(pk=vote.motion.pk)
    assert motion.chain_length == 2 and chain.verify(motion).ok


# --- Tally, close, publish ---------------------------------------------------------------------------


def test_live_counts_match_the_pure_count(world):
    dev = reg.organisation_create(kind="developer", name="某开发公司", place=world.district, actor=None)
    extra = []
    for number, area in (("301", "90.00"), ("302", "91.00"), ("303", "92.00"), ("304", "93.10")):
        extra.append(
            reg.unit_create(building=world.building_a2, number=number, registered_area=Decimal(area), actor=None)
        )
    reg.ownership_add(unit=extra[0], person=world.owner_person, actor=None)
    reg.ownership_add(unit=extra[1], organisation=dev, actor=None)
    reg.unit_update(unit=extra[1], actor=None, developer_unsold=True)
    reg.unit_update(unit=extra[2], actor=None, developer_unsold=True)
    reg.ownership_add(unit=extra[2], organisation=dev, actor=None)
    _, (motion,) = make_assembly(world)
    resident = world.users["resident"]
    services.ballot_cast(motion=motion, unit=world.units_a[0], choice="agree", actor=resident)
    services.ballot_cast(motion=motion, unit=extra[0], choice="disagree", actor=resident)  # mixed head
    services.paper_ballots_import(
        motion=motion,
        rows=[("2号楼201", "agree", "1"), ("2号楼302", "agree", "2"), ("2号楼304", "abstain", "3")],
        actor=world.users["committee_member"],
        confirmer=world.users["community_staff"],
    )
    live = selectors.motion_counts(motion)
    units = [rules.VoterUnit(e.unit_id, e.area, e.head) for e in ElectorateUnit.objects.filter(motion=motion)]
    choices = dict(ElectorateUnit.objects.filter(motion=motion).exclude(choice="").values_list("unit_id", "choice"))
    expected, mixed = rules.count(units, choices)
    assert live.counts == expected
    assert live.mixed_heads == len(mixed) == 1
    assert (expected.participating_heads, expected.agreeing_heads) == (4, 2)
    assert selectors.counts_by_motion([motion.pk])[motion.pk].counts == expected


def test_close_tally_publish(vote):
    vote.users["resident"]
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    services.paper_ballots_import(
        motion=vote.motion,
        rows=[("2号楼201", "同意", "1")],
        actor=vote.users["committee_member"],
        confirmer=vote.users["community_staff"],
    )
    with pytest.raises(ValidationError, match="尚未截止"):
        services.assembly_close(assembly=vote.assembly, actor=vote.users["committee_member"])
    services.paper_ballot_enter(
        motion=vote.motion, unit=vote.units_a[1], choice="agree", actor=vote.users["committee_member"]
    )
    later = vote.assembly.closes_at + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        with pytest.raises(ValidationError, match="待复核"):
            services.assembly_close(assembly=vote.assembly, actor=vote.users["committee_member"])
        paper = PaperBallot.objects.get(status="pending")
        services.paper_ballot_reject(paper=paper, reason="票面无签字", actor=vote.users["community_staff"])
        with pytest.raises(PermissionDenied):
            services.assembly_close(assembly=vote.assembly, actor=vote.users["street_officer"])
        services.assembly_close(assembly=vote.assembly, actor=vote.users["committee_member"])
        motion = Motion.objects.get(pk=vote.motion.pk)
        # 2 of 3 heads and 148.50 of 223.75 m² (66.37 %) took part: the area quorum fails by 0.67 m²
        result = motion.result
        assert motion.passed is False and result["passed"] is False
        conds = {c["key"]: c for c in result["conditions"]}
        assert conds["quorum_heads"]["met"] is True
        assert conds["quorum_area"]["met"] is False and conds["quorum_area"]["margin"] == "-0.67"
        assert conds["quorum_area"]["rule"] == "民法典第278条第2款"
        assert result["chain_head"] == motion.chain_head and result["chain_length"] == 2
        services.assembly_publish(assembly=vote.assembly, actor=vote.users["community_staff"])
    assembly = Assembly.objects.get(pk=vote.assembly.pk)
    assert assembly.status == "published" and assembly.published_on == timezone.localdate(later)
    assert rules.revocation_ends(assembly.published_on).year == assembly.published_on.year + 1


# --- Tampering --------------------------------------------------------------------------------------


def test_changing_one_stored_ballot_fails_verification_and_names_it(vote, capsys):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    services.paper_ballots_import(
        motion=vote.motion,
        rows=[("1号楼1单元102", "不同意", "1"), ("2号楼201", "不同意", "2")],
        actor=vote.users["committee_member"],
        confirmer=vote.users["community_staff"],
    )
    call_command("verify_ballots", str(vote.motion.pk))
    assert "核验通过" in capsys.readouterr().out
    # someone flips ballot #2 in the database, and the electorate row with it
    target = Ballot.objects.get(motion=vote.motion, seq=2)
    Ballot.objects.filter(pk=target.pk).update(choice="agree")
    ElectorateUnit.objects.filter(ballot=target).update(choice="agree")
    result = chain.verify(Motion.objects.get(pk=vote.motion.pk))
    assert not result.ok and result.bad_seq == 2 and result.bad_unit_id == target.unit_id
    with pytest.raises(CommandError, match="第2号选票"):
        call_command("verify_ballots", str(vote.motion.pk))


def test_electorate_choice_edited_behind_the_chain_is_found(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="disagree", actor=vote.users["resident"])
    ElectorateUnit.objects.filter(motion=vote.motion, unit=vote.units_a[0]).update(choice="agree")
    result = chain.verify(Motion.objects.get(pk=vote.motion.pk))
    assert not result.ok and result.bad_unit_id == vote.units_a[0].pk


def test_removing_the_last_ballot_is_found(vote):
    services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    last = Ballot.objects.get(motion=vote.motion)
    ElectorateUnit.objects.filter(ballot=last).update(ballot=None, choice="")
    last.delete()
    result = chain.verify(Motion.objects.get(pk=vote.motion.pk))
    assert not result.ok and "链末" in result.problem


# --- Petitions (§E 18) --------------------------------------------------------------------------------


def test_petition_reaches_a_fifth_of_heads_and_tells_the_committee(world):
    # estate A has 3 heads: 20 % needs 1 signature (≥, §A 1)
    petition = services.petition_create(
        estate=world.estate_a, title="提议召开临时会议：更换物业", actor=world.users["resident"]
    )
    petition.refresh_from_db()
    assert petition.status == "reached" and petition.reached_at is not None
    progress = selectors.petition_progress(petition)
    assert (progress.signed_heads, progress.total_heads, progress.needed) == (1, 3, 1)
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"committee_member", "community_staff"} <= told
    assert "street_officer" not in told and "community_staff_b" not in told
    with pytest.raises(ValidationError, match="已联名"):
        services.petition_sign(petition=petition, actor=world.users["resident"])


def test_only_owners_of_the_estate_sign(world):
    petition = services.petition_create(estate=world.estate_a, title="提议", actor=world.users["committee_member"])
    for persona in ("tenant", "outsider", "street_officer"):
        with pytest.raises(PermissionDenied):
            services.petition_sign(petition=petition, actor=world.users[persona])
    assert Petition.objects.get(pk=petition.pk).signatures.count() == 0


def test_petition_progress_counts_heads_not_signatures(world):
    # 10 more owned units: 13 heads, 20 % needs 3 (13/5 = 2.6 → 3)
    for i in range(10):
        unit = reg.unit_create(
            building=world.building_a2, number=f"3{i:02d}", registered_area=Decimal("50.00"), actor=None
        )
        owner_user(world, f"owner{i}", unit)
    petition = services.petition_create(estate=world.estate_a, title="提议", actor=world.users["owner0"])
    services.petition_sign(petition=petition, actor=world.users["owner1"])
    p = selectors.petition_progress(petition)
    assert (p.signed_heads, p.total_heads, p.needed, p.reached) == (2, 13, 3, False)
    assert not Notification.objects.exists()
    services.petition_sign(petition=petition, actor=world.users["owner2"])
    assert Petition.objects.get(pk=petition.pk).status == "reached"
    assert Notification.objects.filter(recipient__username="committee_member").count() == 1
    services.petition_sign(petition=petition, actor=world.users["owner3"])
    assert Notification.objects.filter(recipient__username="committee_member").count() == 1  # told once


def test_the_database_itself_refuses_a_second_live_ballot_for_a_unit(vote):
    # One ballot per unit is a constraint, not only a check in the service: a second cast row for the
    # same (motion, unit, round) cannot be written even by code that skips the service.
    from django.db import IntegrityError, transaction

    first = services.ballot_cast(motion=vote.motion, unit=vote.units_a[0], choice="agree", actor=vote.users["resident"])
    twin = Ballot(
        motion=vote.motion,
        seq=2,
        kind="cast",
        unit=vote.units_a[0],
        round=first.round,
        choice="disagree",
        channel="online",
        at=first.at,
        prev_hash=first.hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    assert Ballot.objects.count() == 1


def test_head_position_follows_votes_and_voids_and_is_verified(world):
    # 王业主 holds 101 and 301: one head (§C 12). Agree + disagree = mixed; void the disagree = agree.
    extra = reg.unit_create(building=world.building_a2, number="301", registered_area=Decimal("90.00"), actor=None)
    reg.ownership_add(unit=extra, person=world.owner_person, actor=None)
    _, (motion,) = make_assembly(world)
    resident = world.users["resident"]
    services.ballot_cast(motion=motion, unit=world.units_a[0], choice="agree", actor=resident)
    assert selectors.motion_counts(motion).counts.agreeing_heads == 1
    second = services.ballot_cast(motion=motion, unit=extra, choice="disagree", actor=resident)
    live = selectors.motion_counts(motion)
    assert (live.counts.participating_heads, live.counts.agreeing_heads, live.mixed_heads) == (1, 0, 1)
    services.ballot_void(ballot=second, reason="业主申请更正", actor=world.users["committee_member"])
    live = selectors.motion_counts(motion)
    assert (live.counts.participating_heads, live.counts.agreeing_heads, live.mixed_heads) == (1, 1, 0)
    motion = Motion.objects.get(pk=motion.pk)
    assert chain.verify(motion).ok
    # someone edits the head's position behind the chain's back: verification names the unit
    lead = ElectorateUnit.objects.get(motion=motion, head_lead=True, shared_head=True)
    ElectorateUnit.objects.filter(pk=lead.pk).update(head_state="not")
    result = chain.verify(motion)
    assert not result.ok and result.bad_unit_id == lead.unit_id and "计票人" in result.problem


def test_a_community_wide_vote_is_seen_and_voted_by_the_owners_of_its_estates(world):
    # 劲松北: several estates of one community vote together; the vote is each estate's public matter
    now = timezone.now()
    staff = world.users["community_staff"]
    assembly = services.assembly_create(
        estate=world.community_a,
        title="甲社区联合业主大会",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        actor=staff,
    )
    motion = services.motion_add(assembly=assembly, title="选聘物业", matter="manager", actor=staff)
    services.assembly_post_notice(
        assembly=assembly, actor=staff, noticed_on=timezone.localdate() - dt.timedelta(days=16)
    )
    services.assembly_open(assembly=assembly, actor=staff)
    with pytest.raises(PermissionDenied):  # a committee member of one estate does not run the community's vote
        services.assembly_close(assembly=assembly, actor=world.users["committee_member"])
    for persona in ("resident", "tenant", "committee_member", "street_officer"):
        assert Assembly.objects.visible_to(world.users[persona]).filter(pk=assembly.pk).exists(), persona
        assert Motion.objects.visible_to(world.users[persona]).filter(pk=motion.pk).exists(), persona
    for persona in ("outsider", "community_staff_b", "property_manager_b"):
        assert not Assembly.objects.visible_to(world.users[persona]).filter(pk=assembly.pk).exists(), persona
    services.ballot_cast(motion=motion, unit=world.units_a[0], choice="agree", actor=world.users["resident"])
    assert Motion.objects.get(pk=motion.pk).total_units == 3
