"""Review: personal data in the registry JSON API (DOMAIN_RULES.md §I 31)."""

from __future__ import annotations

from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.registry import rules

API = "/api/v1"


def _id_candidates(masked: str, birth_date: str) -> list[str]:
    """Every valid 18-digit ID number consistent with a masked one (110***********1239) and a birth date."""
    head, tail = masked[:3], masked[-4:]
    birth = birth_date.replace("-", "")
    out = []
    for middle in range(1000):
        first17 = f"{head}{middle:03d}{birth}{tail[:3]}"
        if rules.id_check_digit(first17) == tail[3]:
            out.append(first17 + tail[3])
    return out


def test_masked_id_number_cannot_be_rebuilt_from_the_api_answer(world):
    # Given a committee member (a role that must see ID numbers masked) reads 王业主 through the API
    client = world.client_for("committee_member")
    body = client.get(f"{API}/people/{world.owner_person.pk}").json()
    assert body["id_number_masked"] is True
    # Then the masked ID (first 3 + last 4, check digit included) plus birth_date leaves only the
    # three region digits unknown; the check digit cuts 1000 choices to ~91, and the real number is
    # among them. Masking must leave far more than that unknown.
    candidates = _id_candidates(body["id_number"], str(body["birth_date"])) if body["birth_date"] else ["?"] * 10**6
    assert not (world.owner_person.id_number in candidates and len(candidates) <= 100)


def test_empty_patch_does_not_leak_unmasked_numbers_without_audit(world):
    # Given community staff (allowed to see whole numbers, but every read must be logged)
    client = world.client_for("community_staff")
    before = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).count()
    # When they send an empty PATCH (changes nothing)
    response = client.patch(f"{API}/people/{world.owner_person.pk}", {}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    # Then either the answer is masked, or the read of the whole numbers is audited
    unmasked = body["id_number"] == world.owner_person.id_number
    after = AuditLog.objects.filter(action=AuditAction.READ_PERSONAL).count()
    assert not unmasked or after > before


def test_audit_log_does_not_store_whole_id_numbers(world):
    # Given 王业主 was registered with an ID number (conftest, through services.person_create)
    rows = AuditLog.objects.filter(object_type="registry.person", object_id=str(world.owner_person.pk))
    # Then the append-only, hash-chained (never deletable) log should not hold the whole number:
    # it is shown in the admin's read-only audit page and kept beyond any retention period.
    assert not any(world.owner_person.id_number in str(r.after) for r in rows)
