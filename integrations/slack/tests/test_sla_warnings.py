"""SLA warnings in Slack: a line in the ticket's thread, once, mentioning who works it."""

import pytest
import time_machine

from tickets import services
from tickets.tests.factories import TEST_ACTOR, make_agent, make_ticket

from .helpers import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(django_capture_on_commit_callbacks):
    """Runs a change and commits it (its after-commit work included)."""

    def run(function, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def posted(slack, change):
    """An urgent ticket whose root message is in the channel; the calls list starts empty."""
    ticket = change(make_ticket, priority="urgent")
    assert deliver(ticket) == 1
    slack.calls.clear()
    ticket.refresh_from_db()
    return ticket


def warn(slack, change, ticket) -> list[str]:
    """The minutely check when the response warning is due, delivered; the thread lines posted."""
    slack.calls.clear()
    moment = ticket.response_warning_at
    with time_machine.travel(moment, tick=False):
        assert change(services.tickets_announce_sla_warnings, now=moment) == 1
        assert change(services.tickets_announce_sla_warnings, now=moment) == 0
        assert deliver(ticket) == 1
    lines = slack.calls_to("chat.postMessage")
    assert {line["thread_ts"] for line in lines} == {ticket.slack_thread_id}
    return [line["text"] for line in lines]


def due(ticket) -> str:
    deadline = ticket.response_deadline
    return f"<!date^{int(deadline.timestamp())}^{{date_short_pretty}} {{time}}|{deadline:%Y-%m-%d %H:%M} UTC>"


def test_the_warning_mentions_the_assignees_slack_user(slack, change, posted):
    make_agent("Alex Agent", slack_user_id="U0ALEX")
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="Alex Agent", actor=TEST_ACTOR)
    deliver(posted)

    assert warn(slack, change, posted) == [
        f":hourglass_flowing_sand: *SLA warning*: first response due {due(posted)} (in 6 min). <@U0ALEX>"
    ]
    assert "users.lookupByEmail" not in slack.methods  # the agent says who they are in Slack


def test_the_warning_names_an_assignee_unknown_to_slack(slack, change, posted):
    change(services.ticket_assign, ticket_id=posted.pk, assigned_to="Support Team <&>", actor=TEST_ACTOR)
    deliver(posted)

    assert warn(slack, change, posted) == [
        f":hourglass_flowing_sand: *SLA warning*: first response due {due(posted)} (in 6 min)."
        " Assigned to *Support Team &lt;&amp;&gt;*."
    ]


def test_the_warning_says_when_nobody_is_assigned(slack, change, posted):
    assert warn(slack, change, posted) == [
        f":hourglass_flowing_sand: *SLA warning*: first response due {due(posted)} (in 6 min). Unassigned."
    ]
