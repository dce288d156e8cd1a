"""A fake Slack Web API on loopback, reached through SLACK_API_URL, so the real slack_sdk
client runs; and each test's own cache and channel-layer namespace (Redis is shared)."""

import uuid

import pytest

from integrations import outbox
from tickets.tests.api_helpers import client_for
from tickets.tests.factories import StaffFactory, make_ticket

from .fake import BOT_USER, CHANNEL, TOKEN, FakeSlack

__all__ = ["BOT_USER", "CHANNEL", "TOKEN", "FakeSlack"]  # imported from here by the tests

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN_URL = "https://support.example.com"


@pytest.fixture(autouse=True)
def own_namespaces(settings, monkeypatch):
    cache = settings.CACHES["default"]
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"fx-slack-test-{uuid.uuid4().hex}"}}
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": "fx-slack-test"}}}
    # slack_sdk ignores NO_PROXY: a proxy from the environment would swallow loopback calls.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack(settings, httpserver) -> FakeSlack:
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_SUPPORT_CHANNEL_ID = CHANNEL
    settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
    settings.SLACK_API_URL = httpserver.url_for("/")
    settings.ADMIN_URL = ADMIN_URL
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = ""
    return FakeSlack(httpserver)


@pytest.fixture
def agent(db):
    """A staff agent whose e-mail is also their Slack account's."""
    return StaffFactory(first_name="Alex", last_name="Agent", email="alex@fractionax.example")


@pytest.fixture
def staff_client(agent):
    return client_for(agent)


@pytest.fixture
def posted_ticket(slack, django_capture_on_commit_callbacks):
    """A ticket whose root message, and so its thread, is in the channel; no calls yet."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    outbox.deliver_pending("slack", ticket.pk)
    slack.calls.clear()
    ticket.refresh_from_db()
    return ticket
