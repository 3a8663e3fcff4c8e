"""The governance API: Party organisations, residents' committees, committees and 物管会, companies,
contracts, departments and alliances, for every persona group (tests/personas.py). The volunteer of
building 1 is, for estate A's bodies, an outsider: 404 on them, lists without them."""

from __future__ import annotations

import pytest

from gongzhi.governance.models import CommitteeMember, OwnersCommittee, PropertyCompany, ServiceContract
from gongzhi.governance.permissions import can_edit_committees, can_edit_contracts
from gongzhi.registry.models import Person, Place
from tests.api.conftest import assert_error, audit_count, call
from tests.authz import expected_status
from tests.personas import ALL, ESTATE_A_HIDDEN, ESTATE_A_READ_ONLY, ESTATE_A_READERS, ESTATE_A_WRITERS

DETAILS = {
    "committee": lambda w, x: (f"/committees/{w.committee_a.pk}", w.committee_a.pk),
    "company": lambda w, x: (f"/companies/{w.company_a.pk}", w.company_a.pk),
    "party_org": lambda w, x: (f"/party-organisations/{x.estate_branch.pk}", x.estate_branch.pk),
}
LISTS = {
    "committees": lambda w, x: ("/committees", w.committee_a.pk),
    "companies": lambda w, x: ("/companies", w.company_a.pk),
    "contracts": lambda w, x: ("/contracts", w.company_a.contracts.get().pk),
    "party_orgs": lambda w, x: ("/party-organisations", x.estate_branch.pk),
}


@pytest.mark.parametrize("persona", ESTATE_A_READERS)
def test_readers_get_estate_a_bodies(world, extras, persona):
    client = world.client_for(persona)
    for what, target in DETAILS.items():
        path, pk = target(world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, (what, response.content)
        assert response.json()["id"] == pk, what
    for what, target in LISTS.items():
        path, pk = target(world, extras)
        body = call(client, "GET", path).json()
        assert pk in [row["id"] for row in body["items"]], what


@pytest.mark.parametrize("persona", ESTATE_A_HIDDEN)
def test_outsiders_get_404_and_lists_leave_estate_a_out(world, extras, persona):
    client = world.client_for(persona)
    for what, target in DETAILS.items():
        path, _ = target(world, extras)
        error = assert_error(call(client, "GET", path), 404, "not_found")
        assert "不存在或无权查看" in error["message"], what
    for what, target in LISTS.items():
        path, pk = target(world, extras)
        response = call(client, "GET", path)
        assert response.status_code == 200, what
        assert pk not in [row["id"] for row in response.json()["items"]], what


def test_anonymous_reads_get_401(world, extras):
    client = world.client_for("anonymous")
    paths = [t(world, extras)[0] for t in {**DETAILS, **LISTS}.values()]
    for path in [*paths, "/residents-committees", "/departments", "/alliances"]:
        assert_error(call(client, "GET", path), 401, "not_authenticated")


# The bodies above estate A are seen by those whose roles cover their place.
@pytest.mark.parametrize(
    ("path", "row", "seen_by"),
    [
        (
            "/residents-committees",
            "residents_committee",
            {"street_officer", "department_officer", "community_staff", "party_worker", "admin"},
        ),
        # a district department serves the whole district: every role inside it sees it (not residents)
        ("/departments", "department", {*ESTATE_A_READERS, "community_staff_b", "property_manager_b", "volunteer"}),
        ("/alliances", "alliance", {"street_officer", "department_officer", "admin"}),
    ],
)
def test_bodies_above_the_estate_follow_the_role_node(world, extras, path, row, seen_by):
    pk = getattr(extras, row).pk
    for persona in ALL:
        response = call(world.client_for(persona), "GET", path)
        assert response.status_code == 200, persona
        assert (pk in [r["id"] for r in response.json()["items"]]) == (persona in seen_by), persona


def test_party_org_detail_lists_members(world, extras):
    body = call(world.client_for("committee_member"), "GET", f"/party-organisations/{extras.estate_branch.pk}").json()
    assert body["kind"] == "branch"
    assert body["parent_id"] == extras.community_party.pk
    assert [(m["name"], m["post"], m["post_label"]) for m in body["members"]] == [("王业主", "secretary", "书记")]


def test_alliance_lists_member_companies(world, extras):
    body = call(world.client_for("street_officer"), "GET", "/alliances").json()
    assert body["items"][0]["members"] == [{"id": world.company_a.pk, "name": "甲物业有限公司"}]


def test_company_detail_shows_only_visible_contracts(world):
    # company A serves estate A only; community staff of B see nothing of it
    body = call(world.client_for("community_staff"), "GET", f"/companies/{world.company_a.pk}").json()
    assert [c["estate_id"] for c in body["contracts"]] == [world.estate_a.pk]


def test_contract_fees_are_integer_fen(world):
    body = call(world.client_for("street_officer"), "GET", f"/contracts?estate={world.estate_a.pk}").json()
    (contract,) = body["items"]
    assert contract["fee_residential_fen"] == 150
    assert (
        '"fee_residential_fen": 150,' in call(world.client_for("street_officer"), "GET", "/contracts").content.decode()
    )


def test_committee_detail_carries_composition_warnings(world):
    # DOMAIN_RULES.md §E 21: a 物管会 needs at least 7 members, an odd number, a chair from the
    # residents' committee. 甲小区物管会 has one member, so it breaks the minimum and the chair rule.
    body = call(world.client_for("committee_member"), "GET", f"/committees/{world.committee_a.pk}").json()
    assert body["member_count"] == 1
    assert [m["name"] for m in body["members"]] == ["王业主"]
    codes = {w["code"] for w in body["warnings"]}
    assert {"too_few", "chair"} <= codes
    too_few = next(w for w in body["warnings"] if w["code"] == "too_few")
    assert too_few["message"] == "委员 1 人，少于 7 人的下限"
    assert too_few["rule"] == "北京市物业管理条例第52–59条"


def test_committee_list_counts_members_without_extra_queries(world, query_baseline):
    client = world.client_for("street_officer")
    with query_baseline("api GET /committees street_officer, the world's committee", app="governance"):
        body = call(client, "GET", "/committees").json()
    assert [(c["id"], c["member_count"]) for c in body["items"]] == [(world.committee_a.pk, 1)]


@pytest.mark.parametrize(
    "path", ["/party-organisations", "/companies", "/contracts", "/alliances", "/residents-committees"]
)
def test_list_queries_are_pinned(world, extras, query_baseline, path):
    client = world.client_for("street_officer")
    with query_baseline(f"api GET {path} street_officer, the world and its governance bodies", app="governance"):
        assert call(client, "GET", path).status_code == 200


# --- Writes ---------------------------------------------------------------------------------------


def _committees(w, x):
    return OwnersCommittee.objects.count()


def _members(w, x):
    return CommitteeMember.objects.count()


def _contracts(w, x):
    return ServiceContract.objects.count()


def _sees(model, *pks):
    """Whether the user finds every one of these rows (else the endpoint answers 404 before it asks)."""
    return lambda w, user: all(model.objects.visible_to(user).filter(pk=pk(w)).exists() for pk in pks)


def _sees_all(*checks):
    return lambda w, user: all(check(w, user) for check in checks)


ESTATE_A = lambda w: w.estate_a.pk  # noqa: E731
# name → (permission, the object it is asked about, what the caller must see first)
GUARDS = {
    "committee_create": (can_edit_committees, lambda w: w.estate_a, _sees(Place, ESTATE_A)),
    "committee_member_add": (
        can_edit_committees,
        lambda w: w.estate_a,
        _sees_all(_sees(OwnersCommittee, lambda w: w.committee_a.pk), _sees(Person, lambda w: w.tenant_person.pk)),
    ),
    "contract_create": (
        can_edit_contracts,
        lambda w: w.estate_a,
        _sees_all(_sees(Place, ESTATE_A), _sees(PropertyCompany, lambda w: w.company_a.pk)),
    ),
}

WRITES = {
    "committee_create": (
        "/committees",
        lambda w, x: {
            "kind": "owners_committee",
            "estate_id": w.estate_a.pk,
            "name": "甲小区第一届业主委员会",
            "term_start": "2026-01-01",
            "term_end": "2030-12-31",
        },
        _committees,
    ),
    "committee_member_add": (
        "/committees/{committee}/members",
        lambda w, x: {"person_id": w.tenant_person.pk, "post": "member", "is_owner_representative": False},
        _members,
    ),
    "contract_create": (
        "/contracts",
        lambda w, x: {
            "company_id": w.company_a.pk,
            "estate_id": w.estate_a.pk,
            "start": "2027-01-01",
            "fee_residential_fen": 180,
            "service_tier": "comfort",
        },
        _contracts,
    ),
}


def _attempts(world, extras, persona):
    client = world.client_for(persona)
    for name, (path, body, state) in WRITES.items():
        before, audits = state(world, extras), audit_count()
        response = call(client, "POST", path.format(committee=world.committee_a.pk), body(world, extras))
        yield name, response, before, state(world, extras), audit_count() - audits


@pytest.mark.parametrize("persona", ESTATE_A_WRITERS)
def test_writers_create_governance_rows(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        assert response.status_code == 201, (name, response.content.decode())
        assert after == before + 1, name
        assert audits >= 1, name


@pytest.mark.parametrize("persona", ESTATE_A_READ_ONLY)
def test_read_only_roles_get_403_with_the_reason_and_nothing_changes(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        permission = GUARDS[name][0]
        error = assert_error(response, 403, permission.code)
        assert error["message"] == permission.message, name
        assert (after, audits) == (before, 0), name


@pytest.mark.parametrize("persona", ALL)
def test_every_write_answers_as_its_permission_says(world, extras, persona):
    """The API matrix derived from the predicates: 404 to who does not see the rows, 403 (with the
    permission's code) to who sees them but may not act, 201 otherwise."""
    user = world.users[persona]
    for name, response, before, after, audits in _attempts(world, extras, persona):
        permission, obj, sees = GUARDS[name]
        status = expected_status(user, sees(world, user), permission, obj(world), ok=201)
        assert response.status_code == status, (name, response.content.decode())
        if status == 403:
            assert_error(response, 403, permission.code)
        if status != 201:
            assert (after, audits) == (before, 0), name


@pytest.mark.parametrize("persona", ESTATE_A_HIDDEN)
def test_outsiders_get_404_on_writes_and_nothing_changes(world, extras, persona):
    for name, response, before, after, audits in _attempts(world, extras, persona):
        assert_error(response, 404, "not_found")
        assert (after, audits) == (before, 0), name


def test_anonymous_writes_get_401_and_nothing_changes(world, extras):
    for name, response, before, after, audits in _attempts(world, extras, "anonymous"):
        assert_error(response, 401, "not_authenticated")
        assert (after, audits) == (before, 0), name


def test_created_committee_answers_with_its_warnings(world):
    # DOMAIN_RULES.md §E 20: an owners' committee with no members is below the minimum of 3 (≤ 100 households)
    body = call(
        world.client_for("community_staff"),
        "POST",
        "/committees",
        {"kind": "owners_committee", "estate_id": world.estate_a.pk, "name": "甲小区业委会"},
    ).json()
    assert body["members"] == []
    assert {"too_few", "even", "term_missing"} <= {w["code"] for w in body["warnings"]}


def test_adding_a_member_updates_the_composition(world):
    client = world.client_for("community_staff")
    response = call(
        client,
        "POST",
        f"/committees/{world.committee_a.pk}/members",
        {"person_id": world.tenant_person.pk, "post": "chair", "from_residents_committee": True},
    )
    assert response.status_code == 201
    assert response.json()["post_label"] == "主任"
    body = call(client, "GET", f"/committees/{world.committee_a.pk}").json()
    assert body["member_count"] == 2
    assert "chair" not in {w["code"] for w in body["warnings"]}


def test_same_member_twice_is_a_conflict(world):
    before = CommitteeMember.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            f"/committees/{world.committee_a.pk}/members",
            {"person_id": world.owner_person.pk},
        ),
        409,
        "committee_member_exists",
    )
    assert set(error["fields"]) == {"person_id"}
    assert CommitteeMember.objects.count() == before


def test_same_term_twice_is_a_conflict_on_the_term(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/committees",
            {"kind": "management_committee", "estate_id": world.estate_a.pk, "name": "重复", "term_number": 1},
        ),
        409,
        "committee_term_exists",
    )
    assert set(error["fields"]) == {"term_number"}


def test_term_end_before_start_names_the_field(world):
    before = OwnersCommittee.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/committees",
            {
                "kind": "owners_committee",
                "estate_id": world.estate_a.pk,
                "name": "甲小区业委会",
                "term_start": "2026-01-01",
                "term_end": "2025-01-01",
            },
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"term_end": "任期届满日期应晚于任期起始日期"}
    assert OwnersCommittee.objects.count() == before


def test_committee_on_a_building_is_refused_naming_the_estate(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/committees",
            {"kind": "owners_committee", "estate_id": world.building_a1.pk, "name": "楼委会"},
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"estate_id": "应为小区，而不是楼栋"}


def test_fee_must_be_whole_fen(world):
    before = ServiceContract.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/contracts",
            {
                "company_id": world.company_a.pk,
                "estate_id": world.estate_a.pk,
                "start": "2027-01-01",
                "fee_residential_fen": 1.5,
            },
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"fee_residential_fen": "住宅物业费(分/㎡·月)：应为整数"}
    assert ServiceContract.objects.count() == before


def test_contract_ending_before_it_starts_names_the_end(world):
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/contracts",
            {
                "company_id": world.company_a.pk,
                "estate_id": world.estate_a.pk,
                "start": "2027-01-01",
                "end": "2026-12-31",
                "fee_residential_fen": 150,
            },
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"end": "终止日期不能早于起始日期"}


def test_contract_with_a_company_out_of_sight_is_404_naming_the_field(world):
    # community staff of A cannot see company B (it serves estate B only)
    before = ServiceContract.objects.count()
    error = assert_error(
        call(
            world.client_for("community_staff"),
            "POST",
            "/contracts",
            {
                "company_id": world.company_b.pk,
                "estate_id": world.estate_a.pk,
                "start": "2027-01-01",
                "fee_residential_fen": 150,
            },
        ),
        404,
        "not_found",
    )
    assert set(error["fields"]) == {"company_id"}
    assert ServiceContract.objects.count() == before


# --- Personal data (issue 12 §6) ------------------------------------------------------------------

WHOLE_NUMBERS = ("13800001234", "110101195001011239", "13900005678")  # 王业主's phone and ID, 李租户's phone


@pytest.mark.parametrize("persona", ["street_officer", "admin", "committee_member"])
def test_governance_answers_carry_no_personal_phone_or_id_number(world, extras, persona):
    # 王业主 is a committee member and the branch secretary: members are listed by id and name only;
    # the company's service phone and the committee's office phone are published numbers, shown whole
    # as on the pages.
    client = world.client_for(persona)
    for target in {**DETAILS, **LISTS}.values():
        path, _ = target(world, extras)
        text = call(client, "GET", path).content.decode()
        assert not [n for n in WHOLE_NUMBERS if n in text], path
