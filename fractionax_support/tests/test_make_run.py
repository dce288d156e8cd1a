"""`make run` for real, as a new user runs it: SQLite, the filesystem broker, a worker with two
processes and beat beside the web server. It must stop completely within 10 s of SIGTERM or
Ctrl-C, and leave the checkout as it found it (its files go under var/).

Each test runs in a fresh copy of the checkout (its own var/ and broker folder, a git
repository of its own to ask for untracked files), with this test run's virtualenv.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from fractionax_support.local_ports import free_port
from fractionax_support.tests.processes import BASE_DIR, wait_for

pytestmark = pytest.mark.slow

STOP_SECONDS = 10  # the promise of the README


def program(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return path


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The tracked files, copied with their times (so make sees the virtualenv as up to date),
    committed to a repository of their own."""
    copy = tmp_path / "checkout"
    files = subprocess.run([program("git"), "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if name and (BASE_DIR / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(BASE_DIR / name, copy / name)
    git = [program("git"), "-c", "user.name=test", "-c", "user.email=test@localhost"]
    subprocess.run([*git, "init", "-q"], cwd=copy, check=True)
    subprocess.run([*git, "add", "-A"], cwd=copy, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "checkout"], cwd=copy, check=True)
    return copy


class Run:
    def __init__(self, process: subprocess.Popen[bytes], url: str, checkout: Path, env: dict[str, str]) -> None:
        self.process = process
        self.url = url
        self.checkout = checkout
        self.env = env


@pytest.fixture
def run_env() -> dict[str, str]:
    """More environment for `make run` (a class of tests may override it)."""
    return {}


@pytest.fixture
def make_run(checkout: Path, tmp_path: Path, run_env: dict[str, str]) -> Iterator[Run]:
    """`make run` on a free port, in a process group of its own (as a terminal's foreground
    job is), serving and with its worker ready."""
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",  # the embedded default: the broker is a folder under var/
        **run_env,
    }
    env.pop("MAKEFLAGS", None)
    output = tmp_path / "make-run.log"
    process = subprocess.Popen(
        [program("make"), "--no-print-directory", "run", f"PORT={port}", f"VENV={sys.prefix}"],
        cwd=checkout,
        env=env,
        start_new_session=True,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    worker_log = checkout / "var" / "celery.log"
    try:
        wait_for(lambda: process.poll() is not None or serving(url), 120, "make run to serve")
        assert process.poll() is None, f"make run exited:\n{output.read_text()}"
        wait_for(lambda: worker_log.exists() and " ready." in worker_log.read_text(), 60, "the worker to be ready")
        yield Run(process, url, checkout, env)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in descendants(process.pid):
            kill_quietly(pid)
        process.wait()


def serving(url: str) -> bool:
    try:
        return requests.get(f"{url}/admin/login/", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited process that its parent has not collected yet)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def kill_quietly(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def stops_within_the_limit(run: Run, send: str) -> list[int]:
    processes = [run.process.pid, *descendants(run.process.pid)]
    # The web server, the worker, its two pool processes and beat at least (and make, the supervisor).
    assert len(processes) >= 6, f"expected make run's processes, found {processes}"
    if send == "SIGINT to the group":
        os.killpg(run.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    else:
        run.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    while time.monotonic() < deadline and any(running(pid) for pid in processes):
        run.process.poll()
        time.sleep(0.1)
    return [pid for pid in processes if running(pid)]


@pytest.mark.parametrize("send", ["SIGTERM to make", "SIGINT to the group"])
def test_make_run_stops_completely_within_10_s(make_run, send):
    assert stops_within_the_limit(make_run, send) == []


def queue_task(run: Run, name: str) -> str:
    """Queues task `name` from another process (as the web server does); returns its id."""
    return subprocess.run(
        [sys.executable, "-m", "celery", "-A", "fractionax_support", "call", name],
        cwd=run.checkout,
        env=run.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


class SilentServer:
    """Accepts connections and never answers, like a provider that hangs: a call to it takes
    the client's whole read timeout."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.connections.append(self.listener.accept()[0])
                self.connected.set()

    def close(self) -> None:
        for connection in [self.listener, *self.connections]:
            connection.close()


class TestAWorkerInTheMiddleOfALongTask:
    @pytest.fixture
    def silent_helpscout(self) -> Iterator[SilentServer]:
        server = SilentServer()
        yield server
        server.close()

    @pytest.fixture
    def run_env(self, silent_helpscout: SilentServer) -> dict[str, str]:
        return {
            "HELPSCOUT_APP_ID": "app",
            "HELPSCOUT_APP_SECRET": "secret",
            "HELPSCOUT_MAILBOX_ID": "1",
            "HELPSCOUT_API_URL": f"http://127.0.0.1:{silent_helpscout.port}/v2/",
            "HELPSCOUT_TIMEOUT_SECONDS": "60",
        }

    def test_stops_within_10_s_and_hands_the_task_back(self, make_run, silent_helpscout):
        task_id = queue_task(make_run, "integrations.helpscout.tasks.helpscout_resync")
        assert silent_helpscout.connected.wait(60), "the resync never called Help Scout"

        assert stops_within_the_limit(make_run, "SIGTERM to make") == []
        # Acknowledged late, so cut short it goes back to the broker for the next start.
        queued = make_run.checkout / "var" / "celery-broker"
        assert any(task_id in path.read_text(errors="replace") for path in queued.glob("*.msg"))


def test_make_run_leaves_no_files_outside_var(make_run):
    task_id = queue_task(make_run, "tickets.tasks.statistics_compact")
    log = make_run.checkout / "var" / "celery.log"
    wait_for(lambda: f"[{task_id}] succeeded" in log.read_text(), 60, "the task to run")
    assert stops_within_the_limit(make_run, "SIGTERM to make") == []

    status = subprocess.run(
        [program("git"), "status", "--porcelain", "--untracked-files=all"],
        cwd=make_run.checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
    assert (make_run.checkout / "var" / "celery-broker").is_dir()
