"""A fake Slack Web API on loopback, reached through SLACK_API_URL, so the real slack_sdk
client runs. It keeps the messages posted (with their metadata) and answers the history
and replies lookups from them, and may enforce rate limits as Slack does."""

import itertools
import json
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from limits import parse
from werkzeug import Request, Response

TOKEN = "xoxb-test-token"
CHANNEL = "C0SUPPORT"
BOT_USER = "U0BOT"  # our app's bot user, as auth.test names it
TOLERANCE_SECONDS = 0.25  # a call counted by us may arrive this much later than one after it: load delays it


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
        self._holds: dict[str, list[threading.Event]] = defaultdict(list)
        self.held_answered = threading.Event()  # the held answer is out: the fake is free again
        self._ts = itertools.count(1)
        self.posted: list[dict[str, Any]] = []  # every message in the channel, as Slack keeps them
        self.rates: dict[str, str] = {}  # method to the limit enforced ("1/second"), see enforce
        self.refused: list[str] = []  # methods answered 429
        self._arrivals: dict[str, deque[float]] = defaultdict(deque)
        self._after: dict[str, list[Callable[[], Response | None]]] = defaultdict(list)
        httpserver.expect_request(re.compile(r"^/[A-Za-z.]+$")).respond_with_handler(self._answer)

    def fail(self, method: str, *, status: int = 200, error: str = "internal_error", headers=None, times=1):
        body = json.dumps({"ok": False, "error": error})
        for _ in range(times):
            self._scripted[method].append(
                Response(body, status=status, headers=headers or {}, content_type="application/json")
            )

    def enforce(self, rates: dict[str, str]) -> None:
        """Answers 429, as Slack does, a call over its method's rate (messages: per channel).
        Arrivals up to TOLERANCE_SECONDS early count as on time."""
        self.rates = rates

    def _over_limit(self, method: str, args: dict[str, Any]) -> bool:
        if method not in self.rates:
            return False
        item = parse(self.rates[method])
        key = f"{method}:{args.get('channel', '')}" if method == "chat.postMessage" else method
        arrivals, now = self._arrivals[key], time.monotonic()
        while arrivals and arrivals[0] <= now - item.get_expiry() + TOLERANCE_SECONDS:
            arrivals.popleft()
        if len(arrivals) >= item.amount:
            return True
        arrivals.append(now)
        return False

    def after(self, method: str, action: Callable[[], Response | None]) -> None:
        """Once, after a call of `method` took effect (a message is posted), runs `action`;
        the answer it returns, if any, replaces Slack's."""
        self._after[method].append(action)

    def accept_then_fail(self, method: str, *, status: int = 500, error: str = "internal_error") -> None:
        """The next call of `method` takes effect, but its answer is lost: our side sees a
        failure after Slack acted."""
        body = json.dumps({"ok": False, "error": error})
        self.after(method, lambda: Response(body, status=status, content_type="application/json"))

    def hold(self, method: str) -> threading.Event:
        """The next call of `method` takes effect and is answered only once the returned event
        is set: a Slack slower than any timeout, for as long as the test needs (the fake serves
        one request at a time, so every call behind it waits too)."""
        release = threading.Event()
        self._holds[method].append(release)
        return release

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
        if self._over_limit(method, args):
            self.refused.append(method)
            body = json.dumps({"ok": False, "error": "ratelimited"})
            return Response(body, status=429, headers={"Retry-After": "1"}, content_type="application/json")
        if self._holds[method]:
            assert self._holds[method].pop(0).wait(30), f"the test never released its held {method}"
            self.held_answered.set()
        if self._scripted[method]:
            return self._scripted[method].pop(0)
        answer = Response(json.dumps(self._ok(method, args)), content_type="application/json")
        action = self._after[method].pop(0) if self._after[method] else None
        return (action() if action else None) or answer

    def thread_of(self, ts: str) -> list[dict[str, Any]]:
        return [message for message in self.posted if message.get("thread_ts", message["ts"]) == ts]

    def _history(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Channel messages, newest first, as conversations.history lists them."""
        roots = [m for m in self.posted if m["channel"] == args["channel"] and m.get("thread_ts", m["ts"]) == m["ts"]]
        return self._shown(reversed(roots), args)

    def _shown(self, messages: Any, args: dict[str, Any]) -> list[dict[str, Any]]:
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        return [
            {key: value for key, value in message.items() if key != "metadata" or with_metadata}
            for message in messages
            if float(message["ts"]) > oldest
        ]

    def _ok(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "chat.postMessage":
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            message = {"type": "message", "ts": ts, "channel": args["channel"], "text": args.get("text", "")}
            if args.get("thread_ts"):
                message["thread_ts"] = args["thread_ts"]
            if args.get("metadata"):
                message["metadata"] = args["metadata"]
            self.posted.append(message)
            return {"ok": True, "channel": args["channel"], "ts": ts}
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
        if method == "conversations.history":
            return {"ok": True, "messages": self._history(args), "has_more": False}
        if method == "conversations.replies":
            return {"ok": True, "messages": self._shown(self.thread_of(args["ts"]), args), "has_more": False}
        if method == "chat.update":
            return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        if method == "users.info":
            user = self.users.get(args.get("user", ""))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            found = [user for user in self.users.values() if user["profile"]["email"] == args.get("email")]
            return {"ok": True, "user": found[0]} if found else {"ok": False, "error": "users_not_found"}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0FORM"}}
        return {"ok": True}
