"""The ticket message's buttons: they act as the clicking Slack user (audited as slack),
answer at once, and the root message is redrawn through the outbox."""

import time

import pytest

from integrations.models import OutboxMessage
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.factories import TEST_ACTOR

from .helpers import deliver, fixture, post_interaction
from .slack_messages import buttons

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(slack, agent, posted_ticket):
    slack.add_user("U0ALEX", email=agent.email, real_name="Alex in Slack")
    return posted_ticket


@pytest.fixture
def click(client, django_capture_on_commit_callbacks):
    def run(ticket_or_value, action_id="ticket_resolve", **kwargs):
        payload = fixture("block_actions")
        value = str(getattr(ticket_or_value, "pk", ticket_or_value))
        payload["actions"][0].update(action_id=action_id, value=value)
        with django_capture_on_commit_callbacks(execute=True):
            return post_interaction(client, payload, **kwargs)

    return run


def test_mark_resolved_resolves_as_the_clicking_user_and_redraws_the_message(slack, ticket, click):
    response = click(ticket)

    assert response.status_code == 200
    # Slack wants the answer within 3 s: the redraw is the outbox's, after the answer.
    assert slack.methods == ["users.info"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_by) == ("resolved", "Alex Agent")
    changed = ticket.events.get(action="status_changed")
    assert (changed.actor, changed.source, changed.new_value) == ("Alex Agent", "slack", "resolved")

    assert deliver(ticket) == 1
    assert [call.method for call in slack.calls] == ["users.info", "chat.update", "chat.postMessage"]
    update, line = slack.calls_to("chat.update")[0], slack.calls_to("chat.postMessage")[0]
    assert update["ts"] == ticket.slack_message_ts
    assert [label for label, _ in buttons(update["blocks"])] == ["View Ticket", "Reopen"]
    assert line["text"] == ":arrows_counterclockwise: Status: Open → *Resolved*"


def test_assign_to_me_assigns_the_clicking_users_display_name(slack, ticket, click):
    assert click(ticket, "ticket_assign_me").status_code == 200

    ticket.refresh_from_db()
    assert ticket.assigned_to == "Alex Agent"
    assigned = ticket.events.get(action="assigned")
    assert (assigned.actor, assigned.source) == ("Alex Agent", "slack")
    deliver(ticket)
    assert slack.calls_to("chat.postMessage")[0]["text"] == ":bust_in_silhouette: Assigned to *Alex Agent*"


def test_reopen(slack, ticket, click, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket_id=ticket.pk, status="closed", actor=TEST_ACTOR)
    deliver(ticket)

    click(ticket, "ticket_reopen")

    ticket.refresh_from_db()
    assert ticket.status == "open"
    deliver(ticket)
    ticket.refresh_from_db()
    assert ticket.slack_is_archived is False
    assert [label for label, _ in buttons(slack.calls_to("chat.update")[-1]["blocks"])][1:] == [
        "Mark Resolved",
        "Assign to Me",
    ]


def test_a_click_that_changes_nothing_sends_nothing(slack, ticket, click):
    click(ticket)
    deliver(ticket)
    click(ticket)  # a second click on a stale message
    assert OutboxMessage.objects.filter(ticket=ticket, event="ticket-status-updated").count() == 1
    assert ticket.events.filter(action="status_changed").count() == 1


def test_the_name_falls_back_to_the_slack_username(slack, ticket, click):
    slack.users.clear()
    click(ticket, "ticket_assign_me")
    ticket.refresh_from_db()
    assert ticket.assigned_to == "alex"


@pytest.mark.parametrize("value", ["999999", "abc", "1e3", "٣", "-1", "9" * 40, ""])
def test_unknown_or_malformed_ticket_values_are_ignored(slack, ticket, click, value):
    assert click(value).status_code == 200
    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"


def test_link_buttons_only_need_the_acknowledgement(slack, ticket, click):
    assert click(ticket, "ticket_view").status_code == 200
    assert click(ticket, "ticket_helpscout").status_code == 200
    assert slack.calls == []


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ("not json", 400),
        ("[]", 400),
        ('{"type": "block_actions"}', 400),
        ('{"type": "block_actions", "user": {"id": 5}}', 400),
        ('{"type": "block_actions", "user": {"id": "U0ALEX"}, "actions": "resolve"}', 400),
        ('{"type": "block_actions", "user": {"id": "U0ALEX"}, "actions": [1, null, {"action_id": ["x"]}]}', 200),
        ('{"type": "block_actions", "user": {"id": "U0ALEX"}, "actions": [{"action_id": "ticket_resolve"}]}', 200),
        ('{"type": "shortcut", "user": {"id": "U0ALEX"}}', 200),
        ('{"type": "view_submission", "user": {"id": "U0ALEX"}, "view": []}', 200),
    ],
)
def test_malformed_payloads_get_400_or_are_ignored_never_500(slack, client, ticket, payload, status):
    assert post_interaction(client, payload).status_code == status
    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"


def test_a_bad_signature_changes_nothing(slack, ticket, click):
    assert click(ticket, secret="forged").status_code == 401
    assert click(ticket, timestamp=str(int(time.time()) - 600)).status_code == 401
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert not OutboxMessage.objects.filter(ticket=ticket, delivered_at__isnull=True).exists()


def test_an_overlong_slack_name_is_cut_to_fit(slack, ticket, client, django_capture_on_commit_callbacks):
    slack.users.clear()
    payload = fixture("block_actions")
    payload["user"]["name"] = "n" * 300
    payload["actions"][0].update(action_id="ticket_assign_me", value=str(ticket.pk))
    assert post_interaction(client, payload).status_code == 200
    ticket.refresh_from_db()
    assert ticket.assigned_to == "n" * 100


def test_a_user_id_that_is_not_slacks_is_refused(slack, ticket, client):
    payload = fixture("block_actions")
    payload["user"]["id"] = "not a slack id"
    payload["actions"][0]["value"] = str(ticket.pk)
    assert post_interaction(client, payload).status_code == 400
    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"
