"""The Django admin over canned responses: checked and saved by tickets.canned_responses,
showing each admin what the API would (the shared responses and their own)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tickets import canned_responses
from tickets.models import CannedResponse

from .factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return StaffFactory(is_superuser=True, first_name="Ada", last_name="Admin")


@pytest.fixture
def admin_client(client: Client, admin_user) -> Client:
    client.force_login(admin_user)
    return client


def form(**overrides: Any) -> dict[str, Any]:
    data = {"title": "Refund sent", "shortcut": "refund", "body": "Hi {{ customer.first_name }}", "actions": "{}"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_adding_saves_a_response_owned_by_the_admin(admin_client, admin_user):
    answer = admin_client.post(
        reverse("admin:tickets_cannedresponse_add"),
        form(shortcut="/Refund", actions='{"status": "waiting_customer", "addTags": ["Refund"]}', shared="on"),
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    response = CannedResponse.objects.get()
    assert (response.owner, response.shortcut, response.shared) == (admin_user, "refund", True)
    assert response.actions == {"status": "waiting_customer", "addTags": ["refund"]}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"body": "Hi {{ customer.phone }}"}, "Unknown placeholder &quot;{{ customer.phone }}&quot;."),
        ({"body": "", "actions": "{}"}, "A canned response must reply or change something"),
        ({"actions": '{"teamId": 404}'}, "actions.teamId: no team with id 404."),
        ({"shortcut": "no spaces"}, "Letters, digits"),
    ],
)
def test_invalid_values_are_shown_on_the_form(admin_client, fields, error):
    answer = admin_client.post(reverse("admin:tickets_cannedresponse_add"), form(**fields))
    assert answer.status_code == 200
    assert error in answer.content.decode()
    assert not CannedResponse.objects.exists()


def test_a_shortcut_taken_in_its_scope_is_shown_on_the_form(admin_client):
    canned_responses.canned_response_create(owner=StaffFactory(), title="T", shortcut="refund", body="x", shared=True)
    answer = admin_client.post(reverse("admin:tickets_cannedresponse_add"), form(shared="on"))
    assert "Another shared canned response has the shortcut &quot;/refund&quot;." in answer.content.decode()
    assert admin_client.post(reverse("admin:tickets_cannedresponse_add"), form()).status_code == 302  # personal


def test_the_list_holds_the_shared_responses_and_the_admin_s_own(admin_client, admin_user):
    mine = canned_responses.canned_response_create(owner=admin_user, title="Mine", shortcut="mine", body="x")
    canned_responses.canned_response_create(owner=StaffFactory(), title="Ours", shortcut="ours", body="x", shared=True)
    theirs = canned_responses.canned_response_create(owner=StaffFactory(), title="Theirs", shortcut="theirs", body="x")

    listed = admin_client.get(reverse("admin:tickets_cannedresponse_changelist")).content.decode()
    assert "Mine" in listed and "Ours" in listed and "Theirs" not in listed
    assert admin_client.get(reverse("admin:tickets_cannedresponse_change", args=[theirs.pk])).status_code == 302

    changed = admin_client.post(reverse("admin:tickets_cannedresponse_change", args=[mine.pk]), form(title="Renamed"))
    assert changed.status_code == 302
    mine.refresh_from_db()
    assert (mine.title, mine.owner) == ("Renamed", admin_user)

    admin_client.post(reverse("admin:tickets_cannedresponse_delete", args=[mine.pk]), {"post": "yes"})
    assert not CannedResponse.objects.filter(pk=mine.pk).exists()


def test_staff_without_model_permissions_manage_their_own_as_through_the_api(client):
    agent = StaffFactory()  # staff, no superuser, no permissions
    client.force_login(agent)
    assert client.get(reverse("admin:tickets_cannedresponse_changelist")).status_code == 200
    assert client.post(reverse("admin:tickets_cannedresponse_add"), form()).status_code == 302
    assert CannedResponse.objects.get().owner == agent
    assert client.get(reverse("admin:tickets_ticketcomment_changelist")).status_code == 403  # the rest stays theirs
