"""Credentials in query strings are cleaned from log records and error reports, in the shapes
the servers and Django produce them."""

import logging
import sys

from django.test import RequestFactory
from django.views.debug import get_default_exception_reporter_filter, get_exception_reporter_class
from uvicorn.logging import AccessFormatter

from fractionax_support.log_redaction import RedactCredentials, redact

SECRET = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjo0Mn0.c2lnbmF0dXJl"


def test_credential_parameters_are_redacted_and_others_kept():
    assert redact(f"/ws/admin/?token={SECRET}") == "/ws/admin/?token=[redacted]"
    assert (
        redact(f"/api/x?page=2&access_token={SECRET}&status=open;ticket=abc#top")
        == "/api/x?page=2&access_token=[redacted]&status=open;ticket=[redacted]#top"
    )
    assert redact(f"refresh={SECRET}&password=hunter2") == "refresh=[redacted]&password=[redacted]"
    assert redact("/dashboard/?status=open&search=token") == "/dashboard/?status=open&search=token"
    # A name that merely ends like a credential word is not one.
    assert redact("/api/x?monkey=1&shortcode=2") == "/api/x?monkey=1&shortcode=2"


def filtered(record: logging.LogRecord) -> logging.LogRecord:
    assert RedactCredentials().filter(record) is True
    return record


def test_uvicorn_access_record_keeps_its_shape():
    args = ("127.0.0.1:5000", "GET", f"/api/admin/support-tickets?token={SECRET}", "1.1", 401)
    record = filtered(logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d', args, None))
    line = AccessFormatter(fmt="%(client_addr)s - %(request_line)s %(status_code)s", use_colors=False).format(record)
    assert SECRET not in line
    assert "/api/admin/support-tickets?token=[redacted]" in line


def test_websocket_accept_line_and_preformatted_messages():
    args = ("127.0.0.1:5000", f"/ws/admin/?token={SECRET}")
    ws = filtered(logging.LogRecord("uvicorn.error", logging.INFO, "", 0, '%s - "WebSocket %s" [accepted]', args, None))
    assert ws.getMessage() == '127.0.0.1:5000 - "WebSocket /ws/admin/?token=[redacted]" [accepted]'
    plain = filtered(logging.LogRecord("x", logging.INFO, "", 0, f"GET /x?ticket={SECRET} failed", None, None))
    assert plain.getMessage() == "GET /x?ticket=[redacted] failed"
    mapping = filtered(logging.LogRecord("x", logging.INFO, "", 0, "%(url)s", ({"url": f"/?jwt={SECRET}"},), None))
    assert mapping.getMessage() == "/?jwt=[redacted]"


def test_traceback_text_is_redacted():
    try:
        raise ValueError(f"could not fetch https://example.com/cb?code={SECRET}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, "", 0, "failed", None, sys.exc_info())
    line = logging.Formatter().format(filtered(record))
    assert "ValueError: could not fetch https://example.com/cb?code=[redacted]" in line
    assert SECRET not in line


def test_settings_put_the_filter_on_the_server_loggers_and_the_root_handlers():
    for name in ("uvicorn.access", "uvicorn.error", "django.server", "django.request"):
        assert any(isinstance(f, RedactCredentials) for f in logging.getLogger(name).filters), name
    ours = [handler for handler in logging.getLogger().handlers if handler.name == "console"]  # not pytest's
    assert ours and all(any(isinstance(f, RedactCredentials) for f in handler.filters) for handler in ours)


def test_error_reports_show_no_credential_from_the_url(settings):
    request = RequestFactory().get("/api/admin/support-tickets", {"token": SECRET, "status": "open"})
    reporter_class = get_exception_reporter_class(request)
    for debug in (False, True):  # the e-mail to ADMINS, and the DEBUG page
        settings.DEBUG = debug
        try:
            the_request = request  # a frame variable whose repr prints the URL
            raise RuntimeError(f"boom while serving {the_request.get_full_path()}")
        except RuntimeError:
            reporter = reporter_class(request, *sys.exc_info(), is_email=not debug)
        text, html = reporter.get_traceback_text(), reporter.get_traceback_html()
        for report in (text, html):
            assert SECRET not in report
            assert "open" in report  # the other parameters are still there to debug with
        assert "token = '[redacted]'" in text
    assert SECRET not in str(get_default_exception_reporter_filter().get_safe_request_meta(request))
