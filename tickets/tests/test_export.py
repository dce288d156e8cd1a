"""The export's two writers, PostgreSQL's COPY and Python's csv module, write the same
CSV (the endpoint's contract is in test_api_export.py)."""

import csv
import io

import pytest
from django.db import connection

from tickets import services
from tickets.export import _copy_chunks, _python_chunks
from tickets.models import SupportTicket
from tickets.selectors import ticket_list

from .factories import TEST_ACTOR, make_ticket


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.mark.django_db
def test_postgresql_writes_the_same_csv_as_the_python_writer():
    make_ticket(subject='Quote " comma , and\nnewline', customer_name="", tags=["=x", "vip"], description="-1")
    make_ticket(subject="Ünïcödé ✓", customer_name="@me", assigned_to="Jo", description="plain")
    services.ticket_change_status(ticket_id=SupportTicket.objects.first().pk, status="resolved", actor=TEST_ACTOR)
    queryset = ticket_list().order_by("-created_at", "-id")
    assert connection.vendor == "postgresql", "COPY is PostgreSQL's; run the suite on PostgreSQL"

    from_database = b"".join(_copy_chunks(queryset))
    from_python = b"".join(_python_chunks(queryset))

    assert read_csv(from_database) == read_csv(from_python)
    assert len(read_csv(from_database)) == 2
