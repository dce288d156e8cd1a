"""Every length limit, on every way in (API, dashboard): over it, a 400 naming the field
and nothing written; at it, accepted. The limits are the model's columns and services'
constants, so every path agrees (Slack and Help Scout: their own tests)."""

from typing import Any

import pytest

from tickets import limits, services
from tickets.actors import SYSTEM_ACTOR
from tickets.limits import MAX_BULK_TICKETS, MAX_DESCRIPTION_LENGTH, MAX_NOTE_LENGTH
from tickets.models import SupportTicket, TicketComment, TicketEvent

from .api_helpers import URL, ticket_url
from .factories import make_ticket
from .test_dashboard_ticket import field_error

pytestmark = pytest.mark.django_db


def email_of_length(length: int) -> str:
    """A valid address of exactly `length` characters (e-mail validators accept up to 320)."""
    local, labels = "a" * 64, ["com"]
    while len(".".join(labels)) < length - len(local) - 1:
        gap = length - len(local) - 1 - len(".".join(labels))
        labels.insert(0, "b" * min(63, max(1, gap - 1)))
    address = f"{local}@{'.'.join(labels)}"
    assert len(address) == length
    return address


def written() -> tuple[int, int, int]:
    return SupportTicket.objects.count(), TicketComment.objects.count(), TicketEvent.objects.count()


NEW = {"subject": "Wallet", "description": "Zero.", "customerEmail": "ann@example.com"}
TAGS_OVER = [f"t{n}" for n in range(limits.MAX_TAGS + 1)]

CREATE_OVER = [
    ("subject", "s" * (limits.MAX_SUBJECT_LENGTH + 1)),
    ("description", "d" * (MAX_DESCRIPTION_LENGTH + 1)),
    ("customerEmail", email_of_length(limits.MAX_EMAIL_LENGTH + 1)),
    ("customerName", "n" * (limits.MAX_CUSTOMER_NAME_LENGTH + 1)),
    ("assignedTo", "a" * (limits.MAX_ASSIGNEE_LENGTH + 1)),
    ("tags", TAGS_OVER),
    ("tags", ["t" * (limits.MAX_TAG_LENGTH + 1)]),
]
CREATE_AT = {
    "subject": "s" * limits.MAX_SUBJECT_LENGTH,
    "description": "d" * MAX_DESCRIPTION_LENGTH,
    "customerEmail": email_of_length(limits.MAX_EMAIL_LENGTH),
    "customerName": "n" * limits.MAX_CUSTOMER_NAME_LENGTH,
    "assignedTo": "a" * limits.MAX_ASSIGNEE_LENGTH,
    "tags": [f"{n:02d}" + "t" * (limits.MAX_TAG_LENGTH - 2) for n in range(limits.MAX_TAGS)],
}


# --- API ---


@pytest.mark.parametrize(("field", "value"), CREATE_OVER)
def test_api_create_over_a_limit_is_400_naming_the_field(staff_client, field, value):
    response = staff_client.post(URL, {**NEW, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == (0, 0, 0)


def test_api_create_at_every_limit_is_accepted(staff_client):
    response = staff_client.post(URL, CREATE_AT, format="json")
    assert response.status_code == 201, response.content
    ticket = SupportTicket.objects.get()
    assert (ticket.subject, ticket.customer_email, ticket.tags) == (
        CREATE_AT["subject"],
        CREATE_AT["customerEmail"],
        CREATE_AT["tags"],
    )


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("comments", {"comment": "c" * (limits.MAX_COMMENT_LENGTH + 1)}, "comment"),
        ("status", {"status": "resolved", "resolutionNote": "r" * (MAX_NOTE_LENGTH + 1)}, "resolutionNote"),
        ("assign", {"assignedTo": "a" * (limits.MAX_ASSIGNEE_LENGTH + 1)}, "assignedTo"),
    ],
)
def test_api_changes_over_a_limit_are_400_naming_the_field(staff_client, action, body, field):
    ticket = make_ticket()
    before = written()
    method = staff_client.post if action == "comments" else staff_client.put
    response = method(ticket_url(ticket, action), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_api_comment_at_the_limit_is_accepted(staff_client):
    ticket = make_ticket()
    body = {"comment": "c" * limits.MAX_COMMENT_LENGTH}
    assert staff_client.post(ticket_url(ticket, "comments"), body, format="json").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ids": list(range(1, MAX_BULK_TICKETS + 2)), "updates": {"priority": "low"}}, "ids"),
        ({"ids": [1], "updates": {"addTags": TAGS_OVER}}, "updates"),
        ({"ids": [1], "updates": {"removeTags": ["t" * (limits.MAX_TAG_LENGTH + 1)]}}, "updates"),
        ({"ids": [1], "updates": {"assignedTo": "a" * (limits.MAX_ASSIGNEE_LENGTH + 1)}}, "updates"),
    ],
)
def test_api_bulk_over_a_limit_is_400_naming_the_field(staff_client, body, field):
    make_ticket()
    before = written()
    response = staff_client.post(f"{URL}/bulk", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert written() == before


def test_api_bulk_adding_tags_past_a_tickets_limit_changes_none(staff_client):
    full = make_ticket(tags=[f"t{n}" for n in range(limits.MAX_TAGS)])
    other = make_ticket()
    before = written()
    body = {"ids": [other.pk, full.pk], "updates": {"addTags": ["one-more"]}}
    response = staff_client.post(f"{URL}/bulk", body, format="json")
    assert response.status_code == 400
    assert "tags" in response.json()
    assert written() == before
    other.refresh_from_db()
    assert other.tags == []


# --- Dashboard ---


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


DASHBOARD_NEW = {
    "subject": "Wallet",
    "description": "Zero.",
    "customer_email": "ann@example.com",
    "priority": "medium",
    "category": "general",
    "source": "phone",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "s" * (limits.MAX_SUBJECT_LENGTH + 1)),
        ("description", "d" * (MAX_DESCRIPTION_LENGTH + 1)),
        ("customer_email", email_of_length(limits.MAX_EMAIL_LENGTH + 1)),
        ("customer_name", "n" * (limits.MAX_CUSTOMER_NAME_LENGTH + 1)),
        ("tags", ",".join(TAGS_OVER)),
        ("tags", "t" * (limits.MAX_TAG_LENGTH + 1)),
    ],
)
def test_dashboard_create_over_a_limit_is_400_with_the_error_on_the_field(agent, field, value):
    response = agent.post("/dashboard/tickets/new/", {**DASHBOARD_NEW, field: value})
    assert response.status_code == 400
    assert field_error(response.content.decode(), field)
    assert written() == (0, 0, 0)


def test_dashboard_create_at_the_limits_is_accepted(agent):
    data = {
        **DASHBOARD_NEW,
        "subject": CREATE_AT["subject"],
        "customer_email": CREATE_AT["customerEmail"],
        "customer_name": CREATE_AT["customerName"],
    }
    assert agent.post("/dashboard/tickets/new/", data).status_code == 302
    assert SupportTicket.objects.get().customer_email == CREATE_AT["customerEmail"]


def test_dashboard_comment_over_the_limit_is_400_with_the_error_on_the_field(agent):
    ticket = make_ticket()
    before = written()
    response = agent.post(
        f"/dashboard/tickets/{ticket.pk}/comment/", {"comment": "c" * (limits.MAX_COMMENT_LENGTH + 1)}
    )
    assert response.status_code == 400
    assert "at most 20000 characters" in field_error(response.content.decode(), "comment").replace(",", "")
    assert written() == before


# --- The services, under every path ---


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("customerEmail", {"customer_email": email_of_length(limits.MAX_EMAIL_LENGTH + 1)}),
        ("customerName", {"customer_name": "n" * (limits.MAX_CUSTOMER_NAME_LENGTH + 1)}),
        ("customerUserId", {"customer_user_id": "u" * (limits.MAX_CUSTOMER_USER_ID_LENGTH + 1)}),
        ("description", {"description": "d" * (limits.MAX_DESCRIPTION_LENGTH + 1)}),
    ],
)
def test_the_service_refuses_what_the_column_cannot_hold(field, change: dict[str, Any]):
    with pytest.raises(services.TicketError) as refused:
        make_ticket(**change)
    assert refused.value.field == field
    assert written() == (0, 0, 0)


def test_the_service_refuses_a_resolution_note_over_the_limit():
    ticket = make_ticket()
    before = written()
    with pytest.raises(services.TicketError) as refused:
        services.ticket_change_status(
            ticket_id=ticket.pk,
            status="resolved",
            resolution_note="n" * (limits.MAX_NOTE_LENGTH + 1),
            actor=SYSTEM_ACTOR,
        )
    assert refused.value.field == "resolutionNote"
    assert written() == before


def test_the_service_refuses_a_bulk_change_of_too_many_tickets():
    with pytest.raises(services.TicketError) as refused:
        services.tickets_bulk_update(ids=range(1, limits.MAX_BULK_TICKETS + 2), priority="low", actor=SYSTEM_ACTOR)
    assert refused.value.field == "ids"
