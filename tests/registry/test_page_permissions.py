"""The registry's pages ask the registry's predicates: each page answers what ``expected_status`` derives from
the permission (404 to who may not see the row, 403 with the permission's reason to who may see it but not
act), and a page shows an action exactly when the service would allow it — for every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.scoping import scope_of
from gongzhi.registry.models import Person, Place
from gongzhi.registry.permissions import can_export_roster, can_reveal_contact, can_use_roster
from tests.authz import expected_status
from tests.personas import ALL


def _status_and_reason(response, status, permission):
    assert response.status_code == status
    if status == 403:
        assert permission.message in response.content.decode()  # the reason, never a generic refusal


@pytest.mark.parametrize("persona", ALL)
def test_roster_pages_answer_as_the_predicates_say(world, persona):
    user, client = world.users[persona], world.client_for(persona)
    for name in ("registry:roster_import", "registry:roster_template"):
        _status_and_reason(
            client.get(reverse(name)), expected_status(user, True, can_use_roster, staff_page=True), can_use_roster
        )

    estate = world.estate_a
    sees_estate = Place.objects.visible_to(user).filter(pk=estate.pk).exists()
    export = reverse("registry:roster_export", args=[estate.pk])
    status = expected_status(user, sees_estate, can_export_roster, estate, staff_page=True)
    _status_and_reason(client.get(export), status, can_export_roster)
    if sees_estate:
        page = client.get(reverse("registry:estate_detail", args=[estate.pk])).content.decode()
        assert (export in page) == can_export_roster(scope_of(user), estate), "the export button follows the predicate"


@pytest.mark.parametrize("persona", ALL)
def test_revealing_a_contact_answers_as_the_predicate_says(world, persona):
    user, client = world.users[persona], world.client_for(persona)
    person = world.owner_person
    sees_person = Person.objects.visible_to(user).filter(pk=person.pk).exists()
    reveal = reverse("registry:person_reveal", args=[person.pk])
    status = expected_status(user, sees_person, can_reveal_contact, person)
    _status_and_reason(client.post(reveal), status, can_reveal_contact)
    if sees_person:
        page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
        assert (reveal in page) == can_reveal_contact(scope_of(user), person), "the reveal button follows the predicate"
