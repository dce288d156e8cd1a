"""A change's outbox rows: one per interested integration, written in one statement with
the event's payload intact."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import OutboxMessage
from tickets.tests.factories import make_ticket

from .configured import HELPSCOUT, SLACK

pytestmark = pytest.mark.django_db


def test_a_new_ticket_writes_one_row_per_integration_in_one_plain_insert(settings):
    for name, value in {**SLACK, **HELPSCOUT}.items():
        setattr(settings, name, value)
    subject = 'Quotes " and \\ backslashes, {braces}, ünïcode'

    with CaptureQueriesContext(connection) as captured:
        ticket = make_ticket(subject=subject)

    inserts = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "integrations_outboxmessage"')]
    assert len(inserts) == 1
    # Not UNNEST of arrays, where each JSON document would be escaped in Python, slowly.
    assert "UNNEST" not in inserts[0].upper()
    rows = OutboxMessage.objects.filter(ticket=ticket).order_by("integration")
    assert [row.integration for row in rows] == ["helpscout", "slack"]
    assert {row.payload["ticket"]["subject"] for row in rows} == {subject}
