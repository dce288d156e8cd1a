"""The dashboards' WebSocket: staff only, receives every ticket event. It never writes."""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import groups

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class AdminConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not user.is_staff:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.channel_layer.group_add(groups.ADMIN, self.channel_name)

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(groups.ADMIN, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "join-admin":
            await self.send_json({"event": "joined"})

    async def ticket_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": message["event"], "data": message["data"]})
