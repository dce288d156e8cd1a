"""Help Scout's JSON (webhook bodies, API answers) parsed strictly into typed values.

Webhook bodies are the v2 Conversation object; `convo.deleted` sends only the id. A
value of the wrong type raises `PayloadError` (the webhook answers 400), and so does one
no Help Scout object holds and our columns cannot: an id beyond 64 bits, a NUL character,
a status longer than any of Help Scout's. Fields we do not use are ignored."""

import html
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from . import markers

MAX_ID = 2**63 - 1  # Help Scout's ids are 64-bit; ours are stored as text of at most 32
MAX_STATUS_LENGTH = 20


class PayloadError(ValueError):
    pass


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    kind: str = ""  # Help Scout's `type`: "customer" or "user" (an agent), when given


@dataclass(frozen=True)
class AttachmentRef:
    """A thread's file as Help Scout lists it (`_embedded.attachments`); its bytes come from
    GET /v2/conversations/{id}/attachments/{attachmentId}/data."""

    id: str
    filename: str
    mime_type: str
    size: int | None


@dataclass(frozen=True)
class Thread:
    id: str
    type: str
    state: str
    text: str
    created_at: datetime | None
    author: Person | None
    # The outbox message that created it, when it is one of ours (see markers.py).
    outbox_message_id: int | None = None
    attachments: tuple[AttachmentRef, ...] = ()


@dataclass(frozen=True)
class Conversation:
    id: str
    number: int | None
    subject: str
    status: str
    state: str
    mailbox_id: str
    customer: Person | None
    assignee: Person | None
    tags: tuple[str, ...]
    preview: str
    modified_at: datetime | None
    # All threads, oldest first; None when the body did not carry them all.
    threads: tuple[Thread, ...] | None
    # When the customer opened it (`createdAt`): a ticket made from it dates from then.
    created_at: datetime | None = None


def parse_conversation_id(data: Any) -> str:
    if not isinstance(data, dict):
        raise PayloadError("The body must be a JSON object.")
    return _id(data, "id")


def parse_conversation(data: Any) -> Conversation:
    conversation_id = parse_conversation_id(data)
    thread_count = _opt(data, "threads", int)
    embedded = _opt(data, "_embedded", dict) or {}
    raw_threads = _opt(embedded, "threads", list)
    threads = None
    if raw_threads is not None and (thread_count is None or len(raw_threads) >= thread_count):
        threads = tuple(sorted((_thread(item) for item in raw_threads), key=_thread_order))
    waiting = _opt(data, "customerWaitingSince", dict) or {}
    created_at = _time(data, "createdAt")
    times = [
        created_at,
        _time(data, "userUpdatedAt"),
        _time(data, "closedAt"),
        _time(waiting, "time"),
        *(thread.created_at for thread in threads or ()),
    ]
    return Conversation(
        id=conversation_id,
        number=_opt(data, "number", int),
        subject=_opt(data, "subject", str) or "",
        status=_status(data),
        state=_opt(data, "state", str) or "",
        mailbox_id=str(_opt(data, "mailboxId", int) or ""),
        customer=_customer(data),
        assignee=_person(data, "assignee"),
        tags=tuple(_str_field(_object(tag, "tag"), "tag") for tag in _opt(data, "tags", list) or []),
        preview=_opt(data, "preview", str) or "",
        # Help Scout has no one "modified" field: the newest of its change times.
        modified_at=max((time for time in times if time is not None), default=None),
        threads=threads,
        created_at=created_at,
    )


def _thread(data: Any) -> Thread:
    data = _object(data, "thread")
    body = _opt(data, "body", str)
    html = body if body is not None else _opt(data, "text", str) or ""
    return Thread(
        id=_id(data, "id"),
        type=_opt(data, "type", str) or "",
        state=_opt(data, "state", str) or "",
        text=html_to_text(html),
        created_at=_time(data, "createdAt"),
        author=_person(data, "createdBy"),
        outbox_message_id=markers.marked_message(_opt(data, "type", str) or "", html),
        attachments=tuple(
            _attachment(item) for item in _opt(_opt(data, "_embedded", dict) or {}, "attachments", list) or []
        ),
    )


def _attachment(data: Any) -> AttachmentRef:
    data = _object(data, "attachment")
    size = _opt(data, "size", int)
    return AttachmentRef(
        id=_id(data, "id"),
        filename=_opt(data, "filename", str) or "",
        mime_type=_opt(data, "mimeType", str) or "",
        size=size if size is None or size >= 0 else None,
    )


def _thread_order(thread: Thread) -> tuple[datetime, int]:
    return (thread.created_at or datetime.min.replace(tzinfo=UTC), int(thread.id))


def _customer(data: dict[str, Any]) -> Person | None:
    """`primaryCustomer`, which may hold only an id: then the conversation's creator when
    that is the same customer (a changed customer keeps the old creator). Without an
    e-mail either way, the customer endpoint has it (see parse_customer)."""
    customer = _person(data, "primaryCustomer")
    creator = _person(data, "createdBy")
    if customer is not None and customer.email:
        return customer
    if creator is None or creator.kind != "customer" or not creator.email:
        return customer
    if customer is not None and customer.id and customer.id != creator.id:
        return customer
    return creator


def parse_customer(data: Any) -> Person:
    """GET /v2/customers/{id}: names, and e-mails embedded (the first one is used)."""
    if not isinstance(data, dict):
        raise PayloadError("The customer must be a JSON object.")
    embedded = _opt(data, "_embedded", dict) or {}
    emails = [_str_field(_object(item, "e-mail"), "value") for item in _opt(embedded, "emails", list) or []]
    first, last = _opt(data, "firstName", str) or "", _opt(data, "lastName", str) or ""
    email = emails[0].strip() if emails else ""
    return Person(id=_id(data, "id"), name=" ".join(f"{first} {last}".split()) or email, email=email, kind="customer")


def _person(data: dict[str, Any], key: str) -> Person | None:
    raw = _opt(data, key, dict)
    if raw is None:
        return None
    first, last = _opt(raw, "first", str) or "", _opt(raw, "last", str) or ""
    email = _opt(raw, "email", str) or ""
    person_id = raw.get("id")
    if person_id is not None and (not isinstance(person_id, int) or isinstance(person_id, bool) or person_id > MAX_ID):
        raise PayloadError(f'"{key}.id" must be a 64-bit integer.')
    return Person(
        id="" if person_id is None else str(person_id),
        name=" ".join(f"{first} {last}".split()) or email,
        email=email,
        kind=_opt(raw, "type", str) or "",
    )


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"Each {what} must be a JSON object.")
    return value


def _id(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        raise PayloadError(f'"{key}" must be a positive 64-bit integer.')
    return str(value)


def _status(data: dict[str, Any]) -> str:
    status = _opt(data, "status", str) or ""
    if len(status) > MAX_STATUS_LENGTH:
        raise PayloadError('"status" is not a Help Scout status.')
    return status


def _str_field(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise PayloadError(f'"{key}" must be a string.')
    return _without_nul(key, value)


def _without_nul(key: str, value: str) -> str:
    if "\x00" in value:  # PostgreSQL text cannot hold it
        raise PayloadError(f'"{key}" contains a NUL character.')
    return value


def _opt(data: dict[str, Any], key: str, kind: type[Any]) -> Any:
    """The value, None when absent or null; a value of another type is an error."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PayloadError(f'"{key}" must be of type {kind.__name__}.')
    return _without_nul(key, value) if isinstance(value, str) else value


def _time(data: dict[str, Any], key: str) -> datetime | None:
    value = _opt(data, key, str)
    if value is None:
        return None
    with suppress(ValueError, OverflowError):
        parsed = parse_datetime(value)
        if parsed is not None:
            # In UTC, as it is stored: "0001-01-01T00:00:00+01:00" has no UTC time.
            return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)
    raise PayloadError(f'"{key}" must be an ISO 8601 date and time.')


_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/h\d)\s*/?\s*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(body: str) -> str:
    """Thread bodies are HTML; comments are plain text."""
    text = html.unescape(strip_tags(_BREAKS.sub("\n", body)))
    return _BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
