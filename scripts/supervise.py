"""Runs `make run`'s processes (the web server and the Celery worker) side by side, and stops
them all, within a bounded time, on SIGTERM, on Ctrl-C (SIGINT) or when one of them exits.

    python scripts/supervise.py "COMMAND ONE" "COMMAND TWO" ...

Each command runs in a process group of its own, so a terminal's Ctrl-C reaches this process
only and the stop is done here, in order: SIGTERM to each command (each stops itself, in its
own bounded way: uvicorn's --timeout-graceful-shutdown, Celery's soft shutdown), then, after
STOP_SECONDS, SIGKILL to every process left in their groups. Honcho does much the same, but
kills after a fixed 5 s, shorter than a Celery worker's own clean stop on the filesystem broker
(about 5 s idle: its loop and pool poll once a second), so here the wait is ours to set.
"""

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from types import FrameType

# What is left of the processes after this long is killed: `make run` stops within 10 s.
STOP_SECONDS = 8.0
POLL_SECONDS = 0.1


class Supervisor:
    def __init__(self, commands: list[str]) -> None:
        self.commands = commands
        self.processes: list[subprocess.Popen[bytes]] = []
        self.stop_requested: str | None = None

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = signal.Signals(signum).name

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        try:
            for command in self.commands:
                self.processes.append(subprocess.Popen(shlex.split(command), start_new_session=True))  # noqa: S603
            exited = self.wait_for_stop_or_exit()
        finally:
            self.stop_all()
        if exited is not None:
            command = self.commands[self.processes.index(exited)]
            print(f"supervise: exited with {exited.returncode}, so stopped the others: {command}", file=sys.stderr)
            return exited.returncode or 1
        return 0

    def wait_for_stop_or_exit(self) -> subprocess.Popen[bytes] | None:
        """Returns the process that exited by itself, or None when a signal asked to stop."""
        while self.stop_requested is None:
            for process in self.processes:
                if process.poll() is not None:
                    return process
            time.sleep(POLL_SECONDS)
        return None

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and any(process.poll() is None for process in self.processes):
            time.sleep(POLL_SECONDS)
        # Also the children a command may leave behind (a worker's pool), even after it exited.
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(Supervisor(sys.argv[1:]).run())
