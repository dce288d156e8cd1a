"""CSV export: streamed, filtered, formula-safe, under WSGI and ASGI."""

import csv
import io
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from tickets import services
from tickets.export import COLUMNS, _python_chunks, csv_chunks
from tickets.models import SupportTicket
from tickets.selectors import ticket_list

from .factories import TEST_ACTOR, StaffFactory, make_ticket


def bulk_tickets(count: int, **fields: object) -> None:
    """Test data at volume, inserted directly: the export only reads."""
    now = timezone.now()
    SupportTicket.objects.bulk_create(
        [
            SupportTicket(
                number=n,
                subject=f"Subject {n}",
                description="Body",
                customer_email=f"c{n}@example.com",
                response_target_minutes=240,
                response_deadline=now + timedelta(hours=4),
                resolution_deadline=now + timedelta(days=3),
                created_at=now - timedelta(seconds=n),
                **fields,
            )
            for n in range(1, count + 1)
        ],
        batch_size=2000,
    )


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@pytest.mark.django_db
def test_export_streams_ten_thousand_tickets(staff_client):
    bulk_tickets(10_000)
    response = staff_client.get("/api/admin/support-tickets/export")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    chunks = list(response.streaming_content)
    assert len(chunks) > 10  # sent in pieces, not built whole
    rows = read_csv(b"".join(chunks))
    assert len(rows) == 10_000
    assert list(rows[0]) == [column for column, _ in COLUMNS]
    assert rows[0]["ticketNumber"] == "FCT-000001"  # newest first, as the list sorts


@pytest.mark.django_db
def test_export_applies_the_list_filters(staff_client):
    make_ticket(subject="Keep me", priority="urgent")
    make_ticket(subject="Drop me", priority="low")
    response = staff_client.get("/api/admin/support-tickets/export?priority=urgent")
    assert [row["subject"] for row in read_csv(b"".join(response.streaming_content))] == ["Keep me"]


@pytest.mark.django_db
def test_export_rejects_bad_filters(staff_client):
    assert staff_client.get("/api/admin/support-tickets/export?status=nope").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_neutralises_spreadsheet_formulas(staff_client, dangerous):
    make_ticket(subject=dangerous, customer_name=dangerous, tags=["=cmd"])
    row = read_csv(b"".join(staff_client.get("/api/admin/support-tickets/export").streaming_content))[0]
    assert row["subject"] == "'" + dangerous
    assert row["customerName"] == "'" + dangerous
    assert row["tags"] == "'=cmd"


@pytest.mark.django_db(transaction=True)
async def test_export_under_asgi_streams_from_an_async_iterator():
    await sync_to_async(bulk_tickets)(1_200)
    staff = await sync_to_async(StaffFactory)()
    token = await sync_to_async(lambda: str(RefreshToken.for_user(staff).access_token))()
    response = await AsyncClient().get(
        "/api/admin/support-tickets/export", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert response.is_async
    content = b"".join([chunk async for chunk in response.streaming_content])
    assert len(read_csv(content)) == 1_200
    # The rows were read on the thread that sync_to_async keeps for this test; close its
    # connection as a server's request_finished would, so the test database can be dropped.
    await sync_to_async(connections.close_all)()


@pytest.mark.django_db
def test_postgresql_writes_the_same_csv_as_the_python_writer():
    make_ticket(subject='Quote " comma , and\nnewline', customer_name="", tags=["=x", "vip"], description="-1")
    make_ticket(subject="Ünïcödé ✓", customer_name="@me", assigned_to="Jo", description="plain")
    services.ticket_change_status(ticket_id=SupportTicket.objects.first().pk, status="resolved", actor=TEST_ACTOR)
    queryset = ticket_list().order_by("-created_at", "-id")

    from_database = b"".join(csv_chunks(queryset))
    from_python = b"".join(_python_chunks(queryset))

    assert read_csv(from_database) == read_csv(from_python)
    assert len(read_csv(from_database)) == 2
