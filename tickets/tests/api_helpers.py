"""Shared helpers for the REST API contract tests (tickets/tests/test_api*.py)."""

from datetime import UTC, datetime
from typing import Any

import time_machine
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tickets.models import SupportTicket

URL = "/api/admin/support-tickets"
# A comment as the API shows it: in a ticket's detail and in the answer to adding one.
COMMENT_KEYS = {"id", "comment", "isInternal", "author", "authorType", "source", "createdAt", "attachments"}


def ticket_url(ticket: SupportTicket | int | str, action: str = "") -> str:
    key = ticket.pk if isinstance(ticket, SupportTicket) else ticket
    return f"{URL}/{key}/{action}".rstrip("/")


def client_for(user: Any) -> APIClient:
    """A client whose JWT is minted now: inside a time travel, the token is valid at the travelled time."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def frozen_at(moment: datetime) -> time_machine.travel:
    """Stop the clock at `moment` (the services stamp every change with timezone.now())."""
    return time_machine.travel(moment, tick=False)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value!r} has no zone"
    return parsed


def numbers(response: Response) -> list[str]:
    """The ticket numbers of a list response, in the order given."""
    assert response.status_code == 200, response.content
    return [row["ticketNumber"] for row in response.json()["results"]]


def list_tickets(client: APIClient, **params: Any) -> Response:
    return client.get(URL, params)
