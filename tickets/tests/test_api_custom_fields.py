"""/api/admin/custom-fields and tickets' customFields through the API: definitions,
create and update with values, the list's cf_<key> filter, and 400s naming what is wrong.
Run on PostgreSQL (JSON containment over the GIN index) and on SQLite (key lookups)."""

import pytest

from tickets.models import TicketEvent

from .api_helpers import URL, numbers, ticket_url

pytestmark = pytest.mark.django_db

FIELDS = "/api/admin/custom-fields"
PLAN = {"key": "plan", "label": "Plan", "type": "choice", "choices": ["free", "pro"], "required": False}


def define(client, **fields):
    response = client.post(FIELDS, fields, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def create(client, **fields):
    body = {"subject": "Refund", "description": "Please", "customerEmail": "c@example.com", **fields}
    return client.post(URL, body, format="json")


@pytest.fixture
def fields(staff_client):
    define(staff_client, **PLAN)
    define(staff_client, key="seats", label="Seats", type="number")
    define(staff_client, key="renewal", label="Renewal", type="date")
    define(staff_client, key="vip", label="VIP", type="boolean")
    define(staff_client, key="account", label="Account", type="text")


def test_a_definition_round_trips(staff_client):
    created = define(staff_client, **PLAN)

    assert created == {**PLAN, "active": True}
    assert staff_client.get(FIELDS).json() == [created]
    assert staff_client.get(f"{FIELDS}/plan").json() == created
    changed = staff_client.patch(f"{FIELDS}/plan", {"label": "Plan name", "active": False}, format="json")
    assert changed.status_code == 200
    assert changed.json() == {**created, "label": "Plan name", "active": False}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**PLAN, "key": "Not a slug"}, "key"),
        ({**PLAN, "type": "colour"}, "type"),
        ({**PLAN, "choices": []}, "choices"),
        ({**PLAN, "choices": ["a", "a"]}, "choices"),
        ({**PLAN, "type": "text"}, "choices"),
    ],
)
def test_a_bad_definition_is_400_naming_the_field(staff_client, body, field):
    response = staff_client.post(FIELDS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_key_is_unique_and_cannot_change(staff_client):
    define(staff_client, **PLAN)
    assert "key" in staff_client.post(FIELDS, PLAN, format="json").json()
    response = staff_client.patch(f"{FIELDS}/plan", {"key": "tier"}, format="json")
    assert response.status_code == 400
    assert "key" in response.json()
    assert staff_client.get(f"{FIELDS}/tier").status_code == 404


def test_definitions_are_for_staff_only(non_staff_client, anonymous_client):
    assert non_staff_client.get(FIELDS).status_code == 403
    assert anonymous_client.post(FIELDS, PLAN, format="json").status_code == 401


def test_a_ticket_is_created_and_updated_with_values(staff_client, fields):
    created = create(staff_client, customFields={"plan": "pro", "seats": 12, "vip": True})
    assert created.status_code == 201, created.content
    assert created.json()["customFields"] == {"plan": "pro", "seats": 12, "vip": True}

    ticket_id = created.json()["id"]
    changes = {"seats": 15.5, "vip": None, "renewal": "2027-01-31"}
    updated = staff_client.patch(ticket_url(ticket_id, "custom-fields"), {"customFields": changes}, format="json")
    assert updated.status_code == 200, updated.content
    expected = {"plan": "pro", "seats": 15.5, "renewal": "2027-01-31"}
    assert updated.json()["customFields"] == expected
    assert staff_client.get(ticket_url(ticket_id)).json()["customFields"] == expected
    activity = staff_client.get(ticket_url(ticket_id, "activity")).json()
    assert [(row["field"], row["oldValue"], row["newValue"]) for row in activity if row["action"] == "updated"] == [
        ("customFields.seats", "12", "15.5"),
        ("customFields.vip", "true", None),
        ("customFields.renewal", None, "2027-01-31"),
    ]


@pytest.mark.parametrize(
    ("values", "key"),
    [({"plan": "gold"}, "plan"), ({"seats": "12"}, "seats"), ({"renewal": "soon"}, "renewal"), ({"nope": 1}, "nope")],
)
def test_a_bad_value_is_400_naming_the_key_and_creates_nothing(staff_client, fields, values, key):
    response = create(staff_client, customFields=values)
    assert response.status_code == 400
    assert list(response.json()) == [f"customFields.{key}"]
    assert not TicketEvent.objects.exists()


def test_a_required_field_is_required_on_create(staff_client, fields):
    staff_client.patch(f"{FIELDS}/plan", {"required": True}, format="json")
    response = create(staff_client)
    assert response.status_code == 400
    assert "customFields.plan" in response.json()


def test_an_update_of_an_inactive_field_is_400(staff_client, fields):
    ticket_id = create(staff_client, customFields={"account": "A-1"}).json()["id"]
    staff_client.patch(f"{FIELDS}/account", {"active": False}, format="json")

    body = {"customFields": {"account": "A-2"}}
    response = staff_client.patch(ticket_url(ticket_id, "custom-fields"), body, format="json")
    assert response.status_code == 400
    assert "customFields.account" in response.json()
    assert staff_client.get(ticket_url(ticket_id)).json()["customFields"] == {"account": "A-1"}


def test_custom_fields_must_be_an_object(staff_client, fields):
    ticket_id = create(staff_client).json()["id"]
    body = {"customFields": ["plan"]}
    assert staff_client.patch(ticket_url(ticket_id, "custom-fields"), body, format="json").status_code == 400
    assert create(staff_client, customFields="pro").status_code == 400


def test_the_list_filters_by_each_type(staff_client, fields):
    def ticket(**values):
        return create(staff_client, customFields=values).json()["ticketNumber"]

    pro = ticket(plan="pro", seats=5, vip=True, renewal="2027-01-31", account="ACME")
    free = ticket(plan="free", seats=2.5, vip=False)
    ticket()

    def listed(**params):
        return numbers(staff_client.get(URL, params))

    assert listed(cf_plan="pro") == [pro]
    assert listed(cf_seats="5") == [pro]
    assert listed(cf_seats="5.0") == [pro]
    assert listed(cf_seats="2.5") == [free]
    assert listed(cf_vip="true") == [pro]
    assert listed(cf_vip="false") == [free]
    assert listed(cf_renewal="2027-01-31") == [pro]
    assert listed(cf_account="ACME") == [pro]
    assert listed(cf_plan="pro", cf_vip="false") == []
    assert listed(cf_plan="free", status="open") == [free]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"cf_nope": "1"}, "cf_nope"),
        ({"cf_seats": "many"}, "cf_seats"),
        ({"cf_vip": "maybe"}, "cf_vip"),
        ({"cf_renewal": "2027-02-30"}, "cf_renewal"),
        ({"cf_plan": "gold"}, "cf_plan"),
        ({"cf_plan": ""}, "cf_plan"),
    ],
)
def test_a_bad_filter_is_400_naming_the_parameter(staff_client, fields, params, name):
    response = staff_client.get(URL, params)
    assert response.status_code == 400
    assert name in response.json()


def test_the_export_filters_the_same_way(staff_client, fields):
    create(staff_client, customFields={"plan": "pro"})
    create(staff_client, customFields={"plan": "free"})
    response = staff_client.get(f"{URL}/export", {"cf_plan": "pro"})
    assert response.status_code == 200
    assert len(b"".join(response.streaming_content).decode().splitlines()) == 2
    assert staff_client.get(f"{URL}/export", {"cf_nope": "x"}).status_code == 400
