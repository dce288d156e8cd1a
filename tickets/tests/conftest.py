"""Fixtures shared by the ticket tests."""

import asyncio
import json
import queue
import threading
from typing import Any

import pytest
from channels.layers import get_channel_layer

from realtime import groups


@pytest.fixture
def dashboard():
    """A channel subscribed to the dashboards' group, as a connected consumer would be, on
    an event loop of its own that lives as long as the test (the pub/sub layer subscribes
    per loop). Call it with a count to wait for that many messages."""
    layer = get_channel_layer()
    received: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    subscribed, stop = threading.Event(), threading.Event()

    async def listen() -> None:
        channel = await layer.new_channel()
        await layer.group_add(groups.ADMIN, channel)
        subscribed.set()
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=0.2)
                received.put(json.loads(message["text"]))  # what the consumer sends on
            except TimeoutError:
                pass
        await layer.group_discard(groups.ADMIN, channel)

    listener = threading.Thread(target=asyncio.run, args=(listen(),))
    listener.start()
    assert subscribed.wait(5)

    yield lambda count: [received.get(timeout=5) for _ in range(count)]
    stop.set()
    listener.join(5)
