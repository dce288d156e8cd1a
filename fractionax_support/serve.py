"""`python -m fractionax_support.serve`: the production server, uvicorn in worker processes
that each listen on a socket of their own.

uvicorn's own workers share one listening socket, and asyncio accepts every connection
pending on it at once: connections that arrive together can all go to one worker, which
serves them on one core while the others idle (creation at 16 clients ran at 155/s
instead of 230-250/s, bench/RESULTS.md finding 34). Here every worker binds the address
with SO_REUSEPORT, and Linux spreads new connections over the workers' sockets. uvicorn
does not offer this yet (its pull request #2472 adds it); when it does, this goes.

The supervisor is deliberately small: it starts the workers, starts again one that dies
(unless it could not start, or workers keep dying), and on SIGTERM or SIGINT asks them all
to finish (uvicorn's graceful shutdown) and waits.
"""

import argparse
import atexit
import collections
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from typing import Any

import uvicorn
from uvicorn.config import LOG_LEVELS, STARTUP_FAILURE

from fractionax_support.log_format import json_formatter, uvicorn_log_config, wants_json

APPLICATION = "fractionax_support.asgi:application"
# Workers that keep dying (say, the app fails to import) are not started again forever.
MAX_DEATHS, DEATHS_WINDOW_SECONDS = 5, 60.0

logger = logging.getLogger("uvicorn.error")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    # As uvicorn's: on, trusting X-Forwarded-* from FORWARDED_ALLOW_IPS (127.0.0.1 by default).
    parser.add_argument("--proxy-headers", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--log-level", default="info", choices=list(LOG_LEVELS))
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--timeout-graceful-shutdown", type=int, default=5)
    return parser.parse_args(argv)


def uvicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    log_config = uvicorn_log_config()  # JSON lines with LOG_FORMAT=json
    return {
        **({"log_config": log_config} if log_config else {}),
        "host": args.host,
        "port": args.port,
        "proxy_headers": args.proxy_headers,
        "log_level": args.log_level,
        "access_log": not args.no_access_log,
        "timeout_graceful_shutdown": args.timeout_graceful_shutdown,
        "lifespan": "off",
    }


def own_socket(host: str, port: int) -> socket.socket:
    """A socket bound to the shared address, in the group the kernel balances."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def own_socket_or_exit(host: str, port: int) -> socket.socket:
    try:
        return own_socket(host, port)
    except OSError as error:
        logger.error("Cannot listen on %s:%s: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)


def run_worker(options: dict[str, Any]) -> None:
    """One worker process: its own socket, one uvicorn server."""
    sock = own_socket_or_exit(options["host"], options["port"])
    uvicorn.Server(uvicorn.Config(APPLICATION, **options)).run(sockets=[sock])


class Supervisor:
    def __init__(self, options: dict[str, Any], workers: int) -> None:
        self.options = options
        self.workers = workers
        self.context = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.exit_code = 0

    def start_one(self) -> Any:
        process = self.context.Process(target=run_worker, args=(self.options,), name="uvicorn-worker")
        process.start()
        logger.info("Started worker process [%s]", process.pid)
        return process

    def run(self) -> int:
        for name in ("SIGTERM", "SIGINT"):
            signal.signal(getattr(signal, name), lambda *_: self.stopping.set())
        processes = [self.start_one() for _ in range(self.workers)]
        deaths: collections.deque[float] = collections.deque(maxlen=MAX_DEATHS)
        while not self.stopping.wait(0.5):
            for index, process in enumerate(processes):
                if process.is_alive() or self.stopping.is_set():
                    continue
                deaths.append(time.monotonic())
                if process.exitcode == STARTUP_FAILURE:
                    self.give_up(STARTUP_FAILURE, f"Worker process [{process.pid}] could not start")
                elif len(deaths) == MAX_DEATHS and deaths[-1] - deaths[0] < DEATHS_WINDOW_SECONDS:
                    self.give_up(1, f"{MAX_DEATHS} worker processes died within {DEATHS_WINDOW_SECONDS:.0f} s")
                else:
                    logger.warning("Worker [%s] died (exit %s): starting another", process.pid, process.exitcode)
                    processes[index] = self.start_one()
        self.stop(processes)
        return self.exit_code

    def give_up(self, exit_code: int, why: str) -> None:
        logger.error("%s: stopping", why)
        self.exit_code = exit_code
        self.stopping.set()

    def stop(self, processes: list[Any]) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes what it is serving
        deadline = time.monotonic() + self.options["timeout_graceful_shutdown"] + 5
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    options = uvicorn_options(args)
    if args.workers <= 1:
        uvicorn.run(APPLICATION, **options)
        return 0
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers count into one folder of their own, so that /metrics adds them all up.
        folder = tempfile.mkdtemp(prefix="fx-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    if not sys.platform.startswith("linux"):  # elsewhere SO_REUSEPORT does not balance
        uvicorn.run(APPLICATION, workers=args.workers, **options)
        return 0
    logging.basicConfig(level=LOG_LEVELS[args.log_level], format="%(levelname)s:     %(message)s")
    if wants_json():
        logging.getLogger().handlers[0].setFormatter(json_formatter())
    own_socket_or_exit(args.host, args.port).close()  # the address is free, or fail here, once
    return Supervisor(options, args.workers).run()


if __name__ == "__main__":
    sys.exit(main())
