"""Every Slack endpoint refuses a request it cannot prove is Slack's (bad, missing or
replayed signature) with 401, before reading it: nothing is stored.

Each request here would change something if accepted (the first test shows it does);
the signature check itself is the SDK's, which compares with hmac.compare_digest."""

import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from integrations.models import InboundDelivery, OutboxMessage
from tickets.models import SupportTicket, TicketComment, TicketEvent

from .helpers import COMMANDS_URL, EVENTS_URL, fixture, signature

pytestmark = pytest.mark.django_db

JSON, FORM = "application/json", "application/x-www-form-urlencoded"


def thread_reply(ticket: SupportTicket) -> tuple[str, bytes, str]:
    envelope = fixture("thread_reply")
    envelope["event"].update(thread_ts=ticket.slack_thread_id, channel=ticket.slack_channel_id)
    return EVENTS_URL, json.dumps(envelope).encode(), JSON


def button_click(ticket: SupportTicket) -> tuple[str, bytes, str]:
    payload = fixture("block_actions")
    payload["actions"][0].update(action_id="ticket_resolve", value=str(ticket.pk))
    return EVENTS_URL, urlencode({"payload": json.dumps(payload)}).encode(), FORM


def form_submission(ticket: SupportTicket) -> tuple[str, bytes, str]:
    return EVENTS_URL, urlencode({"payload": json.dumps(fixture("view_submission"))}).encode(), FORM


def create_ticket_command(ticket: SupportTicket) -> tuple[str, bytes, str]:
    form = {**fixture("slash_command"), "command": "/create-ticket", "text": "dana@example.com Stuck - Since Monday"}
    return COMMANDS_URL, urlencode(form).encode(), FORM


REQUESTS: dict[str, Callable[[SupportTicket], tuple[str, bytes, str]]] = {
    "event: thread reply": thread_reply,
    "interactivity: button": button_click,
    "interactivity: form": form_submission,
    "slash command": create_ticket_command,
}


def now() -> str:
    return str(int(time.time()))


# How each refused request is signed: the headers it carries, from its body.
REFUSALS: dict[str, Callable[[bytes], dict[str, str]]] = {
    "wrong secret": lambda body: {"timestamp": now(), "signature": signature(body, now(), "not-our-secret")},
    "signature of another body": lambda body: {"timestamp": now(), "signature": signature(body + b" ", now())},
    "no signature": lambda body: {"timestamp": now()},
    "no timestamp": lambda body: {"signature": signature(body, now())},
    "no headers": lambda body: {},
    "signed 5 minutes and 1 second ago": lambda body: {
        "timestamp": (old := str(int(time.time()) - 301)),
        "signature": signature(body, old),
    },
    "signed an hour ago": lambda body: {
        "timestamp": (old := str(int(time.time()) - 3600)),
        "signature": signature(body, old),
    },
    "signed for 10 minutes ahead": lambda body: {
        "timestamp": (ahead := str(int(time.time()) + 600)),
        "signature": signature(body, ahead),
    },
}


def send(client, request: tuple[str, bytes, str], *, timestamp: str | None = None, signature: str | None = None):
    path, body, content_type = request
    headers = {}
    if timestamp is not None:
        headers["HTTP_X_SLACK_REQUEST_TIMESTAMP"] = timestamp
    if signature is not None:
        headers["HTTP_X_SLACK_SIGNATURE"] = signature
    return client.post(path, data=body, content_type=content_type, **headers)


def stored(ticket: SupportTicket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        SupportTicket.objects.count(),
        TicketComment.objects.count(),
        TicketEvent.objects.count(),
        InboundDelivery.objects.count(),
        OutboxMessage.objects.count(),
        ticket.status,
        ticket.assigned_to,
    )


@pytest.mark.parametrize("kind", list(REQUESTS))
def test_each_request_when_correctly_signed_changes_something(slack, client, posted_ticket, kind):
    request = REQUESTS[kind](posted_ticket)
    before = stored(posted_ticket)
    timestamp = now()

    response = send(client, request, timestamp=timestamp, signature=signature(request[1], timestamp))

    assert response.status_code == 200
    assert stored(posted_ticket) != before


@pytest.mark.parametrize("refusal", list(REFUSALS))
@pytest.mark.parametrize("kind", list(REQUESTS))
def test_a_request_not_provably_from_slack_is_401_and_stores_nothing(slack, client, posted_ticket, kind, refusal):
    request = REQUESTS[kind](posted_ticket)
    before = stored(posted_ticket)

    response = send(client, request, **REFUSALS[refusal](request[1]))

    assert response.status_code == 401
    assert stored(posted_ticket) == before
    assert slack.calls == []  # not even a users.info for the author
