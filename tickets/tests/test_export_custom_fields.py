"""The export's column per active custom field: headed `customFields.<key>`, the same
cells from PostgreSQL's COPY and from Python's writer, formulas neutralized."""

import csv
import io

import pytest
from django.db import connection

from tickets import custom_fields
from tickets.export import _copy_chunks, _python_chunks
from tickets.selectors import ticket_list

from .factories import make_ticket

pytestmark = pytest.mark.django_db


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.fixture
def tickets():
    for key, kind, extra in [
        ("plan", "choice", {"choices": ["pro", "=cmd"]}),
        ("seats", "number", {}),
        ("renewal", "date", {}),
        ("vip", "boolean", {}),
        ("note", "text", {}),
        ("old", "text", {}),
    ]:
        custom_fields.definition_create(key=key, label=key.title(), type=kind, **extra)
    make_ticket(custom_fields={"plan": "pro", "seats": 12, "renewal": "2027-01-31", "vip": True, "note": "-1"})
    make_ticket(custom_fields={"plan": "=cmd", "seats": 0.0000001, "vip": False, "note": 'a, "quoted"\nline'})
    make_ticket(custom_fields={"old": "kept"})
    custom_fields.definition_update(key="old", fields={"active": False})
    return ticket_list().order_by("id")


def test_each_active_field_has_a_column_with_its_values(tickets):
    rows = read_csv(b"".join(_python_chunks(tickets)))

    custom = [{name: row[name] for name in row if name.startswith("customFields.")} for row in rows]
    assert custom == [
        {
            "customFields.plan": "pro",
            "customFields.seats": "12",
            "customFields.renewal": "2027-01-31",
            "customFields.vip": "true",
            "customFields.note": "'-1",
        },
        {
            "customFields.plan": "'=cmd",
            "customFields.seats": "0.0000001",
            "customFields.renewal": "",
            "customFields.vip": "false",
            "customFields.note": 'a, "quoted"\nline',
        },
        dict.fromkeys(custom[0], ""),
    ]


def test_postgresql_writes_the_same_custom_columns_as_python(tickets):
    assert connection.vendor == "postgresql", "COPY is PostgreSQL's; run this test on PostgreSQL"
    from_database = read_csv(b"".join(_copy_chunks(tickets)))
    assert from_database == read_csv(b"".join(_python_chunks(tickets)))
    assert from_database[1]["customFields.seats"] == "0.0000001"
