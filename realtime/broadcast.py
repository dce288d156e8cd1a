"""Sends domain events to every connected dashboard through the channel layer."""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from . import groups

logger = logging.getLogger(__name__)


def broadcast(event: str, data: dict[str, Any]) -> None:
    """Best effort: with the channel layer down, live updates pause; nothing else fails."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(groups.ADMIN, {"type": "ticket.event", "event": event, "data": data})
    except Exception:
        logger.warning("Could not broadcast %s", event, exc_info=True)
