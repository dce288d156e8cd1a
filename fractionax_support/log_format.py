"""How log lines look: plain text, or one JSON object per line (LOG_FORMAT=json) for log
collectors. The same formatters serve Django's LOGGING, the Celery worker's handlers
(fractionax_support/celery.py) and the production server's, gunicorn's and uvicorn's
(fractionax_support/gunicorn_classes.py)."""

import logging
import logging.config
import os
from typing import Any

from pythonjsonlogger.json import JsonFormatter

_JSON: dict[str, Any] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(process)d %(message)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": True,  # ISO 8601, UTC
}
LOG_FORMATTERS = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    "json": _JSON,
}


def wants_json() -> bool:
    return os.environ.get("LOG_FORMAT", "plain") == "json"


def configure_logging(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG, run at django.setup() (which a server worker does when it
    imports the app, after the server configured its loggers and before it serves anything):
    the dictConfig; the credential filter on the server loggers, which have handlers of
    their own; and with JSON lines Python's warnings too (they would otherwise print as
    bare text among the JSON)."""
    from .log_redaction import protect_server_loggers

    logging.config.dictConfig(config)
    protect_server_loggers()
    if wants_json():
        logging.captureWarnings(True)


def json_formatter() -> logging.Formatter:
    options = {key: value for key, value in _JSON.items() if key != "()"}
    return JsonFormatter(**options)
