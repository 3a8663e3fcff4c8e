"""Who may do what in owners' votes, checked three ways against the one set of predicates
(gongzhi.voting.permissions):

- persona × service: every voting write service refuses, by itself, whoever its permission refuses —
  with the permission's code and reason, changing nothing — and lets the others act (tests/authz.py);
- the pages and the API answer what the predicates say (tests/authz.expected_status): 404 to who may
  not see the row, 403 (with the permission's code in the API) to who may see it but not act;
- every page form that writes is fuzzed with hostile values (tests/hostile.py): no 5xx, the field
  named in Chinese, nothing changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts import services as account_services
from gongzhi.core.permissions import Permission
from gongzhi.core.scoping import forget_scope, is_staff, scope_of
from gongzhi.voting import permissions as perms
from gongzhi.voting import services
from gongzhi.voting.models import (
    Assembly,
    Ballot,
    ElectorateUnit,
    Motion,
    MotionDocument,
    PaperBallot,
    Petition,
    PetitionSignature,
    VotingSettings,
)
from tests.api.conftest import call
from tests.authz import ServiceCase, check_service_case, expected_status
from tests.hostile import fuzz_form
from tests.personas import ALL
from tests.world import PASSWORD

TABLES = (
    VotingSettings,
    Assembly,
    Motion,
    MotionDocument,
    ElectorateUnit,
    Ballot,
    PaperBallot,
    Petition,
    PetitionSignature,
)


# --- Votes in each state, made by the system (actor None) ------------------------------------------------


def _draft(w, *, opens_in: dt.timedelta = dt.timedelta(hours=-1), motion: bool = True) -> Assembly:
    now = timezone.now()
    w.assembly = services.assembly_create(
        estate=w.estate_a,
        title="甲小区业主大会",
        opens_at=now + opens_in,
        closes_at=now + opens_in + dt.timedelta(days=7),
        actor=None,
    )
    if motion:
        w.motion = services.motion_add(assembly=w.assembly, title="选聘物业服务企业", matter="manager", actor=None)
    return w.assembly


def _noticed(w) -> Assembly:
    _draft(w)
    services.assembly_post_notice(
        assembly=w.assembly, actor=None, noticed_on=timezone.localdate() - dt.timedelta(days=20)
    )
    return w.assembly


def _open(w) -> Assembly:
    _noticed(w)
    services.assembly_open(assembly=w.assembly, actor=None)
    w.assembly.refresh_from_db()
    w.motion = Motion.objects.select_related("assembly__estate").get(pk=w.motion.pk)
    return w.assembly


def _closed(w) -> Assembly:
    _open(w)
    services.assembly_close(assembly=w.assembly, actor=None, now=w.assembly.closes_at + dt.timedelta(minutes=1))
    w.assembly.refresh_from_db()
    return w.assembly


def _keyer(w):
    """A second community staff member of estate A, who is none of the personas: the paper ballots
    the personas confirm were keyed by them (the four-eyes rule)."""
    user = account_services.user_create(username="keyer", password=PASSWORD, actor=None, display_name="录入人")
    account_services.role_assign(user=user, role="community_staff", actor=None, place=w.community_a)
    w.keyer = user
    return user


def _paper(w) -> PaperBallot:
    _open(w)
    w.paper = services.paper_ballot_enter(motion=w.motion, unit=w.units_a[2], choice="agree", actor=_keyer(w))
    return w.paper


def _ballot(w) -> Ballot:
    _open(w)
    w.ballot = services.ballot_cast(motion=w.motion, unit=w.units_a[0], choice="agree", actor=w.users["resident"])
    return w.ballot


def _petition(w) -> Petition:
    w.petition = services.petition_create(estate=w.estate_a, title="提议召开临时会议", actor=None)
    return w.petition


def _after_close(w) -> dt.datetime:
    return w.assembly.closes_at + dt.timedelta(minutes=1)


# --- Persona × service --------------------------------------------------------------------------------


CASES = [
    ServiceCase(
        "voting_settings_set",
        perms.can_configure,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.voting_settings_set(estate=w.estate_a, count_parking=True, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "assembly_create",
        perms.can_call_assembly,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.assembly_create(
            estate=w.estate_a,
            title="甲小区临时会议",
            opens_at=timezone.now() + dt.timedelta(days=16),
            closes_at=timezone.now() + dt.timedelta(days=23),
            actor=u,
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "motion_add",
        perms.can_set_agenda,
        objects=lambda w: (w.assembly,),
        call=lambda w, u: services.motion_add(assembly=w.assembly, title="续筹维修资金", matter="fund_raise", actor=u),
        tables=TABLES,
        setup=_draft,
    ),
    ServiceCase(
        "assembly_post_notice",
        perms.can_post_notice,
        objects=lambda w: (w.assembly,),
        call=lambda w, u: services.assembly_post_notice(assembly=w.assembly, actor=u),
        tables=TABLES,
        setup=lambda w: _draft(w, opens_in=dt.timedelta(days=20)),
    ),
    ServiceCase(
        "assembly_open",
        perms.can_open_vote,
        objects=lambda w: (w.assembly,),
        call=lambda w, u: services.assembly_open(assembly=w.assembly, actor=u),
        tables=TABLES,
        setup=_noticed,
    ),
    ServiceCase(
        "assembly_close",
        perms.can_close_vote,
        objects=lambda w: (w.assembly,),
        call=lambda w, u: services.assembly_close(assembly=w.assembly, actor=u, now=_after_close(w)),
        tables=TABLES,
        setup=_open,
    ),
    ServiceCase(
        "assembly_publish",
        perms.can_publish,
        objects=lambda w: (w.assembly,),
        call=lambda w, u: services.assembly_publish(
            assembly=w.assembly, actor=u, published_on=timezone.localdate(w.assembly.closed_at)
        ),
        tables=TABLES,
        setup=_closed,
    ),
    ServiceCase(
        "ballot_cast",
        perms.can_cast,
        objects=lambda w: (w.units_a[0],),
        call=lambda w, u: services.ballot_cast(motion=w.motion, unit=w.units_a[0], choice="agree", actor=u),
        tables=TABLES,
        setup=_open,
    ),
    ServiceCase(
        "ballot_void",
        perms.can_void_ballot,
        objects=lambda w: (w.motion,),
        call=lambda w, u: services.ballot_void(ballot=w.ballot, reason="业主书面申请：误投", actor=u),
        tables=TABLES,
        setup=_ballot,
    ),
    ServiceCase(
        "paper_ballot_enter",
        perms.can_key_paper_ballot,
        objects=lambda w: (w.motion,),
        call=lambda w, u: services.paper_ballot_enter(
            motion=w.motion, unit=w.units_a[2], choice="agree", sheet_no="P-1", actor=u
        ),
        tables=TABLES,
        setup=_open,
    ),
    ServiceCase(
        "paper_ballot_confirm",
        perms.can_confirm_paper_ballot,
        objects=lambda w: (w.motion,),
        call=lambda w, u: services.paper_ballot_confirm(paper=w.paper, choice="agree", actor=u),
        tables=TABLES,
        setup=_paper,
    ),
    ServiceCase(
        "paper_ballot_reject",
        perms.can_confirm_paper_ballot,
        objects=lambda w: (w.motion,),
        call=lambda w, u: services.paper_ballot_reject(paper=w.paper, reason="票面无签字", actor=u),
        tables=TABLES,
        setup=_paper,
    ),
    ServiceCase(
        "paper_ballots_import",
        perms.can_key_paper_ballot,
        objects=lambda w: (w.motion,),
        call=lambda w, u: services.paper_ballots_import(
            motion=w.motion, rows=[("2号楼201", "同意", "B-1")], actor=u, confirmer=w.keyer
        ),
        tables=TABLES,
        setup=lambda w: (_open(w), _keyer(w)),
    ),
    ServiceCase(
        "petition_create",
        perms.can_petition,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.petition_create(estate=w.estate_a, title="提议更换物业", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "petition_sign",
        perms.can_sign,
        objects=lambda w: (w.petition,),
        call=lambda w, u: services.petition_sign(petition=w.petition, actor=u),
        tables=TABLES,
        setup=_petition,
    ),
]

RUNNERS_A = ["admin", "committee_member", "community_staff"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(world, case):
    outcome = check_service_case(world, case, ALL)
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def test_every_write_service_is_in_the_table():
    public = {
        name
        for name, value in vars(services).items()
        if callable(value)
        and getattr(value, "__module__", "").startswith("gongzhi.voting.services")
        and not name.startswith("_")
    }
    reads = {"notice_days", "current_owner_keys", "electorate_units", "result_of"}
    assert public - reads == {c.name for c in CASES}


def test_who_runs_estate_a_votes(world):
    """The decision spelled out: estate A's committee member and the community's staff (and the
    administrator); not the street officer, not estate B's staff, not the property company, not owners."""
    by_name = {c.name: c for c in CASES}
    for name in ("assembly_create", "assembly_close", "paper_ballot_enter", "ballot_void"):
        outcome = check_service_case(world, by_name[name], ALL)
        assert sorted(p for p, o in outcome.items() if o == "allowed") == RUNNERS_A, name


def test_only_the_owner_votes_and_signs_not_even_an_administrator(world):
    by_name = {c.name: c for c in CASES}
    for name in ("ballot_cast", "petition_sign"):
        outcome = check_service_case(world, by_name[name], ALL)
        assert [p for p, o in outcome.items() if o == "allowed"] == ["resident"], name
    outcome = check_service_case(world, by_name["petition_create"], ALL)
    assert sorted(p for p, o in outcome.items() if o == "allowed") == sorted([*RUNNERS_A, "resident"])


def test_the_keyer_may_not_confirm_their_own_paper_ballot_administrators_included(world):
    _open(world)
    admin = world.users["admin"]
    paper = services.paper_ballot_enter(motion=world.motion, unit=world.units_a[2], choice="agree", actor=admin)
    with pytest.raises(Exception) as refused:
        services.paper_ballot_confirm(paper=paper, choice="agree", actor=admin)
    assert getattr(refused.value, "code", None) == "voting.same_person"
    assert not Ballot.objects.exists() and PaperBallot.objects.get(pk=paper.pk).status == "pending"


# --- Pages and the API ask the same predicates ------------------------------------------------------------


@dataclass
class Route:
    """One write a page or an endpoint offers, and the predicate that decides who may use it."""

    name: str
    setup: Callable[[Any], Any]
    url: Callable[[Any], str]
    data: Callable[[Any], dict]
    permission: Permission
    objects: Callable[[Any], tuple]
    visible: Callable[[Any, Any], bool]  # (world, user) → may the user see the row
    ok: int
    api: bool = False
    staff_page: bool = False  # a 404 for residents and users without a role (issue 12 §7)


def _sees(model, pk_of: Callable[[Any], int]) -> Callable[[Any, Any], bool]:
    return lambda w, u: model.objects.visible_to(u).filter(pk=pk_of(w)).exists()


def _sees_motion_and_unit(w, u) -> bool:
    from gongzhi.registry.models import Unit

    return _sees(Motion, lambda w: w.motion.pk)(w, u) and Unit.objects.visible_to(u).filter(pk=w.units_a[0].pk).exists()


A = lambda w: w.assembly.pk  # noqa: E731
M = lambda w: w.motion.pk  # noqa: E731

ROUTES = [
    # pages (a POST that works redirects: 302)
    Route(
        "page motion_add",
        _draft,
        lambda w: reverse("voting:motion_add", args=[A(w)]),
        lambda w: {"title": "续筹维修资金", "matter": "fund_raise"},
        perms.can_set_agenda,
        lambda w: (w.assembly,),
        _sees(Assembly, A),
        302,
    ),
    Route(
        "page notice",
        lambda w: _draft(w, opens_in=dt.timedelta(days=20)),
        lambda w: reverse("voting:assembly_action", args=[A(w), "notice"]),
        lambda w: {},
        perms.can_post_notice,
        lambda w: (w.assembly,),
        _sees(Assembly, A),
        302,
    ),
    Route(
        "page open",
        _noticed,
        lambda w: reverse("voting:assembly_action", args=[A(w), "open"]),
        lambda w: {},
        perms.can_open_vote,
        lambda w: (w.assembly,),
        _sees(Assembly, A),
        302,
    ),
    Route(
        "page cast",
        _open,
        lambda w: reverse("voting:cast", args=[M(w)]),
        lambda w: {"unit_id": w.units_a[0].pk, "choice": "agree"},
        perms.can_cast,
        lambda w: (w.units_a[0],),
        _sees_motion_and_unit,
        302,
    ),
    Route(
        "page paper",
        _open,
        lambda w: reverse("voting:paper", args=[M(w)]),
        lambda w: {"unit": "2号楼201", "choice": "agree"},
        perms.can_key_paper_ballot,
        lambda w: (w.motion,),
        _sees(Motion, M),
        302,
        staff_page=True,
    ),
    Route(
        "page paper_confirm",
        _paper,
        lambda w: reverse("voting:paper_confirm", args=[w.paper.pk]),
        lambda w: {"choice": "agree"},
        perms.can_confirm_paper_ballot,
        lambda w: (w.motion,),
        _sees(PaperBallot, lambda w: w.paper.pk),
        302,
    ),
    Route(
        "page paper_reject",
        _paper,
        lambda w: reverse("voting:paper_reject", args=[w.paper.pk]),
        lambda w: {"reason": "票面无签字"},
        perms.can_confirm_paper_ballot,
        lambda w: (w.motion,),
        _sees(PaperBallot, lambda w: w.paper.pk),
        302,
    ),
    Route(
        "page void",
        _ballot,
        lambda w: reverse("voting:void", args=[w.ballot.pk]),
        lambda w: {"reason": "业主书面申请"},
        perms.can_void_ballot,
        lambda w: (w.motion,),
        _sees(Ballot, lambda w: w.ballot.pk),
        302,
    ),
    Route(
        "page petition_sign",
        _petition,
        lambda w: reverse("voting:petition_sign", args=[w.petition.pk]),
        lambda w: {},
        perms.can_sign,
        lambda w: (w.petition,),
        _sees(Petition, lambda w: w.petition.pk),
        302,
    ),
    # the API (a write that works answers 200 or 201; a refusal carries the permission's code)
    Route(
        "api motion_create",
        _draft,
        lambda w: f"/voting/assemblies/{A(w)}/motions",
        lambda w: {"title": "续筹维修资金", "matter": "fund_raise"},
        perms.can_set_agenda,
        lambda w: (w.assembly,),
        _sees(Assembly, A),
        201,
        api=True,
    ),
    Route(
        "api open",
        _noticed,
        lambda w: f"/voting/assemblies/{A(w)}/open",
        lambda w: None,
        perms.can_open_vote,
        lambda w: (w.assembly,),
        _sees(Assembly, A),
        200,
        api=True,
    ),
    Route(
        "api cast",
        _open,
        lambda w: f"/voting/motions/{M(w)}/ballots",
        lambda w: {"unit_id": w.units_a[0].pk, "choice": "agree"},
        perms.can_cast,
        lambda w: (w.units_a[0],),
        _sees_motion_and_unit,
        201,
        api=True,
    ),
    Route(
        "api paper",
        _open,
        lambda w: f"/voting/motions/{M(w)}/paper-ballots",
        lambda w: {"unit_id": w.units_a[2].pk, "choice": "agree"},
        perms.can_key_paper_ballot,
        lambda w: (w.motion,),
        _sees(Motion, M),
        201,
        api=True,
    ),
    Route(
        "api paper_confirm",
        _paper,
        lambda w: f"/voting/paper-ballots/{w.paper.pk}/confirm",
        lambda w: {"choice": "agree"},
        perms.can_confirm_paper_ballot,
        lambda w: (w.motion,),
        _sees(PaperBallot, lambda w: w.paper.pk),
        201,
        api=True,
    ),
    Route(
        "api void",
        _ballot,
        lambda w: f"/voting/ballots/{w.ballot.pk}/void",
        lambda w: {"reason": "业主书面申请"},
        perms.can_void_ballot,
        lambda w: (w.motion,),
        _sees(Ballot, lambda w: w.ballot.pk),
        201,
        api=True,
    ),
    Route(
        "api petition_sign",
        _petition,
        lambda w: f"/voting/petitions/{w.petition.pk}/signatures",
        lambda w: None,
        perms.can_sign,
        lambda w: (w.petition,),
        _sees(Petition, lambda w: w.petition.pk),
        201,
        api=True,
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_pages_and_api_answer_as_the_predicates_say(world, route):
    route.setup(world)
    url, data, objects = route.url(world), route.data(world), route.objects(world)
    for persona in ALL:
        user = world.users[persona]
        forget_scope(user)
        expected = expected_status(
            user, route.visible(world, user), route.permission, *objects, ok=route.ok, staff_page=route.staff_page
        )
        client = world.client_for(persona)
        sid = transaction.savepoint()
        try:
            if route.api:
                response = call(client, "POST", url, data)
            else:
                response = client.post(url, data)
            assert response.status_code == expected, (route.name, persona, response.status_code, expected)
            if route.api and expected == 403:
                assert response.json()["error"]["code"] == route.permission.code, (route.name, persona)
            if not route.api and expected == 403:
                assert route.permission.message in response.content.decode(), (route.name, persona)
        finally:
            transaction.savepoint_rollback(sid)
            forget_scope(user)


def test_form_pages_open_for_whom_the_predicates_allow(world):
    _open(world)
    for persona in ALL:
        user = world.users[persona]
        scope = scope_of(user)
        client = world.client_for(persona)
        runs_some = any(perms.can_call_assembly(scope, e) for e in (world.estate_a, world.estate_b))
        petitions_some = any(perms.can_petition(scope, e) for e in (world.estate_a, world.estate_b))
        staff = is_staff(user)  # a staff page is a 404 for residents and users without a role
        assert client.get(reverse("voting:assembly_new")).status_code == (
            200 if runs_some else 403 if staff else 404
        ), persona
        assert client.get(reverse("voting:petition_new")).status_code == (200 if petitions_some else 403), persona
        sees = Motion.objects.visible_to(user).filter(pk=world.motion.pk).exists()
        paper = expected_status(user, sees, perms.can_key_paper_ballot, world.motion, staff_page=True)
        assert client.get(reverse("voting:paper", args=[world.motion.pk])).status_code == paper, persona


def test_pages_show_the_actions_the_predicates_allow(world):
    _draft(world, opens_in=dt.timedelta(days=20))
    for persona in ALL:
        user = world.users[persona]
        if not Assembly.objects.visible_to(user).filter(pk=world.assembly.pk).exists():
            continue
        page = world.client_for(persona).get(reverse("voting:assembly", args=[world.assembly.pk])).content.decode()
        shows = reverse("voting:motion_add", args=[world.assembly.pk]) in page
        assert shows == perms.can_set_agenda(scope_of(user), world.assembly), persona
        shows = reverse("voting:assembly_action", args=[world.assembly.pk, "notice"]) in page
        assert shows == perms.can_post_notice(scope_of(user), world.assembly), persona
    petition = _petition(world)
    for persona in ALL:
        user = world.users[persona]
        if not Petition.objects.visible_to(user).filter(pk=petition.pk).exists():
            continue
        page = world.client_for(persona).get(reverse("voting:petition", args=[petition.pk])).content.decode()
        shows = reverse("voting:petition_sign", args=[petition.pk]) in page
        assert shows == perms.can_sign(scope_of(user), petition), persona


# --- Hostile values in every form that writes --------------------------------------------------------------


class Rollback:
    """After each fuzzed post, undo what an accepted value did, so the next post meets the same state,
    and drop the messages a redirect left unread (else the next post would seem refused by them)."""

    def __init__(self, client) -> None:
        self.client = client
        self.sid = transaction.savepoint()

    def __call__(self) -> None:
        transaction.savepoint_rollback(self.sid)
        self.client.cookies.pop("messages", None)
        self.sid = transaction.savepoint()


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_hostile_values_in_the_assembly_forms(world):
    client = world.client_for("committee_member")
    opens = timezone.now() + dt.timedelta(days=16)
    n = fuzz_form(
        client,
        reverse("voting:assembly_new"),
        {
            "estate_id": world.estate_a.pk,
            "title": "甲小区临时会议",
            "kind": "regular",
            "opens_at": _local(opens),
            "closes_at": _local(opens + dt.timedelta(days=7)),
            "notice_text": "定于……",
        },
        titles={
            "estate_id": "小区编号",
            "title": "会议名称",
            "kind": "会议类型",
            "opens_at": "表决开始",
            "closes_at": "表决截止",
            "notice_text": "会议公告",
            "petition_id": "临时会议提议编号",
        },
        tables=TABLES,
        after=Rollback(client),
    )
    _draft(world, opens_in=dt.timedelta(days=20), motion=False)
    n += fuzz_form(
        client,
        reverse("voting:motion_add", args=[world.assembly.pk]),
        {
            "title": "续筹维修资金",
            "matter": "fund_raise",
            "description": "说明",
            "building_ids": world.building_a2.pk,
            "doc_title": "方案",
            "doc_body": "每平方米……",
        },
        titles={
            "title": "表决事项",
            "matter": "事项类别",
            "rule_set": "计票规则",
            "description": "说明",
            "building_ids": "表决范围",
            "doc_title": "标题",
            "doc_body": "内容",
        },
        tables=TABLES,
        after=Rollback(client),
    )
    services.motion_add(assembly=world.assembly, title="选聘物业", matter="manager", actor=None)
    n += fuzz_form(
        client,
        reverse("voting:assembly_action", args=[world.assembly.pk, "notice"]),
        {},
        titles={"noticed_on": "公告日期"},
        tables=TABLES,
        after=Rollback(client),
    )
    _closed(world)
    n += fuzz_form(
        client,
        reverse("voting:assembly_action", args=[world.assembly.pk, "publish"]),
        {"published_on": str(timezone.localdate(world.assembly.closed_at))},
        titles={"published_on": "公布日期"},
        tables=TABLES,
        after=Rollback(client),
    )
    assert n > 200


def test_hostile_values_in_the_ballot_forms(world):
    _open(world)
    owner = world.client_for("resident")
    n = fuzz_form(
        owner,
        reverse("voting:cast", args=[world.motion.pk]),
        {"unit_id": world.units_a[0].pk, "choice": "agree"},
        titles={"unit_id": "房屋编号", "choice": "表决意见"},
        tables=TABLES,
        after=Rollback(owner),
    )
    staff = world.client_for("committee_member")
    n += fuzz_form(
        staff,
        reverse("voting:paper", args=[world.motion.pk]),
        {"unit": "2号楼201", "choice": "agree", "sheet_no": "P-1", "proxy_name": "张代理", "proxy_note": "委托书第1号"},
        titles={
            "unit": "房号",
            "choice": "表决意见",
            "sheet_no": "纸质票编号",
            "proxy_name": "受托人",
            "proxy_note": "委托书",
        },
        tables=TABLES,
        after=Rollback(staff),
    )
    paper = services.paper_ballot_enter(motion=world.motion, unit=world.units_a[2], choice="agree", actor=_keyer(world))
    n += fuzz_form(
        staff,
        reverse("voting:paper_confirm", args=[paper.pk]),
        {"choice": "agree"},
        titles={"choice": "表决意见"},
        tables=TABLES,
        after=Rollback(staff),
    )
    n += fuzz_form(
        staff,
        reverse("voting:paper_reject", args=[paper.pk]),
        {"reason": "票面无签字"},
        titles={"reason": "退回原因"},
        tables=TABLES,
        after=Rollback(staff),
    )
    ballot = services.ballot_cast(
        motion=world.motion, unit=world.units_a[0], choice="agree", actor=world.users["resident"]
    )
    n += fuzz_form(
        staff,
        reverse("voting:void", args=[ballot.pk]),
        {"reason": "业主书面申请"},
        titles={"reason": "作废原因"},
        tables=TABLES,
        after=Rollback(staff),
    )
    assert n > 150


def test_hostile_values_in_the_petition_form(world):
    owner = world.client_for("resident")
    n = fuzz_form(
        owner,
        reverse("voting:petition_new"),
        {"estate_id": world.estate_a.pk, "title": "更换物业", "reason": "服务差"},
        titles={"estate_id": "小区编号", "title": "提议事项", "reason": "理由"},
        tables=TABLES,
        after=Rollback(owner),
    )
    assert n > 50


def test_long_text_is_refused_whole_never_cut(world):
    _open(world)
    staff = world.client_for("committee_member")
    staff.post(
        reverse("voting:paper", args=[world.motion.pk]), {"unit": "2号楼201", "choice": "agree", "sheet_no": "长" * 41}
    )
    assert not PaperBallot.objects.exists()
    staff.post(
        reverse("voting:paper", args=[world.motion.pk]), {"unit": "2号楼201", "choice": "agree", "sheet_no": "长" * 40}
    )
    assert PaperBallot.objects.get().sheet_no == "长" * 40
    with pytest.raises(Exception, match="最多 200 个字符"):
        services.petition_create(estate=world.estate_a, title="长" * 201, actor=world.users["resident"])
