"""CSV export of a filtered ticket list, streamed row by row in constant memory.

Under ASGI the rows are read with an async iterator: Django would otherwise collect a
synchronous iterator into one list before sending it.
"""

import csv
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import SupportTicket, format_ticket_number
from .sla import overdue

# (CSV column, model field): columns carry the API's JSON names.
COLUMNS = [
    ("id", "id"),
    ("ticketNumber", "number"),
    ("subject", "subject"),
    ("status", "status"),
    ("priority", "priority"),
    ("category", "category"),
    ("source", "source"),
    ("customerName", "customer_name"),
    ("customerEmail", "customer_email"),
    ("assignedTo", "assigned_to"),
    ("tags", "tags"),
    ("createdAt", "created_at"),
    ("updatedAt", "updated_at"),
    ("responseDeadline", "response_deadline"),
    ("resolutionDeadline", "resolution_deadline"),
    ("isOverdue", "status"),
    ("firstResponseAt", "first_response_at"),
    ("totalComments", "total_comments"),
    ("resolvedAt", "resolved_at"),
    ("resolvedBy", "resolved_by"),
    ("resolutionTime", "resolution_time_minutes"),
    ("description", "description"),
]
_FIELDS = list(dict.fromkeys(field for _, field in COLUMNS))
_ROWS_PER_CHUNK = 500
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return neutralize(",".join(value))
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


def _row(values: dict[str, Any], now: datetime) -> list[str]:
    row = []
    for column, field in COLUMNS:
        if column == "ticketNumber":
            row.append(format_ticket_number(values["number"]))
        elif column == "isOverdue":
            row.append(
                _cell(
                    overdue(
                        status=values["status"],
                        first_response_at=values["first_response_at"],
                        response_deadline=values["response_deadline"],
                        resolution_deadline=values["resolution_deadline"],
                        now=now,
                    )
                )
            )
        else:
            row.append(_cell(values[field]))
    return row


class _Encoder:
    """Turns rows into CSV bytes, handing them out every _ROWS_PER_CHUNK rows."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.writer = csv.writer(self)
        self.writer.writerow([column for column, _ in COLUMNS])
        self.now = timezone.now()
        self.count = 0

    def write(self, text: str) -> None:  # the file interface csv.writer writes to
        self.parts.append(text)

    def add(self, values: dict[str, Any]) -> bytes | None:
        self.writer.writerow(_row(values, self.now))
        self.count += 1
        return self.rest() if self.count % _ROWS_PER_CHUNK == 0 else None

    def rest(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


def csv_chunks(queryset: QuerySet[SupportTicket]) -> Iterator[bytes]:
    encoder = _Encoder()
    for values in queryset.values(*_FIELDS).iterator(chunk_size=2000):
        if chunk := encoder.add(values):
            yield chunk
    yield encoder.rest()


async def csv_chunks_async(queryset: QuerySet[SupportTicket]) -> AsyncIterator[bytes]:
    encoder = _Encoder()
    async for values in queryset.values(*_FIELDS).aiterator(chunk_size=2000):
        if chunk := encoder.add(values):
            yield chunk
    yield encoder.rest()
