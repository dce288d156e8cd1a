"""The ticket message's buttons: they act as the clicking Slack user (audited as slack),
answer at once, and the root message is redrawn through the outbox. A click on a message
that showed an older version of the ticket changes nothing and tells the user why."""

import time

import pytest
from slack_sdk.models.blocks import Block

from integrations.models import OutboxMessage
from integrations.slack import blocks
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
        """A click on a ticket's message as drawn from this ticket object (its version), or
        on a button with this value."""
        payload = fixture("block_actions")
        if isinstance(ticket_or_value, SupportTicket):
            value = blocks.button_value(ticket_or_value.pk, ticket_or_value.version)
        else:
            value = str(ticket_or_value)
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
    ticket.refresh_from_db()  # as the message now shows it

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
    ticket.refresh_from_db()
    click(ticket)  # Mark Resolved again, say from a second window on the redrawn message
    assert OutboxMessage.objects.filter(ticket=ticket, event="ticket-status-updated").count() == 1
    assert ticket.events.filter(action="status_changed").count() == 1


def test_the_buttons_carry_the_version_the_message_shows(slack, ticket, click):
    assert ticket.version == 1
    click(ticket, "ticket_assign_me")
    deliver(ticket)

    drawn = slack.calls_to("chat.update")[-1]["blocks"]
    for block in drawn:
        Block.parse(block).validate_json()  # raises on what Slack would refuse
    values = [value for label, value in buttons(drawn) if label in ("Mark Resolved", "Assign to Me")]
    assert values == [f"{ticket.pk}:2", f"{ticket.pk}:2"]


@pytest.mark.parametrize("action_id", ["ticket_resolve", "ticket_assign_me"])
def test_a_click_on_an_outdated_message_changes_nothing_and_tells_the_user_why(slack, ticket, click, action_id):
    """Another agent's change is made, and the message not yet redrawn, when Alex clicks."""
    shown = SupportTicket.objects.get(pk=ticket.pk)
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Sam <Other>", actor=TEST_ACTOR)

    assert click(shown, action_id).status_code == 200

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to, ticket.version) == ("open", "Sam <Other>", 2)
    clicked = ticket.events.filter(source="slack").exclude(action="synced")  # what a click changed
    assert not clicked.exists()
    told = slack.calls_to("chat.postEphemeral")
    assert [(call["channel"], call["user"]) for call in told] == [(ticket.slack_channel_id, "U0ALEX")]
    assert told[0]["text"] == (
        f":warning: Nothing changed: this message was out of date. *{ticket.ticket_number}* is now *Open* and "
        "assigned to *Sam &lt;Other&gt;*. The message is redrawn with every change; click again there if your "
        "change still applies."
    )

    deliver(ticket)  # the other agent's change redraws the message: its buttons work again
    ticket.refresh_from_db()
    click(ticket, action_id)
    assert clicked.count() == 1


def test_buttons_drawn_before_they_carried_a_version_still_act(slack, ticket, click):
    services.ticket_assign(ticket_id=ticket.pk, assigned_to="Sam", actor=TEST_ACTOR)
    click(str(ticket.pk))
    assert SupportTicket.objects.get(pk=ticket.pk).status == "resolved"


def test_the_name_falls_back_to_the_slack_username(slack, ticket, click):
    slack.users.clear()
    click(ticket, "ticket_assign_me")
    ticket.refresh_from_db()
    assert ticket.assigned_to == "alex"


@pytest.mark.parametrize("value", ["999999", "abc", "1e3", "٣", "-1", "9" * 40, "", "1:", "1:x", ":1", "1:2:3"])
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
