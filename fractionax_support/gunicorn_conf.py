"""The production server's settings: gunicorn with uvicorn workers (uvicorn-worker, the
maintained package that replaced uvicorn's own `uvicorn.workers`), each listening on a
socket of its own. `gunicorn --config python:fractionax_support.gunicorn_conf` reads it;
the command line (bind address, workers, log options) overrides what is set here.

Why a socket each (`reuse_port`): workers that share one listening socket accept every
connection pending on it at once, so connections that arrive together can all go to one
worker and one core (bench/RESULTS.md, finding 34). With SO_REUSEPORT every worker binds
the address itself and Linux spreads new connections over the workers' sockets.
"""

import os
import shutil
import socket
import sys
import tempfile
from typing import Any

wsgi_app = "fractionax_support.asgi:application"
worker_class = "fractionax_support.gunicorn_classes.UvicornWorker"
logger_class = "fractionax_support.gunicorn_classes.Logger"
# Elsewhere SO_REUSEPORT does not balance: the workers share the arbiter's socket there.
reuse_port = sys.platform.startswith("linux")
# Workers finish what they serve on SIGTERM (open WebSockets are closed at once), within
# Docker's 10 s before it kills.
graceful_timeout = 5
# How long an idle keep-alive connection stays open: uvicorn's own default. The worker class
# takes gunicorn's instead (2 s), and a client sending on a connection the server is just
# closing gets "connection reset"; the longer the window, the rarer that race. Behind a
# proxy, keep the proxy's idle timeout to its upstreams below this.
keepalive = 5
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl), which two
# servers on a machine would share; nothing here uses it.
control_socket_disable = True

STARTUP_FAILURE = 3  # as uvicorn's and gunicorn's "worker failed to boot"
# The folder made for the workers' metrics when PROMETHEUS_MULTIPROC_DIR is not set.
_metrics_folder: str | None = None


def on_starting(server: Any) -> None:
    global _metrics_folder
    _refuse_a_taken_address(server)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers count into one folder, so that /metrics, whichever worker answers,
        # adds them all up. Set before the workers start, which read it.
        _metrics_folder = tempfile.mkdtemp(prefix="fx-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_folder


def child_exit(server: Any, worker: Any) -> None:
    # Imported only now: prometheus_client chooses, once, at import, between counting in
    # memory and in the folder, and the workers forked from here inherit that choice.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # its live gauges are no longer summed


def on_exit(server: Any) -> None:
    if _metrics_folder is not None:
        shutil.rmtree(_metrics_folder, ignore_errors=True)


def _refuse_a_taken_address(server: Any) -> None:
    """With reuse_port the arbiter binds nothing, and a worker that cannot bind retries,
    exits and is started again, forever: a taken address fails here, once, instead."""
    if not server.cfg.reuse_port:
        return  # the arbiter binds, and fails, itself
    for address in server.cfg.address:
        if not isinstance(address, tuple):
            continue  # a Unix socket or an inherited descriptor
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            try:
                probe.bind(address)
            except OSError as error:
                server.log.error("Cannot listen on %s:%s: %s", *address[:2], error)
                sys.exit(STARTUP_FAILURE)
