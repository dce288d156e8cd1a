"""A fake Slack Web API on loopback, reached through SLACK_API_URL, so the real slack_sdk
client runs; and each test's own cache and channel-layer namespace (Redis is shared)."""

import itertools
import json
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug import Request, Response

from integrations import outbox
from tickets.tests.api_helpers import client_for
from tickets.tests.factories import StaffFactory, make_ticket

TOKEN = "xoxb-test-token"
CHANNEL = "C0SUPPORT"
BOT_USER = "U0BOT"  # our app's bot user, as auth.test names it
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN_URL = "https://support.example.com"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]


class FakeSlack:
    """Answers like Slack; records every call; `fail` scripts the next answers of a method."""

    def __init__(self, httpserver: Any) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self._scripted: dict[str, list[Response]] = defaultdict(list)
        self._delays: dict[str, list[float]] = defaultdict(list)
        self.slow_answered = threading.Event()  # the delayed answer is out: the fake is free again
        self._ts = itertools.count(1)
        httpserver.expect_request(re.compile(r"^/[A-Za-z.]+$")).respond_with_handler(self._answer)

    def fail(self, method: str, *, status: int = 200, error: str = "internal_error", headers=None, times=1):
        body = json.dumps({"ok": False, "error": error})
        for _ in range(times):
            self._scripted[method].append(
                Response(body, status=status, headers=headers or {}, content_type="application/json")
            )

    def slow(self, method: str, seconds: float) -> None:
        """The next call of `method` is answered only after `seconds` (and, the fake serving one
        request at a time, every call behind it too)."""
        self._delays[method].append(seconds)

    def add_user(self, user_id: str, *, email: str = "", real_name: str = "", name: str = "") -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name or user_id.lower(),
            "real_name": real_name,
            "profile": {"email": email, "real_name": real_name},
        }

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [call.args for call in self.calls if call.method == method]

    @property
    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def _answer(self, request: Request) -> Response:
        method = request.path.lstrip("/")
        args = request.get_json() if request.is_json else {**request.args.to_dict(), **request.form.to_dict()}
        self.calls.append(Call(method, args, dict(request.headers)))
        if self._delays[method]:
            time.sleep(self._delays[method].pop(0))
            self.slow_answered.set()
        if self._scripted[method]:
            return self._scripted[method].pop(0)
        return Response(json.dumps(self._ok(method, args)), content_type="application/json")

    def _ok(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            return {"ok": True, "channel": args["channel"], "ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.update":
            return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            found = [user for user in self.users.values() if user["profile"]["email"] == args.get("email")]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method == "auth.test":  # Slack's answer for a bot token
            return {
                "ok": True,
                "url": "https://fractionax.slack.com/",
                "team": "FractionaX",
                "user": "support",
                "team_id": "T0TEAM",
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
            }
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0FORM"}}
        return {"ok": True}


@pytest.fixture(autouse=True)
def own_namespaces(settings, monkeypatch):
    cache = settings.CACHES["default"]
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": f"fx-slack-test-{uuid.uuid4().hex}"}}
    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "prefix": "fx-slack-test"}}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # agents made fast
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
