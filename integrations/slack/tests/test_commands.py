"""Slash commands: /support-stats, /create-ticket (text and form), and the form's submission."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations.models import OutboxMessage
from integrations.slack.commands import parse_create_ticket
from integrations.slack.ticket_input import InvalidTicketError
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.factories import TEST_ACTOR, make_ticket

from .conftest import ADMIN_URL, CHANNEL
from .helpers import deliver, fixture, post_command, post_interaction
from .slack_messages import shown

pytestmark = pytest.mark.django_db


# --- Parsing /create-ticket's text ---


@pytest.mark.parametrize(
    ("text", "email", "subject", "description"),
    [
        (
            "casey@example.com Cannot log in - Password rejected",
            "casey@example.com",
            "Cannot log in",
            "Password rejected",
        ),
        (
            "  casey@example.com   Log-in fails  -  It says no - twice ",
            "casey@example.com",
            "Log-in fails",
            "It says no - twice",
        ),
        (
            "<mailto:casey@example.com|casey@example.com> Refund \u2013 Charged twice &amp; more",
            "casey@example.com",
            "Refund",
            "Charged twice & more",
        ),
        ("casey@example.com Refund \u2014 Charged twice", "casey@example.com", "Refund", "Charged twice"),
        ("casey@example.com Just a subject", "casey@example.com", "Just a subject", "Just a subject"),
        ("casey@example.com Subject -", "casey@example.com", "Subject", "Subject"),
        ("casey@example.com\nMulti\nline - body\nmore", "casey@example.com", "Multi line", "body\nmore"),
    ],
)
def test_create_ticket_text_is_parsed(text, email, subject, description):
    parsed = parse_create_ticket(text)
    assert (parsed.customer_email, parsed.subject, parsed.description, parsed.priority) == (
        email,
        subject,
        description,
        "medium",
    )


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Cannot log in - no email here", "email"),
        ("casey@ Cannot log in", "email"),
        ("casey@example.com", "subject"),
        ("casey@example.com - only a description", "subject"),
        ("casey@example.com " + "x" * 201, "subject"),
        ("a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com casey", "email"),  # 259 > 254
        ("casey@example.com Subject - " + "x" * 20_001, "description"),
        ("-", "email"),
    ],
)
def test_malformed_create_ticket_text_says_what_is_wrong(text, field):
    with pytest.raises(InvalidTicketError) as raised:
        parse_create_ticket(text)
    assert field in raised.value.errors


# --- /support-stats ---


def test_support_stats_shows_the_statistics_endpoints_figures(slack, client, staff_client):
    start = timezone.now() - timedelta(hours=2)
    with time_machine.travel(start, tick=False):
        tickets = [make_ticket(subject=f"Ticket {n}") for n in range(5)]
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        services.comment_add(ticket_id=tickets[0].pk, body="On it", is_internal=False, author="A", actor=TEST_ACTOR)
        services.ticket_change_status(ticket_id=tickets[1].pk, status="in_progress", actor=TEST_ACTOR)
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        services.ticket_change_status(ticket_id=tickets[0].pk, status="resolved", actor=TEST_ACTOR)
    services.ticket_change_priority(ticket_id=tickets[2].pk, priority="urgent", actor=TEST_ACTOR)  # now overdue

    response = post_command(client, "/support-stats")

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    figures = staff_client.get("/api/admin/support-tickets/statistics").json()
    assert (figures["total"], figures["overdue"], figures["averageResponseTimeMinutes"]) == (5, 1, 30.0)
    text = shown(answer["blocks"])
    for name, value in (
        ("Total", figures["total"]),
        ("Open", figures["byStatus"]["open"]),
        ("In progress", figures["byStatus"]["in_progress"]),
        ("Resolved", figures["byStatus"]["resolved"]),
        ("Overdue", figures["overdue"]),
        ("Avg. first response", f"{figures['averageResponseTimeMinutes']} min"),
        ("Avg. resolution", f"{figures['averageResolutionTimeMinutes']} min"),
    ):
        assert f"*{name}*\n{value}" in text
    assert "Total: 5 · Open: 3 · In progress: 1" in answer["text"]


def test_support_stats_with_no_tickets(slack, client):
    text = shown(post_command(client, "/support-stats").json()["blocks"])
    assert "*Total*\n0" in text and "*Avg. resolution*\n—" in text


# --- /create-ticket ---


def test_create_ticket_creates_it_as_slack_answers_with_its_link_and_announces_it(
    slack, client, agent, django_capture_on_commit_callbacks
):
    slack.add_user("U0ALEX", email=agent.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_command(client, "/create-ticket", "dana@example.com Withdrawal stuck - Pending since Monday")

    ticket = SupportTicket.objects.get()
    assert (ticket.subject, ticket.description, ticket.customer_email) == (
        "Withdrawal stuck",
        "Pending since Monday",
        "dana@example.com",
    )
    assert ticket.source == "slack"
    created = ticket.events.get(action="created")
    assert (created.actor, created.source) == ("Alex Agent", "slack")
    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": f"Created <{ADMIN_URL}/dashboard/tickets/{ticket.ticket_number}/|{ticket.ticket_number}>: "
        "Withdrawal stuck",
    }

    # Announced like any other new ticket, although it came from Slack.
    assert deliver(ticket) == 1
    [root] = [args for args in slack.calls_to("chat.postMessage")]
    assert root["channel"] == CHANNEL
    assert "Source: Slack" in shown(root["blocks"])
    ticket.refresh_from_db()
    assert ticket.slack_message_ts


@pytest.mark.parametrize(
    "text", ["Cannot log in", "not-an-email Cannot log in", "dana@example.com", "dana@example.com - no subject"]
)
def test_malformed_create_ticket_gets_the_usage(slack, client, text):
    response = post_command(client, "/create-ticket", text)
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    assert "Usage: `/create-ticket customer@example.com Subject words - description words`" in answer["text"]
    assert not SupportTicket.objects.exists()


def test_the_usage_message_escapes_what_was_typed(slack, client):
    answer = post_command(client, "/create-ticket", "<!channel> hello").json()
    assert "<!channel>" not in answer["text"]


def test_create_ticket_without_text_opens_the_form(slack, client):
    response = post_command(client, "/create-ticket", "  ")

    assert response.status_code == 200
    assert response.content == b""
    [opened] = slack.calls_to("views.open")
    assert opened["trigger_id"] == fixture("slash_command")["trigger_id"]
    view = opened["view"]
    assert (view["type"], view["callback_id"]) == ("modal", "create_ticket")
    assert [block["block_id"] for block in view["blocks"]] == ["email", "subject", "description", "priority"]


def test_when_the_form_cannot_open_the_usage_is_shown(slack, client):
    slack.fail("views.open", error="expired_trigger_id")
    answer = post_command(client, "/create-ticket").json()
    assert "form could not be opened" in answer["text"] and "Usage" in answer["text"]


def test_form_submission_creates_the_ticket(slack, client, agent, django_capture_on_commit_callbacks):
    slack.add_user("U0ALEX", email=agent.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_interaction(client, fixture("view_submission"))

    assert response.status_code == 200
    ticket = SupportTicket.objects.get()
    assert (ticket.subject, ticket.priority, ticket.source) == ("Withdrawal stuck", "high", "slack")
    assert ticket.events.get(action="created").actor == "Alex Agent"
    answer = response.json()
    assert answer["response_action"] == "update"
    assert ticket.ticket_number in answer["view"]["blocks"][0]["text"]["text"]
    assert OutboxMessage.objects.filter(ticket=ticket, event="new-ticket").exists()
    deliver(ticket)
    assert slack.calls_to("chat.postMessage")


def test_form_submission_errors_are_shown_on_the_fields(slack, client):
    payload = fixture("view_submission")
    values = payload["view"]["state"]["values"]
    values["email"]["value"]["value"] = "dana at example"
    values["subject"]["value"]["value"] = "   "
    values["priority"]["value"]["selected_option"]["value"] = "whenever"

    response = post_interaction(client, payload)

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"email", "subject", "priority"}
    assert not SupportTicket.objects.exists()


def test_form_submission_with_missing_fields(slack, client):
    payload = fixture("view_submission")
    payload["view"]["state"] = {"values": {"email": "x", "subject": {"value": 5}}}
    answer = post_interaction(client, payload).json()
    assert set(answer["errors"]) == {"email", "subject"}


def test_unknown_commands_are_answered(slack, client):
    answer = post_command(client, "/deploy", "now").json()
    assert answer == {"response_type": "ephemeral", "text": "Unknown command: /deploy"}


def test_commands_need_a_valid_signature(slack, client):
    response = post_command(client, "/create-ticket", "dana@example.com Hi", secret="forged")
    assert response.status_code == 401
    assert not SupportTicket.objects.exists()


def test_a_form_submitted_twice_creates_one_ticket(slack, client):
    first = post_interaction(client, fixture("view_submission"))
    second = post_interaction(client, fixture("view_submission"))
    assert first.json()["response_action"] == "update"
    assert second.json() == {"response_action": "clear"}
    assert SupportTicket.objects.count() == 1


def test_a_form_submission_without_a_view_id_is_refused(slack, client):
    payload = fixture("view_submission")
    del payload["view"]["id"]
    assert post_interaction(client, payload).status_code == 400
    assert not SupportTicket.objects.exists()
