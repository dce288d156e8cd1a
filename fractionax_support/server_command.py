"""The server command line of the Dockerfile, for the servers the tests and the benchmark
start, so that what they measure and check is what production runs."""

import sys


def server_command(
    port: int,
    *,
    workers: int = 1,
    graceful_shutdown_seconds: int = 5,
    log_level: str = "warning",
    access_log: bool = False,
) -> list[str]:
    """Quiet by default; a test of what the server logs asks for production's access log."""
    return [
        sys.executable,
        "-m",
        "fractionax_support.serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        log_level,
        *([] if access_log else ["--no-access-log"]),
        # Open WebSockets would otherwise hold the shutdown.
        "--timeout-graceful-shutdown",
        str(graceful_shutdown_seconds),
    ]
