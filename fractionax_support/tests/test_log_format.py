"""LOG_FORMAT=json: every log line of the web server (gunicorn's, uvicorn's and the app's,
with several workers) and of a Celery worker is one JSON object; plain text otherwise."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from fractionax_support.local_ports import free_port
from fractionax_support.server_command import server_command

from .processes import BASE_DIR, listening, stop, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def json_lines(path: Path) -> list[dict[str, Any]]:
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    assert lines, "nothing was logged"
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
    for record in records:
        assert {"level", "logger", "message", "timestamp"} <= set(record), record
    return records


@contextmanager
def running(command: list[str], env: dict[str, str], output: Path) -> Iterator[subprocess.Popen[bytes]]:
    with output.open("wb") as sink:
        process = subprocess.Popen(command, cwd=BASE_DIR, env={**os.environ, **env}, stdout=sink, stderr=sink)
        try:
            yield process
        finally:
            stop(process)


def test_the_web_server_logs_json_lines(tmp_path):
    port, output = free_port(), tmp_path / "server.log"
    command = server_command(port, workers=2, log_level="info", access_log=True)  # production's logging
    with running(command, {"LOG_FORMAT": "json"}, output) as process:
        wait_for(lambda: process.poll() is not None or listening(port), 30, "the server to listen")
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15).status_code == 200
        # The access line is written after the response is sent.
        wait_for(lambda: "/healthz" in output.read_text(), 10, "the access log line")

    records = json_lines(output)
    loggers = {record["logger"] for record in records}
    assert {"gunicorn.error", "uvicorn.error", "uvicorn.access"} <= loggers, loggers
    assert any("GET /healthz" in record["message"] and record["level"] == "INFO" for record in records)


def test_the_app_logs_json_lines_and_plain_text_by_default(tmp_path):
    script = "import django, logging; django.setup(); logging.getLogger('fx.test').warning('disk %s full', 'var')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fractionax_support.settings"}

    for log_format in ("json", "plain"):
        output = tmp_path / f"{log_format}.log"
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=BASE_DIR, env={**env, "LOG_FORMAT": log_format},
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        output.write_text(result.stderr)
        if log_format == "json":
            (record,) = json_lines(output)
            assert (record["level"], record["logger"], record["message"]) == ("WARNING", "fx.test", "disk var full")
        else:
            assert result.stderr.strip().endswith("WARNING fx.test disk var full")


def test_an_unknown_log_format_is_refused_at_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env={**os.environ, "LOG_FORMAT": "xml"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json, not 'xml'" in result.stderr


def test_the_celery_worker_logs_json_lines(tmp_path):
    output = tmp_path / "worker.log"
    command = [
        sys.executable, "-m", "celery", "-A", "fractionax_support", "worker", "--pool", "solo",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    env = {"LOG_FORMAT": "json", "CELERY_QUEUE": f"fx-log-test-{uuid.uuid4().hex}"}
    with running(command, env, output):
        wait_for(lambda: " ready." in output.read_text(), 60, "the worker to be ready")
        text = output.read_text()

    # The start-up banner (and the shutdown notice) are printed, not logged.
    logged = tmp_path / "logged.log"
    logged.write_text(text[text.index("[tasks]") :].split("\n\n", 1)[1])
    records = json_lines(logged)
    assert any(record["message"].endswith(" ready.") for record in records)
