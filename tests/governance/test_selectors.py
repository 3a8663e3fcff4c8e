"""Batched committee facts agree with the one-committee read (DOMAIN_RULES.md §E 20–21)."""

import datetime as dt

from gongzhi.governance import services as gov
from gongzhi.governance.models import OwnersCommittee
from gongzhi.governance.selectors import annotated_committee_facts, committee_facts, committees_with_facts
from gongzhi.registry import services as reg


def test_batched_facts_equal_per_committee_facts(world):
    # Given an owners' committee filed in estate A beside its 物管会, members of every kind, and one
    # committee in estate B; then the annotated facts equal committee_facts for each.
    oc = gov.committee_create(
        kind="owners_committee", estate=world.estate_a, name="甲小区业委会", actor=None,
        term_start=dt.date(2025, 1, 1), term_end=dt.date(2029, 12, 31), filed_on=dt.date(2025, 2, 1),
    )  # fmt: skip
    chair = reg.person_create(name="居委会主任", place=world.community_a, is_party_member=True, actor=None)
    gov.committee_member_add(
        committee=world.committee_a, person=chair, post="chair", is_owner_representative=False,
        from_residents_committee=True, actor=None,
    )  # fmt: skip
    gov.committee_member_add(committee=oc, person=world.tenant_person, post="chair", actor=None)
    gov.committee_create(kind="owners_committee", estate=world.estate_b, name="乙小区业委会", actor=None)
    batched = {c.pk: annotated_committee_facts(c) for c in committees_with_facts(OwnersCommittee.objects.all())}
    assert len(batched) == 3
    for committee in OwnersCommittee.objects.all():
        assert batched[committee.pk] == committee_facts(committee), committee.name
    assert batched[world.committee_a.pk].owners_committee_filed_on == dt.date(2025, 2, 1)
    assert batched[world.committee_a.pk].chair_from_residents_committee
    assert batched[world.committee_a.pk].households == 3
