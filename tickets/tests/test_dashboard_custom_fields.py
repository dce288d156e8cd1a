"""Custom fields on the dashboard's ticket page and new-ticket form: shown, edited through
the services, refusals next to the field."""

import re

import pytest

from tickets import custom_fields
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket, TicketEvent

from .factories import make_ticket

pytestmark = pytest.mark.django_db

SLACK = Actor(name="Slack", source=ChangeSource.SLACK)


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


@pytest.fixture
def fields():
    custom_fields.definition_create(key="plan", label="Plan", type="choice", choices=["free", "pro"], required=True)
    custom_fields.definition_create(key="seats", label="Seats", type="number")
    custom_fields.definition_create(key="vip", label="VIP", type="boolean")
    custom_fields.definition_create(key="region", label="Region", type="text")


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="id_{field}-error" role="alert">(.*?)</p>', html)
    assert match, f"no error shown for {field}"
    return match.group(1)


def update_data(**overrides: str) -> dict[str, str]:
    base = {"status": "open", "priority": "medium", "category": "general", "assignee": "", "team": "", "tags": ""}
    return base | overrides


def test_the_ticket_page_shows_and_edits_the_active_fields(agent, fields):
    ticket = make_ticket(actor=SLACK, custom_fields={"region": "EU"})
    custom_fields.definition_update(key="region", fields={"active": False})

    page = agent.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert '<select name="cf_plan"' in page
    assert 'name="cf_seats"' in page
    assert "<dt>Region</dt><dd>EU</dd>" in page  # inactive: shown, not editable
    assert 'name="cf_region"' not in re.sub(r"<input[^>]*disabled[^>]*>", "", page)

    data = update_data(cf_plan="pro", cf_seats="3", cf_vip="true", version=str(ticket.version))
    response = agent.post(f"/dashboard/tickets/{ticket.pk}/update/", data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"region": "EU", "plan": "pro", "seats": 3, "vip": True}
    rows = TicketEvent.objects.filter(ticket=ticket, field__startswith="customFields.").order_by("id")
    assert [(row.field, row.new_value, row.source) for row in rows] == [
        ("customFields.plan", "pro", "dashboard"),
        ("customFields.seats", "3", "dashboard"),
        ("customFields.vip", "true", "dashboard"),
    ]
    page = agent.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert "<dt>VIP</dt><dd>Yes</dd>" in page


def test_a_bad_value_is_shown_next_to_its_field(agent, fields):
    ticket = make_ticket(actor=SLACK)

    response = agent.post(f"/dashboard/tickets/{ticket.pk}/update/", update_data(cf_seats="lots"))
    assert response.status_code == 400
    assert field_error(response.content.decode(), "cf_seats") == "&quot;lots&quot; is not a number."

    ticket = make_ticket(custom_fields={"plan": "pro"})
    response = agent.post(f"/dashboard/tickets/{ticket.pk}/update/", update_data(cf_plan=""))
    assert response.status_code == 400
    assert "cannot be cleared" in field_error(response.content.decode(), "cf_plan")
    ticket.refresh_from_db()
    assert ticket.custom_fields == {"plan": "pro"}


def test_the_new_ticket_form_asks_for_the_required_fields(agent, fields):
    new = {
        "subject": "Invoice",
        "description": "Where is it?",
        "customer_email": "c@example.com",
        "priority": "medium",
        "category": "billing",
        "source": "phone",
    }
    response = agent.post("/dashboard/tickets/new/", new)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "cf_plan") == "This field is required."
    assert not SupportTicket.objects.exists()

    response = agent.post("/dashboard/tickets/new/", {**new, "cf_plan": "free", "cf_seats": "12.5"})
    assert response.status_code == 302
    assert SupportTicket.objects.get().custom_fields == {"plan": "free", "seats": 12.5}
