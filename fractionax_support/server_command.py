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
        "gunicorn",
        "--config",
        "python:fractionax_support.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        log_level,
        *(["--access-logfile", "-"] if access_log else []),
        # Open requests would otherwise hold the shutdown for production's 5 s.
        "--graceful-timeout",
        str(graceful_shutdown_seconds),
    ]
