"""Load primitives: N concurrent HTTP clients for a bounded time, and WebSocket fan-out.

Runs in the benchmark's own process, never the server's, and only ever talks to loopback.
"""

import asyncio
import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Raw:
    """A body sent as these bytes with these headers (a signed webhook) rather than as JSON."""

    data: bytes
    headers: dict[str, str]


Request = Callable[[int], tuple[str, str, dict[str, Any] | Raw | None]]  # i -> (method, path, body)
Answered = Callable[[int, int, bytes, float], None]  # (i, HTTP status, body, ms), for every answer


@dataclass
class Measured:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


async def run_clients(
    base: str,
    token: str,
    request: Request,
    *,
    clients: int,
    seconds: float,
    max_requests: int = 100_000,
    answered: Answered | None = None,
) -> Measured:
    """`clients` loops issuing requests back to back until `seconds` pass (or max_requests).
    An answer of 400 or more, or a connection that fails, is an error."""
    measured = Measured()
    deadline = time.perf_counter() + seconds
    counter = iter(range(max_requests))
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)  # a request hung that long is an error, not a wait
    async with aiohttp.ClientSession(base, headers=headers, connector=connector, timeout=timeout) as session:

        async def client() -> None:
            while time.perf_counter() < deadline:
                index = next(counter, None)
                if index is None:
                    return
                method, path, body = request(index)
                sent = {"data": body.data, "headers": body.headers} if isinstance(body, Raw) else {"json": body}
                started = time.perf_counter()
                try:
                    async with session.request(method, path, **sent) as response:  # type: ignore[arg-type]
                        content = await response.read()
                except (aiohttp.ClientError, TimeoutError) as error:
                    measured.errors.append(f"{method} {path}: {type(error).__name__}: {error}")
                    continue
                elapsed_ms = (time.perf_counter() - started) * 1000
                if answered is not None:
                    answered(index, response.status, content, elapsed_ms)
                if response.status >= 400:
                    measured.errors.append(f"{method} {path}: {response.status} {content[:200]!r}")
                    continue
                measured.latencies_ms.append(elapsed_ms)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        measured.elapsed_s = time.perf_counter() - started
    return measured


async def websocket_fanout(
    base: str, token: str, trigger: Callable[[aiohttp.ClientSession, int], Any], *, sockets: int, rounds: int
) -> Measured:
    """Opens `sockets` dashboards, then `rounds` times (after one round to warm up) makes a
    change (`trigger` must assign a ticket) and times how long its event takes to reach
    every dashboard."""
    measured = Measured()
    ws_url = base.replace("http", "ws", 1) + f"/ws/admin/?token={token}"
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        connections = []
        for batch in range(0, sockets, 100):
            opened = await asyncio.gather(
                *(session.ws_connect(ws_url, heartbeat=None) for _ in range(min(100, sockets - batch)))
            )
            connections.extend(opened)
        for ws in connections:
            await ws.send_json({"type": "join-admin"})
        await asyncio.gather(*(ws.receive_json(timeout=30) for ws in connections))
        # The 1,000 sockets' objects stay for the whole measurement: out of the collector's
        # way, so its full passes over them do not land in the load generator's timings.
        gc.collect()
        gc.freeze()

        api = aiohttp.ClientSession(base, headers={"Authorization": f"Bearer {token}"})
        started_all = time.perf_counter()
        for round_number in range(rounds + 1):  # the first round warms up, unmeasured
            sent = time.perf_counter()

            async def arrival(ws: aiohttp.ClientWebSocketResponse, sent: float = sent) -> float:
                while True:
                    message = await ws.receive_json(timeout=30)
                    if message.get("event") == "ticket-assigned":
                        return (time.perf_counter() - sent) * 1000

            waiting = [asyncio.ensure_future(arrival(ws)) for ws in connections]
            await trigger(api, round_number)
            try:
                latencies = await asyncio.gather(*waiting)
                if round_number:
                    measured.latencies_ms.extend(latencies)
            except TimeoutError:
                measured.errors.append(f"round {round_number}: not every dashboard got the event in 30 s")
                for task in waiting:
                    task.cancel()
        measured.elapsed_s = time.perf_counter() - started_all
        await api.close()
        await asyncio.gather(*(ws.close() for ws in connections))
    return measured
