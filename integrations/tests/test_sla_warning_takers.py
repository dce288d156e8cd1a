"""Who is told of an SLA warning: Slack shows it in the ticket's thread; Help Scout, whose
conversations the customer reads, is not told."""

import pytest

from integrations.models import OutboxMessage
from tickets import services
from tickets.tests.factories import make_ticket

from .configured import HELPSCOUT, SLACK

pytestmark = pytest.mark.django_db


def test_only_slack_takes_the_warning(settings):
    for name, value in {**SLACK, **HELPSCOUT}.items():
        setattr(settings, name, value)
    ticket = make_ticket(priority="urgent")

    services.tickets_announce_sla_warnings(now=ticket.response_warning_at)

    rows = OutboxMessage.objects.filter(ticket=ticket, event="ticket-sla-warning")
    assert [row.integration for row in rows] == ["slack"]
    assert rows[0].payload["targets"] == ["response"]
