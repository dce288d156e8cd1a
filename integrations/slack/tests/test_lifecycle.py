"""A ticket's whole life with the fake Slack: created in the API, assigned by button,
discussed in the thread, resolved by button through a Slack outage, closed in the API.
Both sides are checked at each step."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from .conftest import CHANNEL
from .helpers import deliver, fixture, post_event, post_interaction
from .slack_messages import buttons, shown

pytestmark = pytest.mark.django_db
API = "/api/admin/support-tickets"


def test_whole_life(slack, client, staff_client, agent, django_capture_on_commit_callbacks):
    slack.add_user("U0ALEX", email=agent.email, real_name="Alex in Slack")

    def committed(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    def click(ticket_id, action_id):
        payload = fixture("block_actions")
        payload["actions"][0].update(action_id=action_id, value=str(ticket_id))
        response = committed(lambda: post_interaction(client, payload))
        assert response.status_code == 200

    def ticket_json():
        return staff_client.get(f"{API}/{ticket_id}").json()

    # Created in the API: the support channel gets the root message.
    created = committed(
        lambda: staff_client.post(
            API,
            {"subject": "Cannot withdraw", "description": "Stuck for 2 days", "customerEmail": "dana@example.com"},
            format="json",
        )
    )
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    assert deliver(ticket_id) == 1
    [root] = slack.calls_to("chat.postMessage")
    assert root["channel"] == CHANNEL
    link = ticket_json()["integration"]["slack"]
    assert link["messageTs"] == link["threadId"] == slack.posted[0]["ts"]

    # Assigned by button: the ticket is the clicking agent's; the message says so.
    click(ticket_id, "ticket_assign_me")
    assert ticket_json()["assignedTo"] == "Alex Agent"
    deliver(ticket_id)
    assert "*Assigned to*\nAlex Agent" in shown(slack.calls_to("chat.update")[-1]["blocks"])
    assert slack.calls_to("chat.postMessage")[-1]["text"] == ":bust_in_silhouette: Assigned to *Alex Agent*"

    # A reply in the thread: an internal comment, not echoed back.
    envelope = fixture("thread_reply")
    envelope["event"]["thread_ts"] = link["threadId"]
    calls_before = len(slack.calls)
    assert committed(lambda: post_event(client, envelope)).status_code == 200
    [comment] = staff_client.get(f"{API}/{ticket_id}").json()["comments"]
    assert (comment["isInternal"], comment["author"], comment["source"]) == (True, "Alex Agent", "slack")
    assert deliver(ticket_id) == 0
    assert [method for method in slack.methods[calls_before:] if method.startswith("chat.")] == []

    # Resolved by button while Slack is failing: the ticket is resolved at once; the
    # message catches up when Slack is back, and the status shows both.
    slack.fail("chat.update", status=503, error="service_unavailable")
    click(ticket_id, "ticket_resolve")
    assert ticket_json()["status"] == "resolved"
    assert ticket_json()["resolution"]["resolvedBy"] == "Alex Agent"
    assert deliver(ticket_id) == 0
    status = staff_client.get(f"{API}/integration-status").json()["slack"]
    assert status["status"] == "error" and "service_unavailable" in status["lastError"]
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        assert deliver(ticket_id) == 1
    status = staff_client.get(f"{API}/integration-status").json()["slack"]
    assert (status["status"], status["lastError"]) == ("ok", None)
    resolved = slack.calls_to("chat.update")[-1]["blocks"]
    assert [label for label, _ in buttons(resolved)] == ["View Ticket", "Reopen"]
    assert slack.calls_to("chat.postMessage")[-1]["text"] == ":arrows_counterclockwise: Status: Open → *Resolved*"

    # Closed in the API: the message is archived.
    response = committed(lambda: staff_client.put(f"{API}/{ticket_id}/status", {"status": "closed"}, format="json"))
    assert response.status_code == 200
    deliver(ticket_id)
    assert "Archived" in shown(slack.calls_to("chat.update")[-1]["blocks"])
    assert slack.calls_to("chat.postMessage")[-1]["text"] == ":arrows_counterclockwise: Status: Resolved → *Closed*"
    assert ticket_json()["integration"]["slack"]["isArchived"] is True

    # The audit trail tells who did what, and through which door.
    trail = [
        (row["action"], row["actor"], row["source"]) for row in staff_client.get(f"{API}/{ticket_id}/activity").json()
    ]
    assert ("assigned", "Alex Agent", "slack") in trail
    assert ("commented", "Alex Agent", "slack") in trail
    assert ("status_changed", "Alex Agent", "slack") in trail
    assert [row for row in trail if row[0] == "status_changed"][-1][2] == "api"
    # Exactly one root message was ever posted.
    assert len([args for args in slack.calls_to("chat.postMessage") if "thread_ts" not in args]) == 1
