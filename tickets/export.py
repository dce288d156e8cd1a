"""CSV export of a filtered ticket list, streamed in constant memory.

After the ticket's own columns comes one per active custom field, headed with its JSON
name (`customFields.<key>`, as the API names the value: a label may repeat another column's
name), in the fields' order.

On PostgreSQL the database writes the CSV itself (COPY ... TO STDOUT) from the filtered,
sorted query, with the same cells the Python writer makes elsewhere: Python's per-row work
was the bottleneck (bench/RESULTS.md, finding 3). Both writers take the isOverdue cell from
the one overdue rule, `sla.overdue_q`, computed by the query. Under ASGI the chunks are
handed over through an async iterator, since Django would otherwise collect a synchronous
one into a single list before sending it.
"""

import csv
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connection
from django.db.models import Case, CharField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .custom_fields import active_definitions
from .models import SupportTicket, format_ticket_number
from .sla import overdue_q

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
    ("isOverdue", "is_overdue"),  # annotated by _overdue_cell
    ("firstResponseAt", "first_response_at"),
    ("totalComments", "total_comments"),
    ("resolvedAt", "resolved_at"),
    ("resolvedBy", "resolved_by"),
    ("resolutionTime", "resolution_time_minutes"),
    ("description", "description"),
]
_FIELDS = [field for _, field in COLUMNS]
_ROWS_PER_CHUNK = 500
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return neutralize(",".join(value))
    if isinstance(value, str):
        return neutralize(value)
    return str(value)


def _custom_cell(value: Any) -> str:
    """A custom field's value as PostgreSQL's `->>` writes it: numbers in plain notation
    (1e-07 is 0.0000001), texts neutralized, true/false."""
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return _cell(value)


def _custom_keys() -> list[str]:
    return [definition.key for definition in active_definitions()]


def _overdue_cell(now: datetime) -> Case:
    """The isOverdue cell, written by the query for both writers."""
    return Case(When(overdue_q(now=now), then=Value("true")), default=Value("false"), output_field=CharField())


def _row(values: dict[str, Any], custom_keys: list[str]) -> list[str]:
    cells = [
        format_ticket_number(values[field]) if column == "ticketNumber" else _cell(values[field])
        for column, field in COLUMNS
    ]
    return cells + [_custom_cell(values["custom_fields"].get(key)) for key in custom_keys]


class _Encoder:
    """Turns rows into CSV bytes, handing them out every _ROWS_PER_CHUNK rows."""

    def __init__(self, custom_keys: list[str]) -> None:
        self.parts: list[str] = []
        self.writer = csv.writer(self)
        self.writer.writerow([column for column, _ in COLUMNS] + [f"customFields.{key}" for key in custom_keys])
        self.custom_keys = custom_keys
        self.count = 0

    def write(self, text: str) -> None:  # the file interface csv.writer writes to
        self.parts.append(text)

    def add(self, values: dict[str, Any]) -> bytes | None:
        self.writer.writerow(_row(values, self.custom_keys))
        self.count += 1
        return self.rest() if self.count % _ROWS_PER_CHUNK == 0 else None

    def rest(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


def csv_chunks(queryset: QuerySet[SupportTicket]) -> Iterator[bytes]:
    if connection.vendor == "postgresql":
        return _copy_chunks(queryset)
    return _python_chunks(queryset)


async def csv_chunks_async(queryset: QuerySet[SupportTicket]) -> AsyncIterator[bytes]:
    """The same chunks, each read on the request's database thread."""
    chunks = csv_chunks(queryset)

    def read() -> bytes | None:
        return next(chunks, None)

    while (chunk := await sync_to_async(read, thread_sensitive=True)()) is not None:
        yield chunk


def _python_chunks(queryset: QuerySet[SupportTicket]) -> Iterator[bytes]:
    encoder = _Encoder(_custom_keys())
    rows = queryset.annotate(is_overdue=_overdue_cell(timezone.now())).values(*_FIELDS, "custom_fields")
    for values in rows.iterator(chunk_size=2000):
        if chunk := encoder.add(values):
            yield chunk
    yield encoder.rest()


# --- PostgreSQL: the database writes the CSV ---

_TABLE = f'"{SupportTicket._meta.db_table}"'
_CHUNK_BYTES = 64 * 1024
_QUOTE = "''''"  # SQL for a one-character string holding a single quote


def _column(name: str) -> str:
    return f'{_TABLE}."{name}"'


def _safe(expression: str) -> str:
    """neutralize() in SQL: a leading formula character gets a quote before it. An empty
    text is NULL, which COPY writes as an empty cell, as Python's writer does."""
    return (
        f"CASE WHEN left({expression}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
        f"THEN {_QUOTE} || {expression} ELSE NULLIF({expression}, '') END"
    )


def _time(name: str) -> str:
    return f"""to_char({_column(name)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""


def _sql_cells() -> dict[str, str]:
    number = _column("number")
    cells = {
        "id": _column("id"),
        "ticketNumber": f"'FCT-' || CASE WHEN {number} < 1000000 THEN lpad({number}::text, 6, '0') "
        f"ELSE {number}::text END",
        "tags": _safe(f"(SELECT string_agg(value, ',') FROM jsonb_array_elements_text({_column('tags')}))"),
    }
    for name, field in COLUMNS:
        if name in cells or name == "isOverdue":  # isOverdue: the rule itself, _overdue_cell
            continue
        kind = SupportTicket._meta.get_field(field).get_internal_type()
        if kind == "DateTimeField":
            cells[name] = _time(field)
        elif kind in ("CharField", "TextField", "EmailField"):
            cells[name] = _safe(_column(field))
        else:
            cells[name] = _column(field)
    return cells


_SQL_CELLS = _sql_cells()


# A custom field's cell: its value's text, neutralized when it is a JSON string, as
# _custom_cell writes it. Each %s is the field's key.
_CUSTOM_VALUE = f"({_column('custom_fields')} ->> %s)"
_CUSTOM_CELL = (
    f"CASE jsonb_typeof({_column('custom_fields')} -> %s) WHEN 'string' "
    f"THEN {_safe(_CUSTOM_VALUE)} ELSE {_CUSTOM_VALUE} END"
)


def _copy_chunks(queryset: QuerySet[SupportTicket]) -> Iterator[bytes]:
    overdue = _overdue_cell(timezone.now())
    cells = {
        # Fixed SQL of ours, with no values in it.
        f"export_{index}": overdue if name == "isOverdue" else RawSQL(_SQL_CELLS[name], [])  # noqa: S611
        for index, (name, _) in enumerate(COLUMNS)
    }
    custom_keys = _custom_keys()
    for index, key in enumerate(custom_keys):
        # Our fixed SQL; the key is a parameter each time the SQL names it.
        cells[f"export_custom_{index}"] = RawSQL(_CUSTOM_CELL, [key] * _CUSTOM_CELL.count("%s"))  # noqa: S611
    sql, params = queryset.annotate(**cells).values_list(*cells).query.sql_with_params()
    yield _Encoder(custom_keys).rest()  # the header row
    buffer = bytearray()
    # psycopg's own cursor: Django's wrapper passes no parameters to COPY.
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for data in copy:
            buffer += data
            if len(buffer) >= _CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
    yield bytes(buffer)
