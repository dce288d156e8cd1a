"""The Django admin over business calendars and SLA policies saves through tickets.sla_policies."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from tickets import sla_policies
from tickets.models import BusinessCalendar, SlaPolicy

from .factories import StaffFactory, make_ticket


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


CALENDAR = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": json.dumps({"mon": [["09:00", "17:00"]]}),
    "holidays": json.dumps(["2026-12-25"]),
}


def test_a_calendar_is_added_through_the_service(admin_client):
    response = admin_client.post(reverse("admin:tickets_businesscalendar_add"), CALENDAR)

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert (calendar.timezone, calendar.hours) == ("Europe/Berlin", {"mon": [["09:00", "17:00"]]})


def test_the_calendar_form_shows_the_services_refusal_next_to_the_field(admin_client):
    response = admin_client.post(
        reverse("admin:tickets_businesscalendar_add"), {**CALENDAR, "hours": json.dumps({"mon": [["17:00", "09:00"]]})}
    )

    assert response.status_code == 200
    assert "mon" in str(response.context["adminform"].form.errors["hours"])
    assert not BusinessCalendar.objects.exists()


def test_a_policy_is_added_and_applies(admin_client):
    response = admin_client.post(
        reverse("admin:tickets_slapolicy_add"),
        {
            "name": "Urgent",
            "position": 0,
            "conditions": json.dumps({"priority": ["urgent"]}),
            "first_response_minutes": 15,
            "resolution_minutes": 60,
            "calendar": "",
        },
    )

    assert response.status_code == 302
    assert make_ticket(priority="urgent").sla_policy == SlaPolicy.objects.get()


def test_the_policy_form_refuses_unknown_conditions(admin_client):
    response = admin_client.post(
        reverse("admin:tickets_slapolicy_add"),
        {
            "name": "Odd",
            "position": 0,
            "conditions": json.dumps({"colour": "red"}),
            "first_response_minutes": 15,
            "resolution_minutes": 60,
        },
    )

    assert response.status_code == 200
    assert "colour" in str(response.context["adminform"].form.errors["conditions"])


def test_pages_render(admin_client):
    calendar = sla_policies.calendar_create(name="Office", timezone="UTC", hours={"mon": [["09:00", "17:00"]]})
    policy = sla_policies.policy_create(
        name="All", first_response_minutes=60, resolution_minutes=600, calendar_id=calendar.pk
    )
    for url in (
        reverse("admin:tickets_businesscalendar_changelist"),
        reverse("admin:tickets_businesscalendar_change", args=[calendar.pk]),
        reverse("admin:tickets_slapolicy_changelist"),
        reverse("admin:tickets_slapolicy_change", args=[policy.pk]),
    ):
        assert admin_client.get(url).status_code == 200
