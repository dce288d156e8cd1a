"""/api/admin/business-calendars and /api/admin/sla-policies: shapes, 400s naming the field."""

import pytest

from tickets.models import SlaPolicy

from .factories import make_ticket

pytestmark = pytest.mark.django_db

CALENDARS, POLICIES = "/api/admin/business-calendars", "/api/admin/sla-policies"
CALENDAR = {
    "name": "Berlin office",
    "timezone": "Europe/Berlin",
    "hours": {"mon": [["09:00", "17:30"]], "fri": [["09:00", "13:00"]]},
    "holidays": ["2026-12-25"],
}


def test_a_calendar_round_trips(staff_client):
    created = staff_client.post(CALENDARS, CALENDAR, format="json")

    assert created.status_code == 201
    body = created.json()
    assert body == {"id": body["id"], **CALENDAR}
    assert staff_client.get(CALENDARS).json() == [body]
    assert staff_client.get(f"{CALENDARS}/{body['id']}").json() == body


def test_a_calendar_with_bad_hours_is_400_naming_the_problem(staff_client):
    response = staff_client.post(CALENDARS, {**CALENDAR, "hours": {"mon": [["17:00", "09:00"]]}}, format="json")

    assert response.status_code == 400
    [message] = response.json()["hours"]
    assert "mon" in message


def test_an_unknown_time_zone_is_400(staff_client):
    response = staff_client.post(CALENDARS, {**CALENDAR, "timezone": "Europe/Atlantis"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["timezone"]


def test_a_policy_round_trips_and_applies_to_new_tickets(staff_client):
    calendar = staff_client.post(CALENDARS, CALENDAR, format="json").json()
    body = {
        "name": "Urgent billing",
        "position": 1,
        "conditions": {"priority": ["urgent"], "category": ["billing"]},
        "firstResponseMinutes": 30,
        "resolutionMinutes": 240,
        "calendarId": calendar["id"],
        "pauseOnWaitingCustomer": True,
    }

    created = staff_client.post(POLICIES, body, format="json")

    assert created.status_code == 201, created.content
    assert created.json() == {"id": created.json()["id"], **body}
    ticket = make_ticket(priority="urgent", category="billing")
    assert ticket.sla_policy == SlaPolicy.objects.get()


def test_a_policy_can_be_changed_and_deleted(staff_client):
    policy = staff_client.post(
        POLICIES, {"name": "All", "firstResponseMinutes": 60, "resolutionMinutes": 600}, format="json"
    ).json()

    changed = staff_client.patch(f"{POLICIES}/{policy['id']}", {"resolutionMinutes": 900}, format="json")
    deleted = staff_client.delete(f"{POLICIES}/{policy['id']}")

    assert changed.json()["resolutionMinutes"] == 900
    assert deleted.status_code == 204
    assert staff_client.get(f"{POLICIES}/{policy['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"conditions": {"priority": ["huge"]}}, "conditions"),
        ({"firstResponseMinutes": 0}, "firstResponseMinutes"),
        ({"resolutionMinutes": 10}, "resolutionMinutes"),
        ({"calendarId": 999_999}, "calendarId"),
        ({"conditions": {"teamId": [999_999]}}, "conditions"),
    ],
)
def test_bad_policies_are_400_naming_the_field(staff_client, body, field):
    valid = {"name": "All", "firstResponseMinutes": 60, "resolutionMinutes": 600}

    response = staff_client.post(POLICIES, {**valid, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not SlaPolicy.objects.exists()


def test_a_calendar_a_policy_uses_cannot_be_deleted(staff_client):
    calendar = staff_client.post(CALENDARS, CALENDAR, format="json").json()
    staff_client.post(
        POLICIES,
        {"name": "All", "firstResponseMinutes": 60, "resolutionMinutes": 600, "calendarId": calendar["id"]},
        format="json",
    )

    response = staff_client.delete(f"{CALENDARS}/{calendar['id']}")

    assert response.status_code == 400
    assert response.json() == {"calendar": ["Policies use this calendar: change them first."]}


@pytest.mark.parametrize("path", [CALENDARS, POLICIES])
@pytest.mark.parametrize("key", ["0.5", "abc", "0", str(2**63)])
def test_an_id_that_names_no_row_is_a_json_404(staff_client, path, key):
    response = staff_client.get(f"{path}/{key}")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("No ")
