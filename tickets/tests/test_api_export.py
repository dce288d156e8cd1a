"""The CSV export's contract: streamed, filtered, formula-safe (on SQLite too: `make
test-sqlite`). Its isOverdue column is checked with the other readers of the rule
(test_sla_rules.py), the export under ASGI with the application the servers run
(fractionax_support/tests/test_asgi_http.py), PostgreSQL's writer against Python's in
test_export.py."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import SupportTicket

from .factories import TEST_ACTOR, make_ticket

URL = "/api/admin/support-tickets/export"


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


HEADER = (
    "id,ticketNumber,subject,status,priority,category,source,customerName,customerEmail,assignedTo,tags,createdAt,"
    "updatedAt,responseDeadline,resolutionDeadline,isOverdue,firstResponseAt,totalComments,resolvedAt,resolvedBy,"
    "resolutionTime,description"
)


def export(client, **params: str) -> list[dict[str, str]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return read_csv(b"".join(response.streaming_content))


@pytest.mark.django_db
def test_export_streams_ten_thousand_tickets(staff_client):
    bulk_tickets(10_000)
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="tickets-[0-9-]+\.csv"', response["Content-Disposition"])
    chunks = list(response.streaming_content)
    assert len(chunks) > 10  # sent in pieces, not built whole
    assert b"".join(chunks).decode().partition("\r\n")[0] == HEADER  # the API's JSON names
    rows = read_csv(b"".join(chunks))
    assert len(rows) == 10_000
    assert rows[0]["ticketNumber"] == "FCT-000001"  # newest first, as the list sorts


@pytest.mark.django_db
def test_export_without_tickets_is_the_header_alone(staff_client):
    response = staff_client.get(URL)
    assert b"".join(response.streaming_content).decode() == HEADER + "\r\n"


@pytest.mark.django_db
def test_export_has_a_row_per_ticket_the_list_filters_keep(staff_client):
    make_ticket(subject="Urgent one", priority="urgent")
    make_ticket(subject="Zeppelin question", priority="low", assigned_to="John Doe")
    done = make_ticket(subject="Done")
    services.ticket_change_status(ticket_id=done.pk, status="resolved", actor=TEST_ACTOR)

    assert sorted((row["ticketNumber"], row["subject"]) for row in export(staff_client)) == [
        ("FCT-000001", "Urgent one"),
        ("FCT-000002", "Zeppelin question"),
        ("FCT-000003", "Done"),
    ]
    assert [row["subject"] for row in export(staff_client, priority="urgent")] == ["Urgent one"]
    assert [row["subject"] for row in export(staff_client, status="resolved")] == ["Done"]
    assert [row["subject"] for row in export(staff_client, search="zeppelin")] == ["Zeppelin question"]


@pytest.mark.django_db
def test_export_with_an_invalid_filter_is_400_naming_it(staff_client):
    response = staff_client.get(URL, {"status": "nope"})
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_neutralises_spreadsheet_formulas(staff_client, dangerous):
    make_ticket(subject=dangerous, customer_name=dangerous, tags=["=cmd"])
    [row] = export(staff_client)
    assert row["subject"] == "'" + dangerous
    assert row["customerName"] == "'" + dangerous
    assert row["tags"] == "'=cmd"
