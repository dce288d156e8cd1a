"""Tickets linked before the integrations' own link tables keep their links after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.models import HelpScoutConversation, SlackThread
from tickets.models import SupportTicket
from tickets.tests.factories import make_ticket

# Migrating back and forth takes seconds.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BEFORE = [("integrations", "0007_outbox_payloads_in_domain_terms"), ("tickets", "0013_ticket_version")]


def migrate(targets=None):
    """To `targets`, or (None) forward to every app's latest migration, as the suite runs."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


def test_slack_threads_and_helpscout_conversations_get_their_rows():
    threaded, linked, tied, plain = (make_ticket() for _ in range(4))
    migrate(BEFORE)
    try:
        SupportTicket.objects.filter(pk=threaded.pk).update(
            slack_channel_id="C1", slack_message_ts="1.5", slack_thread_id="1.5"
        )
        SupportTicket.objects.filter(pk=linked.pk).update(helpscout_conversation_id="501")
        SupportTicket.objects.filter(pk=tied.pk).update(helpscout_conversation_id="502")
        with connection.cursor() as cursor:  # the old schema has no SlackThread: plain SQL
            cursor.execute(
                "INSERT INTO integrations_helpscoutconversation (conversation_id, customer_id, first_thread_id,"
                " status, assignee, deleted) VALUES ('502', '7', '', 'active', '', false)"
            )
    finally:
        migrate()

    assert list(SlackThread.objects.values_list("ticket_id", "channel_id", "thread_ts")) == [(threaded.pk, "C1", "1.5")]
    links = dict(HelpScoutConversation.objects.values_list("conversation_id", "ticket_id"))
    assert links == {"501": linked.pk, "502": tied.pk}
    assert HelpScoutConversation.objects.get(conversation_id="502").customer_id == "7"  # kept as it was
    assert not SlackThread.objects.filter(ticket=plain).exists()
