"""The production server's supervisor: workers with listening sockets of their own, so
connections that arrive together are spread over them; restarted when they die; stopped
on SIGTERM; a clear failure when the address is taken."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from fractionax_support.local_ports import free_port
from fractionax_support.serve import APPLICATION, arguments, uvicorn_options
from fractionax_support.server_command import server_command
from fractionax_support.tests.processes import BASE_DIR, listening, stop, wait_for

pytestmark = pytest.mark.slow
STARTUP_FAILURE = 3  # uvicorn's exit code for a server that could not start


@pytest.fixture
def two_workers() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    process = subprocess.Popen(server_command(port, workers=2, graceful_shutdown_seconds=1), cwd=BASE_DIR)
    try:
        wait_for(
            lambda: len(workers(process)) == 2 and all(sockets_of(pid, port, LISTEN) for pid in workers(process)),
            60,
            "both workers to listen",
        )
        yield process, port
    finally:
        stop(process)


def workers(supervisor: subprocess.Popen[bytes]) -> list[int]:
    """The supervisor's worker processes (multiprocessing also starts a resource tracker)."""
    try:
        children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    return [int(pid) for pid in children if b"resource_tracker" not in _cmdline(int(pid))]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


ESTABLISHED, LISTEN = "01", "0A"  # TCP states as /proc/net/tcp writes them


def sockets_of(pid: int, port: int, state: str) -> int:
    """How many of the process's sockets on local `port` are in `state`."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


def test_connections_that_arrive_together_are_spread_over_the_workers(two_workers):
    supervisor, port = two_workers
    clients = [socket.socket() for _ in range(32)]
    for client in clients:  # all at once, as a load balancer's or a client pool's burst
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
    try:
        counts = wait_for(
            lambda: (
                (found := [sockets_of(pid, port, ESTABLISHED) for pid in workers(supervisor)])
                and sum(found) == 32
                and found
            ),
            10,
            "every connection to be accepted",
        )
    finally:
        for client in clients:
            client.close()

    assert min(counts) > 0, counts  # with one shared socket, one worker took all 32


def test_a_worker_that_dies_is_replaced(two_workers):
    supervisor, port = two_workers
    killed = workers(supervisor)[0]

    os.kill(killed, signal.SIGKILL)

    replaced = wait_for(
        lambda: (now := workers(supervisor)) and len(now) == 2 and killed not in now and now, 60, "a new worker"
    )
    assert len(replaced) == 2
    assert listening(port)


def test_sigterm_stops_the_workers_and_then_the_supervisor(two_workers):
    supervisor, _ = two_workers
    pids = workers(supervisor)

    supervisor.terminate()

    assert supervisor.wait(timeout=20) == 0
    assert not any(Path(f"/proc/{pid}").exists() and b"spawn" in _cmdline(pid) for pid in pids)


def test_an_address_in_use_fails_at_once_with_uvicorns_startup_failure():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()

        process = subprocess.run(server_command(port, workers=2), cwd=BASE_DIR, capture_output=True, timeout=60)

    assert process.returncode == STARTUP_FAILURE
    assert b"Cannot listen" in process.stderr
    assert time.monotonic() - started < 30


def test_the_command_line_makes_uvicorns_configuration(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    args = arguments(["--port", "9000", "--no-proxy-headers", "--no-access-log", "--log-level", "trace"])
    config = uvicorn.Config(APPLICATION, **uvicorn_options(args))

    assert args.workers == 3  # as uvicorn's own command line reads it
    assert (config.port, config.proxy_headers, config.access_log, config.lifespan) == (9000, False, False, "off")
    assert arguments([]).proxy_headers is True  # uvicorn's default
