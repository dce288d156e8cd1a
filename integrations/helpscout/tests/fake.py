"""A fake Help Scout Mailbox API on loopback that keeps what it is sent: conversations with
their tags, threads (bodies as sent, marks included), status and assignee (one of the
account's users, `add_user`), searchable by tag as the list endpoint is. Faults can be
scripted after a call took effect, and a rate limit enforced as Help Scout does (per
account, writes counting twice)."""

import copy
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from limits import parse
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures"
TOLERANCE_SECONDS = 0.25  # a call counted by us may arrive this much later than one after it: load delays it
CUSTOMER_ID = 77
_ids = itertools.count(555)  # across fakes: a stack's database outlives each test's fake


class FakeHelpScout:
    def __init__(self, httpserver: HTTPServer, *, mailbox_id: str) -> None:
        self.mailbox_id = int(mailbox_id)
        self.conversations: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []  # (method, path), as they arrived
        self.refused = 0  # calls answered 429
        self.rate: str | None = None
        self.users: dict[int, dict[str, Any]] = {}  # the account's users, by id
        self._after: dict[str, list[Callable[[], Response | None]]] = {}
        self._arrivals: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()
        httpserver.expect_request(re.compile(r"^/v2/.*")).respond_with_handler(self._answer)

    # --- Scripting ---

    def after(self, route: str, action: Callable[[], Response | None]) -> None:
        """Once, after a call to `route` ("POST reply", "POST conversations", ...) took
        effect, runs `action`; the answer it returns, if any, replaces the real one."""
        self._after.setdefault(route, []).append(action)

    def enforce(self, rate: str) -> None:
        self.rate = rate

    def add_user(self, user_id: int, first: str, last: str) -> dict[str, Any]:
        """A user of the account, whom conversations can be assigned to; as `assignee` shows them."""
        user = {"id": user_id, "type": "user", "first": first, "last": last, "email": f"{first.lower()}@example.com"}
        self.users[user_id] = user
        return user

    # --- What was received ---

    def threads(self, conversation_id: int, kind: str) -> list[dict[str, Any]]:
        return [t for t in self.conversations[conversation_id]["_embedded"]["threads"] if t["type"] == kind]

    def count(self, method: str, path_pattern: str) -> int:
        return sum(1 for m, p in self.calls if m == method and re.fullmatch(path_pattern, p))

    # --- The API ---

    def _answer(self, request: Request) -> Response:
        path = request.path.removeprefix("/v2/")
        with self._lock:
            self.calls.append((request.method, request.path))
            counted = path != "oauth2/token"
            if counted and self._over_limit(2 if request.method != "GET" else 1):
                self.refused += 1
                return Response("Too many requests", status=429, headers={"X-RateLimit-Retry-After": "1"})
            route, response = self._route(request, path)
            scripted = self._after.get(route)
            action = scripted.pop(0) if scripted else None
        replaced = action() if action else None
        return replaced or response

    def _route(self, request: Request, path: str) -> tuple[str, Response]:
        body = request.get_json(silent=True) or {}
        if path == "oauth2/token":
            return "POST token", _json({"token_type": "bearer", "access_token": "token-1", "expires_in": 172800})
        if path == "conversations" and request.method == "POST":
            return "POST conversations", self._create(body)
        if path == "conversations":
            return "GET conversations", self._list(request.args.get("tag", ""))
        match = re.fullmatch(r"conversations/(\d+)(?:/(reply|notes))?", path)
        conversation = self.conversations.get(int(match.group(1))) if match else None
        if conversation is None or match is None:
            return f"{request.method} {path}", Response("Not found", status=404)
        if match.group(2) and request.method == "POST":
            kind = "reply" if match.group(2) == "reply" else "note"
            return f"POST {match.group(2)}", self._thread(conversation, kind, body)
        if request.method == "PATCH":
            return "PATCH conversation", self._patch(conversation, body)
        return "GET conversation", _json(conversation)

    def _create(self, body: dict[str, Any]) -> Response:
        conversation = json.loads((FIXTURES / "conversation.json").read_text())
        conversation_id = next(_ids)
        conversation.update(
            id=conversation_id,
            number=conversation_id,
            subject=body["subject"],
            status=body["status"],
            mailboxId=body["mailboxId"],
            createdAt=_now(),
            tags=[{"id": index, "color": "#929499", "tag": tag} for index, tag in enumerate(body.get("tags", []))],
            assignee=copy.deepcopy(self.users.get(body.get("assignTo"))),
        )
        conversation["primaryCustomer"] = {**conversation["primaryCustomer"], "id": CUSTOMER_ID}
        first = copy.deepcopy(conversation["_embedded"]["threads"][0])
        first.update(id=conversation_id * 100, body=body["threads"][0]["text"])
        conversation["_embedded"]["threads"] = [first]
        self.conversations[conversation_id] = conversation
        self._touch(conversation)
        return Response(status=201, headers={"Resource-ID": str(conversation_id)})

    def _patch(self, conversation: dict[str, Any], body: dict[str, Any]) -> Response:
        """One JSON Patch operation, as the SDK sends them (op, path, value)."""
        match body.get("op"), body.get("path"):
            case "replace", "/status":
                conversation["status"] = body["value"]
            case "replace", "/assignTo":
                if body.get("value") not in self.users:
                    return Response("Unknown user", status=400)
                conversation["assignee"] = copy.deepcopy(self.users[body["value"]])
            case "remove", "/assignTo":
                conversation["assignee"] = None
            case _:
                return Response("Unsupported patch", status=400)
        self._touch(conversation)
        return Response(status=204)

    def _thread(self, conversation: dict[str, Any], kind: str, body: dict[str, Any]) -> Response:
        threads = conversation["_embedded"]["threads"]
        thread = copy.deepcopy(threads[0])
        thread_id = conversation["id"] * 100 + len(threads)
        thread.update(id=thread_id, type=kind, body=body["text"], createdAt=_now())
        threads.append(thread)
        conversation["threads"] = len(threads)
        if "status" in body:
            conversation["status"] = body["status"]
        self._touch(conversation)
        return Response(status=201, headers={"Resource-ID": str(thread_id)})

    def _list(self, tag: str) -> Response:
        found = [
            {key: value for key, value in c.items() if key != "_embedded"}
            for c in self.conversations.values()
            if any(t["tag"] == tag for t in c["tags"])
        ]
        page = {"size": 25, "totalElements": len(found), "totalPages": 1 if found else 0, "number": 1}
        return _json({"_embedded": {"conversations": found}, "page": page} if found else {"page": page})

    def _touch(self, conversation: dict[str, Any]) -> None:
        conversation["userUpdatedAt"] = _now()

    def _over_limit(self, cost: int) -> bool:
        if self.rate is None:
            return False
        item, now = parse(self.rate), time.monotonic()
        while self._arrivals and self._arrivals[0][0] <= now - item.get_expiry() + TOLERANCE_SECONDS:
            self._arrivals.popleft()
        if sum(weight for _, weight in self._arrivals) + cost > item.amount:
            return True
        self._arrivals.append((now, cost))
        return False


def _json(data: dict[str, Any]) -> Response:
    return Response(json.dumps(data), content_type="application/hal+json")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
