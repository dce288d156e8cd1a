"""Messages queued before the upgrade, in the API's camelCase, are delivered after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations import outbox
from integrations.models import OutboxMessage
from tickets import services
from tickets.api.serializers import CommentSerializer, TicketSerializer
from tickets.events import TicketCommentAdded, TicketCreated, TicketStatusChanged
from tickets.tests.factories import TEST_ACTOR, make_ticket

# Migrating back and forth takes seconds.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("integrations", "0006_outbox_sending_progress")]


def migrate(targets=None):
    """To `targets`, or (None) forward to every app's latest migration, as the suite runs."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def test_queued_messages_in_the_old_shape_decode_as_the_catalogue_says():
    ticket = make_ticket(customer_name="Ada Lovelace")
    comment = services.comment_add(ticket_id=ticket.pk, body="Hi", is_internal=False, author="Tom", actor=TEST_ACTOR)
    ticket.refresh_from_db()
    old = dict(TicketSerializer(ticket).data)  # what the outbox stored before the catalogue
    rows = {
        "new-ticket": old,
        "ticket-status-updated": {"id": ticket.pk, "status": "resolved", "previousStatus": "open", "ticket": old},
        "ticket-comment-added": {"id": ticket.pk, "comment": dict(CommentSerializer(comment).data), "ticket": old},
    }
    migrate(BEFORE)
    try:
        for event, payload in rows.items():
            OutboxMessage.objects.create(integration="slack", ticket_id=ticket.pk, event=event, payload=payload)
    finally:
        migrate()

    events = {message.event: outbox.event_of(message) for message in OutboxMessage.objects.filter(integration="slack")}
    created, status, commented = events["new-ticket"], events["ticket-status-updated"], events["ticket-comment-added"]
    assert isinstance(created, TicketCreated)
    assert (created.ticket.customer_name, created.ticket.ticket_number) == ("Ada Lovelace", ticket.ticket_number)
    assert created.ticket.created_at == ticket.created_at
    assert isinstance(status, TicketStatusChanged)
    assert (status.status, status.previous_status) == ("resolved", "open")
    assert isinstance(commented, TicketCommentAdded)
    assert (commented.comment.body, commented.comment.is_internal) == ("Hi", False)
