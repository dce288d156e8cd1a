"""Sends the domain's committed events to every connected dashboard through the channel
layer, as realtime.messages words them.

Best effort: with the channel layer (Redis) down, live updates pause and nothing else
fails. After a failure, sends are skipped for a few seconds, so a dead Redis costs one
connect timeout now and then rather than one per ticket change.
"""

import json
import logging
import time
from typing import Any

from channels.layers import get_channel_layer

from tickets.events import DomainEvent

from . import groups
from .messages import message

logger = logging.getLogger(__name__)

PAUSE_AFTER_FAILURE_SECONDS = 10.0
_paused_until = 0.0


def paused() -> bool:
    return time.monotonic() < _paused_until


async def broadcast_events(events: list[DomainEvent]) -> None:
    """Subscribed to the domain's committed events (RealtimeConfig.ready)."""
    for event in events:
        await broadcast(message(event))


async def broadcast(content: dict[str, Any]) -> None:
    """Sends `{"event": ..., "data": ...}` to every connected dashboard."""
    global _paused_until
    layer = get_channel_layer()
    if layer is None or paused():
        return
    try:
        # Encoded once here, not once per socket: every dashboard is sent the same text.
        text = json.dumps(content)
        await layer.group_send(groups.ADMIN, {"type": "ticket.event", "text": text})
    except Exception:
        _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE_SECONDS
        logger.warning("Could not broadcast %s; live updates pause for a while", content["event"], exc_info=True)
