"""POST /api/auth/ws-ticket: a WebSocket ticket (realtime/connection_tickets.py) for a signed-in
staff member, by JWT or session, as the rest of the API (staff only)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from .connection_tickets import TICKET_SECONDS, ticket_issue

_TICKET = inline_serializer(
    name="WebSocketTicket",
    fields={
        "ticket": serializers.CharField(help_text="Open /ws/admin/?ticket=<this> once, within expiresIn seconds."),
        "expiresIn": serializers.IntegerField(help_text="Seconds the ticket stays valid."),
    },
)


@extend_schema(
    request=None,
    responses=OpenApiResponse(_TICKET, description="A ticket for the signed-in staff member."),
    summary="A single-use ticket to open the live-events WebSocket with",
    description=(
        "For clients that cannot offer the token as a WebSocket subprotocol "
        '(`["fractionax.v1", "bearer.<JWT access>"]`, the preferred way): open '
        "`/ws/admin/?ticket=<ticket>` within `expiresIn` seconds; it works once. "
        "Unlike a JWT in the URL, a ticket that reaches a log is worth nothing."
    ),
    tags=["auth"],
)
@api_view(["POST"])
def websocket_ticket(request: Request) -> Response:
    assert request.user.pk is not None  # staff only (the API's default permission): signed in
    ticket = ticket_issue(user_id=request.user.pk)
    return Response({"ticket": ticket, "expiresIn": TICKET_SECONDS}, headers={"Cache-Control": "no-store"})
