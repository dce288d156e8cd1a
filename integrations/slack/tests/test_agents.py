"""Slack users who are agents (Agent.slack_user_id): Assign to Me assigns the agent, what
they do from Slack carries the agent's display name, and SLA alerts mention them. Without
an agent for the clicking user, the click assigns their name, as before agents existed."""

from datetime import timedelta

import pytest
import time_machine

from integrations.slack import blocks
from tickets import services
from tickets.models import SupportTicket
from tickets.tests.factories import make_agent

from .helpers import deliver, fixture, post_event, post_interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(slack, agent, posted_ticket):
    """Slack also knows U0ALEX by the e-mail of the Django user Alex Agent."""
    slack.add_user("U0ALEX", email=agent.email, real_name="Alex in Slack")
    return posted_ticket


@pytest.fixture
def assign_to_me(client, django_capture_on_commit_callbacks):
    """The Assign to Me button clicked by a Slack user, in Slack's block_actions shape."""

    def click(ticket: SupportTicket, user_id: str = "U0ALEX"):
        payload = fixture("block_actions")
        payload["user"]["id"] = user_id
        payload["actions"][0].update(
            action_id=blocks.ACTION_ASSIGN_ME, value=blocks.button_value(ticket.pk, ticket.version)
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = post_interaction(client, payload)
        assert response.status_code == 200
        ticket.refresh_from_db()
        return ticket

    return click


def test_assign_to_me_assigns_the_agent_with_the_clicking_slack_user_id(slack, ticket, assign_to_me):
    # The agent's name differs from what users.info and the e-mail would give.
    alex = make_agent("Alex A.", slack_user_id="U0ALEX")

    ticket = assign_to_me(ticket)

    assert (ticket.assignee, ticket.assigned_to) == (alex, "Alex A.")
    assigned = ticket.events.get(action="assigned")
    assert (assigned.actor, assigned.source, assigned.new_value) == ("Alex A.", "slack", "Alex A.")
    assert slack.methods == []  # the agent is known here: Slack is not asked who they are
    deliver(ticket)
    assert slack.calls_to("chat.postMessage")[0]["text"] == ":bust_in_silhouette: Assigned to *Alex A.*"


def test_another_agents_slack_id_does_not_take_the_click(slack, ticket, assign_to_me):
    make_agent("Sam Other", slack_user_id="U0SAM")

    ticket = assign_to_me(ticket)

    # No agent is U0ALEX: the clicking user's name, as resolved through Slack.
    assert (ticket.assignee, ticket.assigned_to) == (None, "Alex Agent")
    assert slack.methods == ["users.info"]


def test_without_a_slack_id_an_agent_named_as_the_user_is_still_found(slack, ticket, assign_to_me):
    alex = make_agent("Alex Agent")  # no Slack user id: found by the name Slack's user resolves to

    ticket = assign_to_me(ticket)

    assert (ticket.assignee, ticket.assigned_to) == (alex, "Alex Agent")


def test_a_thread_reply_by_an_agent_carries_the_agents_display_name(slack, client, ticket):
    make_agent("Alex A.", slack_user_id="U0ALEX")
    envelope = fixture("thread_reply")
    envelope["event"].update(thread_ts=ticket.slack_thread_id, channel=ticket.slack_channel_id)

    assert post_event(client, envelope).status_code == 200

    [comment] = ticket.comments.all()
    assert (comment.author, comment.source) == ("Alex A.", "slack")


def test_an_sla_alert_mentions_the_agents_slack_user(slack, ticket, assign_to_me, django_capture_on_commit_callbacks):
    make_agent("Alex A.", slack_user_id="U0ALEX")
    ticket = assign_to_me(ticket)
    deliver(ticket)
    slack.calls.clear()
    later = ticket.response_deadline + timedelta(minutes=1)

    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.tickets_announce_sla_breaches(now=later)
        assert deliver(ticket) == 1

    assert "users.lookupByEmail" not in slack.methods  # the agent says who they are in Slack
    alert = slack.calls_to("chat.postMessage")[0]
    assert alert["text"] == ":rotating_light: *SLA breached*: first response deadline missed. <@U0ALEX>"
