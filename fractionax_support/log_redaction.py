"""Credentials in query strings never reach a log line or an error report.

A WebSocket client that cannot send headers may put its JWT in the URL (`/ws/admin/?token=`),
and servers log request URLs whole: uvicorn's access line, its "WebSocket ... [accepted]"
line, runserver's request line, the URL and GET section of Django's error reports. Anyone
reading those could act as the agent until the token expires. Every such value is replaced
by `[redacted]` here, whatever logs it.

Wiring: `settings.LOGGING` puts `RedactCredentials` on its handlers (everything that reaches
the root logger), and `log_format.configure_logging` (settings.LOGGING_CONFIG) also puts it on the
server loggers that print through handlers of their own and do not propagate: uvicorn's,
however uvicorn was started, and runserver's. `CredentialSafeExceptionReporter` and its
filter clean the error reports (settings.DEFAULT_EXCEPTION_REPORTER and _FILTER).
"""

import logging
import re
from typing import Any

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

REDACTED = "[redacted]"

# Parameter names that carry a credential: these names exactly, or any name containing
# one of the words (access_token, api_key, client_secret, X-Amz-Signature ...).
_WORDS = r"token|password|passwd|secret|api[_-]?key|signature|credential"
_NAMES = rf"access|refresh|ticket|code|key|jwt|auth|sig|[\w.-]*(?:{_WORDS})[\w.-]*"
# A parameter starts a string or follows ? & ; whitespace, a quote or a bracket; its value
# runs to the next separator (an HTML-escaped quote starts with &, which also ends it).
CREDENTIAL_PARAMETER = re.compile(rf"(?<![^?&;\s'\"(\[])((?:{_NAMES})=)[^&\s'\"<>#]+", re.IGNORECASE)
_NAME_ONLY = re.compile(rf"(?:{_NAMES})", re.IGNORECASE)

# Loggers that print request lines through handlers of their own (propagate=False).
SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "django.server", "django.request", "django.channels.server")


def redact(text: str) -> str:
    """`text` with the value of every credential-looking query parameter replaced."""
    return CREDENTIAL_PARAMETER.sub(rf"\1{REDACTED}", text)


def is_credential_name(name: str) -> bool:
    return _NAME_ONLY.fullmatch(name) is not None


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, bytes):  # an ASGI scope's raw path or query string
        return redact(value.decode("latin-1")).encode("latin-1")
    return value


class RedactCredentials(logging.Filter):
    """Rewrites a record so that no credential in a URL survives in it. The arguments are
    cleaned one by one, keeping their shape (uvicorn's access formatter unpacks them); a
    credential that only shows once formatted, or in the traceback, is cleaned there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(value) for key, value in record.args.items()}
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter to report
            return True
        if redact(message) != message:
            record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def protect_server_loggers() -> None:
    """Puts the filter on the server loggers themselves (once), so their own handlers,
    which the root logger's filters never see, print clean lines too."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactCredentials) for existing in logger.filters):
            logger.addFilter(RedactCredentials())


class CredentialSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which hides sensitive settings, headers and POST fields, also hides
    credential query parameters in the request's META (QUERY_STRING, RAW_URI ...)."""

    def get_safe_request_meta(self, request: Any) -> dict[str, Any]:
        return {key: _redact_value(value) for key, value in super().get_safe_request_meta(request).items()}


class CredentialSafeExceptionReporter(ExceptionReporter):
    """Error reports (the e-mail to ADMINS, the DEBUG page) without credentials from the URL:
    the request URL, the GET section and whatever else prints the URL (the request's repr
    in the frames' variables) are cleaned."""

    def get_traceback_data(self) -> dict[str, Any]:
        data = super().get_traceback_data()
        if "request_GET_items" in data:
            data["request_GET_items"] = [
                (key, REDACTED if is_credential_name(key) else value) for key, value in data["request_GET_items"]
            ]
        for key in ("request_insecure_uri", "exception_value"):
            if key in data:
                data[key] = redact(data[key])
        for frame in data.get("frames", []):
            if "vars" in frame:
                frame["vars"] = [(name, redact(value)) for name, value in frame["vars"]]
        return data
