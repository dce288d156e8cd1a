"""Signed Slack requests, built as Slack builds them, and outbox delivery."""

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.test import Client

from integrations import outbox
from tickets.models import SupportTicket

from .conftest import SIGNING_SECRET

EVENTS_URL = "/api/webhooks/slack"
COMMANDS_URL = "/api/webhooks/slack/slash-commands"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def signature(body: bytes, timestamp: str, secret: str = SIGNING_SECRET) -> str:
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def post_signed(
    client: Client,
    path: str,
    body: bytes,
    content_type: str,
    *,
    timestamp: str | None = None,
    secret: str = SIGNING_SECRET,
    **headers: str,
) -> Any:
    timestamp = timestamp if timestamp is not None else str(int(time.time()))
    return client.post(
        path,
        data=body,
        content_type=content_type,
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=signature(body, timestamp, secret),
        **headers,
    )


def post_event(client: Client, envelope: dict[str, Any] | bytes, **kwargs: Any) -> Any:
    body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
    return post_signed(client, EVENTS_URL, body, "application/json", **kwargs)


def post_interaction(client: Client, payload: dict[str, Any] | str, **kwargs: Any) -> Any:
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    return post_signed(
        client, EVENTS_URL, urlencode({"payload": raw}).encode(), "application/x-www-form-urlencoded", **kwargs
    )


def post_command(client: Client, command: str, text: str = "", trigger_id: str | None = None, **kwargs: Any) -> Any:
    form = {**fixture("slash_command"), "command": command, "text": text}
    if trigger_id is not None:  # each command Slack sends has its own; a retry repeats it
        form["trigger_id"] = trigger_id
    return post_signed(client, COMMANDS_URL, urlencode(form).encode(), "application/x-www-form-urlencoded", **kwargs)


def deliver(ticket: SupportTicket | int) -> int:
    """What the Celery task does after commit: sends the ticket's due Slack messages."""
    return outbox.deliver_pending("slack", ticket if isinstance(ticket, int) else ticket.pk)
