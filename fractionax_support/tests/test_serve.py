"""The production server (gunicorn with uvicorn workers, fractionax_support/gunicorn_conf.py):
workers with listening sockets of their own, so connections that arrive together are
spread over them; restarted when they die; stopped on SIGTERM; a clear failure when the
address is taken; the proxy's X-Forwarded-For trusted from loopback."""

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fractionax_support.local_ports import free_port
from fractionax_support.server_command import server_command
from fractionax_support.tests.processes import BASE_DIR, listening, stop, wait_for

pytestmark = pytest.mark.slow
STARTUP_FAILURE = 3  # gunicorn's exit code for a worker that could not boot, and ours for a taken address


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


def workers(arbiter: subprocess.Popen[bytes]) -> list[int]:
    """gunicorn's worker processes: the arbiter's children."""
    try:
        return [int(pid) for pid in Path(f"/proc/{arbiter.pid}/task/{arbiter.pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


ESTABLISHED, LISTEN = "01", "0A"  # TCP states as /proc/net/tcp writes them


def sockets_of(pid: int, port: int, state: str) -> int:
    """How many of the process's sockets on local `port` are in `state`."""
    inodes = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:  # the process is gone
        return 0
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:  # closed while we looked (a worker starting up)
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state and fields[9] in inodes:
            count += 1
    return count


def test_connections_that_arrive_together_are_spread_over_the_workers(two_workers):
    arbiter, port = two_workers
    clients = [socket.socket() for _ in range(32)]
    for client in clients:  # all at once, as a load balancer's or a client pool's burst
        client.setblocking(False)
        client.connect_ex(("127.0.0.1", port))
    try:
        counts = wait_for(
            lambda: (
                (found := [sockets_of(pid, port, ESTABLISHED) for pid in workers(arbiter)])
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
    arbiter, port = two_workers
    killed = workers(arbiter)[0]

    os.kill(killed, signal.SIGKILL)

    replaced = wait_for(
        lambda: (now := workers(arbiter)) and len(now) == 2 and killed not in now and now, 60, "a new worker"
    )
    assert len(replaced) == 2
    wait_for(lambda: all(sockets_of(pid, port, LISTEN) for pid in replaced), 60, "the new worker to listen")
    assert listening(port)


def test_sigterm_stops_the_workers_and_then_the_arbiter(two_workers):
    arbiter, _ = two_workers
    pids = workers(arbiter)

    arbiter.terminate()

    assert arbiter.wait(timeout=20) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)


def test_an_address_in_use_fails_at_once():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # It exits by itself (gunicorn alone would restart workers that cannot bind forever).
        process = subprocess.run(server_command(port, workers=2), cwd=BASE_DIR, capture_output=True, timeout=60)

    assert process.returncode == STARTUP_FAILURE
    assert f"Cannot listen on 127.0.0.1:{port}".encode() in process.stderr


def test_the_client_address_comes_from_the_proxy_on_loopback(tmp_path):
    """As behind the TLS proxy: X-Forwarded-For is trusted from FORWARDED_ALLOW_IPS
    (127.0.0.1 by default), so the logs and the rate limits see the client, not the proxy."""
    port, log = free_port(), tmp_path / "server.log"
    with log.open("wb") as output:
        command = server_command(port, log_level="info", access_log=True, graceful_shutdown_seconds=1)
        process = subprocess.Popen(command, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: process.poll() is not None or listening(port), 60, "the server to listen")
            forwarded = {"X-Forwarded-For": "203.0.113.7"}
            assert requests.get(f"http://127.0.0.1:{port}/healthz", headers=forwarded, timeout=15).status_code == 200
            wait_for(lambda: "/healthz" in log.read_text(), 10, "the access log line")
        finally:
            stop(process)

    assert '203.0.113.7:0 - "GET /healthz HTTP/1.1" 200' in log.read_text()
