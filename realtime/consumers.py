"""The dashboards' WebSocket: staff only, receives every ticket event. It never writes.

Presence: a client viewing a ticket page says so with {"type": "view-ticket", "ticketId": N}.
Viewers of one ticket share a group; a newcomer announces itself and each viewer already
there answers it directly, so every page learns who else is on the ticket without shared
storage, across processes. Each page is sent {"event": "presence", "data": {"ticketId",
"viewers": [names of the other viewers]}} whenever that list changes.
"""

import json
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tickets.actors import display_name

from . import groups
from .auth import chosen_subprotocol

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class AdminConsumer(AsyncJsonWebsocketConsumer):
    viewing: int | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accepted first, refusals then closed with a code: a browser sees 4401/4403 only on
        # an accepted socket. With the client's protocol, never the bearer token it offered.
        await self.accept(subprotocol=chosen_subprotocol(self.scope))
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not user.is_staff:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.name = display_name(user)
        self.others: dict[str, str] = {}  # channel name -> display name of the other viewers
        await self.channel_layer.group_add(groups.ADMIN, self.channel_name)

    async def disconnect(self, code: int) -> None:
        await self._stop_viewing()
        await self.channel_layer.group_discard(groups.ADMIN, self.channel_name)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except ValueError:
            return None  # a malformed message is ignored, not a reason to drop the socket

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "join-admin":
            await self.send_json({"event": "joined"})
        elif kind == "view-ticket" and type(content.get("ticketId")) is int:
            await self._start_viewing(content["ticketId"])
        elif kind == "leave-ticket":
            await self._stop_viewing()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels first closes stale database connections on a worker thread for every
        # message: a thread hop per socket per event (1,000 per event at 1,000
        # dashboards). A ticket event touches no database, so it goes straight through.
        if message["type"] == "ticket.event":
            await self.ticket_event(message)
        else:
            await super().dispatch(message)

    # --- ticket events, from realtime.broadcast ---

    async def ticket_event(self, message: dict[str, Any]) -> None:
        await self.send(text_data=message["text"])  # {"event": ..., "data": ...}, encoded by the sender

    # --- presence ---

    async def _start_viewing(self, ticket_id: int) -> None:
        if ticket_id == self.viewing:
            return
        await self._stop_viewing()
        self.viewing = ticket_id
        await self.channel_layer.group_add(groups.ticket_viewers(ticket_id), self.channel_name)
        await self.channel_layer.group_send(
            groups.ticket_viewers(ticket_id),
            {"type": "presence.join", "channel": self.channel_name, "name": self.name, "ticket_id": ticket_id},
        )
        await self._send_presence()

    async def _stop_viewing(self) -> None:
        if self.viewing is None:
            return
        group = groups.ticket_viewers(self.viewing)
        await self.channel_layer.group_discard(group, self.channel_name)
        await self.channel_layer.group_send(group, {"type": "presence.leave", "channel": self.channel_name})
        self.viewing = None
        self.others = {}

    async def presence_join(self, message: dict[str, Any]) -> None:
        if message["channel"] == self.channel_name or message["ticket_id"] != self.viewing:
            return
        self.others[message["channel"]] = message["name"]
        await self.channel_layer.send(
            message["channel"],
            {"type": "presence.here", "channel": self.channel_name, "name": self.name, "ticket_id": self.viewing},
        )
        await self._send_presence()

    async def presence_here(self, message: dict[str, Any]) -> None:
        if message["ticket_id"] != self.viewing:
            return
        self.others[message["channel"]] = message["name"]
        await self._send_presence()

    async def presence_leave(self, message: dict[str, Any]) -> None:
        if self.others.pop(message["channel"], None) is not None:
            await self._send_presence()

    async def _send_presence(self) -> None:
        await self.send_json(
            {"event": "presence", "data": {"ticketId": self.viewing, "viewers": sorted(set(self.others.values()))}}
        )
