"""Slack's webhooks. The signature is checked on the raw body before anything else (401,
nothing changed); then the payload is parsed strictly, handed to one action, and answered
at once, since Slack gives up after 3 seconds. What we do not act on gets a 200.

Slack's ssl_check (a form body `token=...&ssl_check=1`, signed or not, when an admin saves
a request URL) asks only whether our certificate works: an empty 200, nothing read or
changed, so it is answered before the signature check."""

import json
from contextlib import suppress
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fractionax_support.metrics import count_webhook
from tickets.exceptions import TicketError
from tickets.limits import MAX_COMMENT_LENGTH
from tickets.models import TicketComment

from . import actions, bot_user, commands, files, interactivity, threads, users
from .mrkdwn import escape, to_plain
from .signatures import request_is_from_slack
from .users import SLACK_USER_ID

# A person writing: a plain reply has no subtype (bot posts, edits and joins have one).
_PERSON_SUBTYPES = (None, "thread_broadcast", "file_share")
_MAX_EVENT_ID_LENGTH = 200
_MAX_TS_LENGTH = TicketComment._meta.get_field("external_id").max_length or 64


def _answer(status: int, reason: str = "") -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain")


def _is_ssl_check(request: HttpRequest) -> bool:
    return request.content_type == "application/x-www-form-urlencoded" and request.POST.get("ssl_check") == "1"


def _json_object(raw: str | bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) and not _has_nul(parsed) else None


def _has_nul(value: Any) -> bool:
    """Slack never sends a NUL character, and PostgreSQL cannot store or even compare one.
    Walked without recursion: json.loads accepts deeper nesting than a recursive walk."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@csrf_exempt
@require_POST
@count_webhook("slack")
def events(request: HttpRequest) -> HttpResponse:
    """The Events API (JSON) and interactivity (a form whose `payload` field is JSON)."""
    if _is_ssl_check(request):
        return _answer(200)
    if not request_is_from_slack(request):
        return _answer(401, "Invalid Slack signature.")
    if request.content_type == "application/x-www-form-urlencoded":
        payload = _json_object(request.POST.get("payload", ""))
        return _answer(400, "Bad payload.") if payload is None else interactivity.handle(payload)
    envelope = _json_object(request.body)
    if envelope is None:
        return _answer(400, "Bad JSON.")
    if envelope.get("type") == "url_verification":
        challenge = envelope.get("challenge")
        return JsonResponse({"challenge": challenge}) if isinstance(challenge, str) else _answer(400, "No challenge.")
    if envelope.get("type") == "event_callback":
        return _event_callback(envelope)
    return _answer(200)


def _event_callback(envelope: dict[str, Any]) -> HttpResponse:
    event_id, event = envelope.get("event_id"), envelope.get("event")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= _MAX_EVENT_ID_LENGTH and isinstance(event, dict)):
        return _answer(400, "Bad event.")
    reply = _thread_reply(event)
    if reply is None:
        return _answer(200)
    ticket_id, user, text, ts = reply
    if bot_user.is_own_user(user, envelope):
        return _answer(200)  # posted by our app as its bot user, without a bot_id
    with suppress(TicketError):  # nothing to say (blank text, no file): no comment to make
        actions.thread_reply_record(
            event_id=event_id,
            ticket_id=ticket_id,
            body=to_plain(text)[:MAX_COMMENT_LENGTH],
            author=users.agent_name(user, fallback=f"Slack user {user}"),
            message_ts=ts,
            files=files.parse_files(event),
        )
    return _answer(200)


def _thread_reply(event: dict[str, Any]) -> tuple[int, str, str, str] | None:
    """(ticket id, Slack user, text, message ts) of a person's reply in a ticket's thread;
    the text may be empty when files came with it."""
    if event.get("type") != "message" or event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    channel, user, text, ts, thread_ts = (event.get(key) for key in ("channel", "user", "text", "ts", "thread_ts"))
    if text == "" and event.get("files"):
        text = " "  # files alone: still a reply (the comment names them)
    if not all(isinstance(value, str) and value for value in (channel, user, text, ts, thread_ts)):
        return None
    if thread_ts == ts or len(str(ts)) > _MAX_TS_LENGTH or not SLACK_USER_ID.match(str(user)):
        return None  # the thread's root, or not what Slack sends
    ticket_id = threads.ticket_in_thread(str(channel), str(thread_ts))
    return None if ticket_id is None else (ticket_id, str(user), str(text), str(ts))


@csrf_exempt
@require_POST
@count_webhook("slack")
def slash_commands(request: HttpRequest) -> HttpResponse:
    if _is_ssl_check(request):
        return _answer(200)
    if not request_is_from_slack(request):
        return _answer(401, "Invalid Slack signature.")
    form = request.POST
    if any("\x00" in value for _, values in form.lists() for value in values):
        return _answer(400, "Bad payload.")
    command = form.get("command", "")
    answer: dict[str, Any] | None
    if command == "/support-stats":
        answer = commands.support_stats()
    elif command == "/create-ticket":
        answer = commands.create_ticket(
            text=form.get("text", ""),
            user_id=form.get("user_id", ""),
            user_name=form.get("user_name", "") or "Slack user",
            trigger_id=form.get("trigger_id", ""),
        )
    else:
        answer = commands.ephemeral(f"Unknown command: {escape(command)}")
    return _answer(200) if answer is None else JsonResponse(answer)
