"""Notices: drafting, posting with the rules of DOMAIN_RULES.md §E 19–21 and §F 24 checked in the service
on the system's own posting date (§L 40), withdrawing, and read receipts per household."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.errors import Conflict, Invalid
from gongzhi.core.models import AuditLog
from gongzhi.core.scoping import forget_scope
from gongzhi.notices import selectors, services
from gongzhi.notices.models import Notice, Receipt
from tests.notices.conftest import draft, local

D = dt.date


class TestDraft:
    def test_end_before_start_is_refused_naming_the_field_and_nothing_is_written(self, world):
        before = Notice.objects.count()
        with pytest.raises(Invalid) as exc:
            draft(world, starts_on=D(2026, 3, 10), ends_on=D(2026, 3, 9))
        assert exc.value.fields == {"ends_on": "结束日期：不能早于开始日期"}
        assert Notice.objects.count() == before

    def test_a_building_of_another_estate_is_outside_the_audience(self, world):
        with pytest.raises(Invalid) as exc:
            draft(world, audience="buildings", buildings=[world.building_b1])
        assert "building_ids" in exc.value.fields and "不在本小区" in exc.value.message

    def test_buildings_audience_needs_a_building(self, world):
        with pytest.raises(Invalid) as exc:
            draft(world, audience="buildings")
        assert "building_ids" in exc.value.fields

    def test_a_decision_must_be_a_resolution_notice_with_its_date(self, world):
        with pytest.raises(Invalid) as exc:
            draft(world, purpose="committee_decision", kind="notice")
        assert "kind" in exc.value.fields
        with pytest.raises(Invalid) as exc:
            draft(world, purpose="committee_decision", kind="resolution")
        assert "event_on" in exc.value.fields

    def test_draft_is_audited(self, world):
        notice = draft(world)
        assert AuditLog.objects.filter(event="notices.notice.created", object_id=str(notice.pk)).exists()


class TestPost:
    def test_posted_at_is_the_system_clock_and_a_backdated_start_moves_to_today(self, world):
        notice = draft(world, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
        now = local(2026, 3, 1)
        services.notice_post(notice=notice, actor=None, now=now)
        notice.refresh_from_db()
        assert notice.status == "posted" and notice.posted_at == now
        assert notice.starts_on == D(2026, 3, 1)
        assert AuditLog.objects.filter(event="notices.notice.posted").exists()

    def test_posting_twice_is_a_conflict(self, world):
        notice = draft(world, ends_on=D(2099, 1, 1))
        services.notice_post(notice=notice, actor=None)
        with pytest.raises(Conflict):
            services.notice_post(notice=notice, actor=None)

    def test_assembly_15_days_exactly_from_the_posting_day(self, world):
        """§E 19: the assembly opens ≥ 15 days after the notice is posted — by the platform's date."""
        ok = draft(
            world, purpose="assembly_notice", event_on=D(2026, 3, 16), starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 16)
        )
        services.notice_post(notice=ok, actor=None, now=local(2026, 3, 1))
        late = draft(
            world, purpose="assembly_notice", event_on=D(2026, 3, 16), starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 16)
        )
        with pytest.raises(Invalid) as exc:
            services.notice_post(notice=late, actor=None, now=local(2026, 3, 2))
        assert exc.value.code == "notices.too_late_for_assembly" and "event_on" in exc.value.fields
        late.refresh_from_db()
        assert late.status == "draft" and late.posted_at is None

    def test_committee_decision_on_the_3rd_day_not_the_4th(self, world):
        """§E 20: an owners' committee's decision is posted within 3 days."""
        kw = {
            "purpose": "committee_decision",
            "kind": "resolution",
            "event_on": D(2026, 5, 29),
            "starts_on": D(2026, 5, 29),
            "ends_on": D(2026, 7, 1),
        }
        services.notice_post(notice=draft(world, **kw), actor=None, now=local(2026, 6, 1))
        with pytest.raises(Invalid) as exc:
            services.notice_post(notice=draft(world, **kw), actor=None, now=local(2026, 6, 2))
        assert exc.value.code == "notices.decision_posted_late"

    def test_mc_decision_for_the_10th_working_day(self, world):
        """§E 21: a 物管会 decision is posted for 10 working days (Mon 2026-03-02 → Fri 03-13)."""
        kw = {"purpose": "mc_decision", "kind": "resolution", "event_on": D(2026, 3, 2), "starts_on": D(2026, 3, 2)}
        services.notice_post(notice=draft(world, ends_on=D(2026, 3, 13), **kw), actor=None, now=local(2026, 3, 2))
        with pytest.raises(Invalid) as exc:
            services.notice_post(notice=draft(world, ends_on=D(2026, 3, 12), **kw), actor=None, now=local(2026, 3, 2))
        assert exc.value.fields.keys() == {"ends_on"}

    def test_audit_report_30_days(self, world):
        """§F 24: audit reports are posted for 30 days."""
        kw = {"purpose": "audit_report", "kind": "finance", "starts_on": D(2026, 4, 1)}
        services.notice_post(notice=draft(world, ends_on=D(2026, 4, 30), **kw), actor=None, now=local(2026, 4, 1))
        with pytest.raises(Invalid):
            services.notice_post(notice=draft(world, ends_on=D(2026, 4, 29), **kw), actor=None, now=local(2026, 4, 1))

    def test_withdraw_needs_a_reason_and_a_posted_notice(self, world):
        notice = draft(world, ends_on=D(2099, 1, 1))
        with pytest.raises(Conflict):
            services.notice_withdraw(notice=notice, reason="错发", actor=None)
        services.notice_post(notice=notice, actor=None)
        with pytest.raises(Invalid) as exc:
            services.notice_withdraw(notice=notice, reason="  ", actor=None)
        assert "reason" in exc.value.fields
        services.notice_withdraw(notice=notice, reason="内容有误", actor=None)
        notice.refresh_from_db()
        assert notice.status == "withdrawn"


class TestReceipts:
    def test_opening_records_one_receipt_per_household_and_the_count_moves(self, nw):
        resident = nw.users["resident"]
        assert selectors.read_counts(nw.notice).read == 0
        assert services.notice_open(notice=nw.notice, actor=resident) == 1
        assert services.notice_open(notice=nw.notice, actor=resident) == 0  # once
        counts = selectors.read_counts(nw.notice)
        assert (counts.households, counts.read) == (3, 1)
        by = {b.name: (b.households, b.read) for b in counts.buildings}
        assert by == {"1号楼": (2, 1), "2号楼": (1, 0)}

    def test_unread_households_by_building_for_the_volunteer_of_building_1(self, nw):
        services.notice_open(notice=nw.notice, actor=nw.users["resident"])
        for_volunteer = selectors.unread_by_building(nw.users["volunteer"], nw.notice)
        assert [(b.name, b.unread_units) for b in for_volunteer] == [("1号楼", ["1单元102"])]
        for_staff = selectors.unread_by_building(nw.users["community_staff"], nw.notice)
        assert [(b.name, b.unread_units) for b in for_staff] == [("1号楼", ["1单元102"]), ("2号楼", ["201"])]

    def test_owners_only_notice_is_not_shown_to_the_tenant(self, world):
        notice = draft(world, audience="owners", ends_on=D(2099, 1, 1))
        services.notice_post(notice=notice, actor=None)
        for name in ("resident", "tenant"):
            forget_scope(world.users[name])
        assert notice in Notice.objects.visible_to(world.users["resident"])
        assert notice not in Notice.objects.visible_to(world.users["tenant"])
        assert services.notice_open(notice=notice, actor=world.users["tenant"]) == 0

    def test_building_audience_reaches_only_its_buildings(self, world):
        notice = draft(world, audience="buildings", buildings=[world.building_a2], ends_on=D(2099, 1, 1))
        services.notice_post(notice=notice, actor=None)
        assert notice not in Notice.objects.visible_to(world.users["resident"])  # lives in 1号楼
        assert selectors.read_counts(notice).households == 1

    def test_drafts_and_other_estates_are_hidden_from_residents(self, world):
        notice = draft(world, ends_on=D(2099, 1, 1))
        assert notice not in Notice.objects.visible_to(world.users["resident"])
        services.notice_post(notice=notice, actor=None)
        assert notice in Notice.objects.visible_to(world.users["resident"])
        assert notice not in Notice.objects.visible_to(world.users["outsider"])
        assert not Receipt.objects.exists()


class TestToldInPerson:
    def test_the_volunteer_marks_households_of_their_building_only(self, nw):
        volunteer = nw.users["volunteer"]
        assert services.notice_mark_told(notice=nw.notice, units=[nw.units_a[1]], actor=volunteer) == 1
        assert services.notice_mark_told(notice=nw.notice, units=[nw.units_a[1]], actor=volunteer) == 0
        receipt = Receipt.objects.get(notice=nw.notice)
        assert receipt.in_person and receipt.read_by == volunteer
        with pytest.raises(Invalid) as exc:
            services.notice_mark_told(notice=nw.notice, units=[nw.units_a[2]], actor=volunteer)  # 2号楼
        assert "unit_ids" in exc.value.fields
        assert AuditLog.objects.filter(event="notices.receipt.told_in_person").count() == 1

    def test_counts_by_building_group(self, nw):
        from gongzhi.registry import services as reg

        reg.grid_create(kind="building_group", name="1号楼楼组", place=nw.estate_a, places=[nw.building_a1], actor=None)
        reg.grid_create(kind="building_group", name="2号楼楼组", place=nw.estate_a, places=[nw.building_a2], actor=None)
        services.notice_open(notice=nw.notice, actor=nw.users["resident"])
        groups = {g.name: (g.households, g.read, g.percent) for g in selectors.read_counts_by_group(nw.notice)}
        assert groups == {"1号楼楼组": (2, 1, "50.00"), "2号楼楼组": (1, 0, "0.00")}


class TestDisclosureReminders:
    """§F 24 (SH art. 66): Shanghai estates publish public revenue quarterly and the fund half-yearly."""

    def test_only_estates_of_the_disclosure_cities_are_reminded(self, world):
        assert selectors.disclosure_estates([world.estate_a]) == []  # 北京市

    def test_due_until_published_then_again_after_a_quarter(self, world, settings):
        settings.NOTICES_DISCLOSURE_CITIES = ("北京市",)
        assert selectors.disclosure_estates([world.estate_a]) == [world.estate_a]
        due = {d.purpose: d.due for d in selectors.disclosures(world.estate_a, D(2026, 3, 1))}
        assert due == {"public_revenue": True, "fund_report": True}
        notice = draft(world, kind="finance", purpose="public_revenue", starts_on=D(2026, 3, 1), ends_on=D(2026, 3, 31))
        services.notice_post(notice=notice, actor=None, now=local(2026, 3, 1))
        by = {d.purpose: d for d in selectors.disclosures(world.estate_a, D(2026, 5, 31))}
        assert not by["public_revenue"].due and by["public_revenue"].due_on == D(2026, 6, 1)
        assert {d.purpose: d.due for d in selectors.disclosures(world.estate_a, D(2026, 6, 1))}["public_revenue"]
        page = world.client_for("community_staff").get("/notices/").content.decode()
        assert "专项维修资金" in page and "到期提醒" in page


def test_drafts_are_seen_by_publishers_only(world):
    notice = draft(world, ends_on=D(2099, 1, 1))
    seers = sorted(p for p, u in world.users.items() if Notice.objects.visible_to(u).filter(pk=notice.pk).exists())
    assert seers == ["admin", "committee_member", "community_staff", "property_manager", "street_officer"]
