"""Each integration finds its tickets through a table of its own: Slack threads move to
SlackThread, and every ticket's Help Scout conversation has its HelpScoutConversation
row, so the ticket table's link columns need no index (tickets 0014)."""

import django.db.models.deletion
from django.db import migrations, models

SLACK_THREADS = """
    INSERT INTO integrations_slackthread (ticket_id, channel_id, thread_ts)
    SELECT id, slack_channel_id, slack_thread_id FROM tickets_supportticket
    WHERE slack_thread_id <> ''
"""
# Tickets linked before HelpScoutConversation existed, or whose row was never tied.
HELPSCOUT_LINKS = """
    INSERT INTO integrations_helpscoutconversation
        (ticket_id, conversation_id, customer_id, first_thread_id, status, assignee, deleted)
    SELECT id, helpscout_conversation_id, '', '', '', '', false FROM tickets_supportticket AS ticket
    WHERE helpscout_conversation_id IS NOT NULL AND helpscout_conversation_id <> ''
      AND NOT EXISTS (SELECT 1 FROM integrations_helpscoutconversation AS link
                      WHERE link.conversation_id = ticket.helpscout_conversation_id)
      AND NOT EXISTS (SELECT 1 FROM integrations_helpscoutconversation AS link
                      WHERE link.ticket_id = ticket.id)
"""
TIE_HELPSCOUT_LINKS = """
    UPDATE integrations_helpscoutconversation SET ticket_id = (
        SELECT id FROM tickets_supportticket AS ticket
        WHERE ticket.helpscout_conversation_id = integrations_helpscoutconversation.conversation_id
    )
    WHERE ticket_id IS NULL AND EXISTS (
        SELECT 1 FROM tickets_supportticket AS ticket
        WHERE ticket.helpscout_conversation_id = integrations_helpscoutconversation.conversation_id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0007_outbox_payloads_in_domain_terms"),
        ("tickets", "0013_ticket_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="SlackThread",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("channel_id", models.CharField(max_length=32)),
                ("thread_ts", models.CharField(max_length=32)),
                (
                    "ticket",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slack_thread",
                        to="tickets.supportticket",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["channel_id", "thread_ts"], name="slack_thread_idx")],
            },
        ),
        # While the ticket's old indexes still make these lookups cheap.
        migrations.RunSQL(SLACK_THREADS, migrations.RunSQL.noop, elidable=True),
        migrations.RunSQL(TIE_HELPSCOUT_LINKS, migrations.RunSQL.noop, elidable=True),
        migrations.RunSQL(HELPSCOUT_LINKS, migrations.RunSQL.noop, elidable=True),
    ]
