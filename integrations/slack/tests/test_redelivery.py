"""Slack delivers twice (its retries carry X-Slack-Retry-Num) and out of order: each
webhook kind changes state once, and in the order things happened in Slack."""

import time
from urllib.parse import urlencode

import pytest

from integrations.models import InboundDelivery
from tickets.models import SupportTicket, TicketComment
from tickets.tests.api_helpers import ticket_url

from .helpers import COMMANDS_URL, fixture, post_event, post_interaction, post_signed

pytestmark = pytest.mark.django_db

RETRY = {"HTTP_X_SLACK_RETRY_NUM": "1", "HTTP_X_SLACK_RETRY_REASON": "http_timeout"}


def slack_ts(seconds_ago: float) -> str:
    return f"{time.time() - seconds_ago:.6f}"


# --- Thread replies (Events API) ---


def thread_reply(ticket: SupportTicket, *, event_id: str, ts: str, text: str) -> dict:
    envelope = fixture("thread_reply")
    envelope["event_id"] = event_id
    envelope["event"].update(thread_ts=ticket.slack_thread_id, channel=ticket.slack_channel_id, ts=ts, text=text)
    return envelope


def test_thread_replies_delivered_twice_and_out_of_order_are_stored_once_in_slacks_order(
    slack, client, staff_client, posted_ticket
):
    slack.add_user("U0ALEX", real_name="Alex in Slack")
    posted_at = posted_ticket.created_at.timestamp()  # replies follow the ticket's message
    first = thread_reply(posted_ticket, event_id="Ev0FIRST", ts=f"{posted_at + 0.001:.6f}", text="First, I checked")
    second = thread_reply(posted_ticket, event_id="Ev0SECOND", ts=f"{posted_at + 0.002:.6f}", text="Then I reset it")

    for envelope, headers in ((second, {}), (first, {}), (second, RETRY), (first, RETRY)):
        assert post_event(client, envelope, **headers).status_code == 200

    comments = staff_client.get(ticket_url(posted_ticket)).json()["comments"]
    assert [comment["comment"] for comment in comments] == ["First, I checked", "Then I reset it"]
    assert TicketComment.objects.filter(ticket=posted_ticket).count() == 2
    assert posted_ticket.events.filter(action="commented").count() == 2
    posted_ticket.refresh_from_db()
    assert posted_ticket.total_comments == 2


# --- Buttons (interactivity) ---


def click(client, ticket: SupportTicket, action_id: str, action_ts: str, **headers: str):
    payload = fixture("block_actions")
    payload["actions"][0].update(action_id=action_id, value=str(ticket.pk), action_ts=action_ts)
    response = post_interaction(client, payload, **headers)
    assert response.status_code == 200
    return response


def status_changes(ticket: SupportTicket) -> list[str]:
    return list(ticket.events.filter(action="status_changed").order_by("id").values_list("new_value", flat=True))


def test_a_late_repeat_of_a_click_does_not_undo_the_next_one(slack, client, posted_ticket):
    resolved_at, reopened_at = slack_ts(20), slack_ts(10)

    click(client, posted_ticket, "ticket_resolve", resolved_at)
    click(client, posted_ticket, "ticket_reopen", reopened_at)
    click(client, posted_ticket, "ticket_resolve", resolved_at, **RETRY)

    posted_ticket.refresh_from_db()
    assert posted_ticket.status == "open"
    assert status_changes(posted_ticket) == ["resolved", "open"]


def test_clicks_delivered_out_of_order_end_as_the_last_click_left_it(slack, client, posted_ticket):
    resolved_at, reopened_at, resolved_again_at = slack_ts(30), slack_ts(20), slack_ts(10)

    for action_id, at in (
        ("ticket_resolve", resolved_again_at),
        ("ticket_resolve", resolved_at),
        ("ticket_reopen", reopened_at),
        ("ticket_resolve", resolved_again_at),
        ("ticket_reopen", reopened_at),
    ):
        click(client, posted_ticket, action_id, at)

    posted_ticket.refresh_from_db()
    assert posted_ticket.status == "resolved"
    assert status_changes(posted_ticket) == ["resolved"]  # the last click's, once


def test_a_late_click_on_one_field_still_applies_to_another(slack, client, posted_ticket):
    """Ordering is per field: an older Assign to Me is not stale after a newer Resolve."""
    click(client, posted_ticket, "ticket_resolve", slack_ts(10))
    click(client, posted_ticket, "ticket_assign_me", slack_ts(20))
    click(client, posted_ticket, "ticket_assign_me", slack_ts(20), **RETRY)

    posted_ticket.refresh_from_db()
    assert (posted_ticket.status, posted_ticket.assigned_to) == ("resolved", "alex")
    assert posted_ticket.events.filter(action="assigned").count() == 1


# --- /create-ticket (slash command) ---


def create_ticket_command(client, *, trigger_id: str, text: str, **headers: str):
    form = {**fixture("slash_command"), "command": "/create-ticket", "text": text, "trigger_id": trigger_id}
    body = urlencode(form).encode()
    return post_signed(client, COMMANDS_URL, body, "application/x-www-form-urlencoded", **headers)


def test_a_retried_create_ticket_command_creates_one_ticket(slack, client):
    text = "dana@example.com Withdrawal stuck - Pending since Monday"
    first = create_ticket_command(client, trigger_id="111.222.first", text=text)
    retry = create_ticket_command(client, trigger_id="111.222.first", text=text, **RETRY)

    ticket = SupportTicket.objects.get()
    assert ticket.ticket_number in first.json()["text"]
    assert retry.status_code == 200
    assert retry.json()["text"] == "This command was already received: its ticket was created once."
    assert ticket.events.filter(action="created").count() == 1


def test_two_commands_each_make_their_own_ticket_whatever_the_order(slack, client):
    second = "erin@example.com Card declined - At checkout"
    first = "dana@example.com Withdrawal stuck - Pending since Monday"
    for trigger, text, headers in (("t.2", second, {}), ("t.1", first, {}), ("t.2", second, RETRY)):
        assert create_ticket_command(client, trigger_id=trigger, text=text, **headers).status_code == 200

    assert sorted(SupportTicket.objects.values_list("subject", flat=True)) == ["Card declined", "Withdrawal stuck"]
    assert InboundDelivery.objects.filter(integration="slack", key__startswith="command:").count() == 2
