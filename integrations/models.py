"""State the integrations keep: their health, the outbox of changes to send, and the
inbound deliveries already handled."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tickets.models import SupportTicket


class IntegrationName(models.TextChoices):
    HELPSCOUT = "helpscout", "Help Scout"
    SLACK = "slack", "Slack"


class IntegrationState(models.Model):
    """Last success and last failure of one integration, for the status endpoint."""

    name = models.CharField(max_length=20, choices=IntegrationName.choices, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(null=True, blank=True)  # noqa: DJ001 (null: no error since the last success)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.get_name_display()


PENDING = Q(delivered_at__isnull=True, failed_at__isnull=True)


class PayloadField(models.JSONField):
    """JSON that Django bulk-inserts with plain VALUES rather than UNNEST of arrays: inside
    an array psycopg escapes each document character by character, more than doubling the
    CPU of a change's outbox rows (bench/RESULTS.md, finding 19). Django leaves any field with a
    get_placeholder out of UNNEST; this one's is the default placeholder."""

    def get_placeholder(self, value: object, compiler: object, connection: object) -> str:
        return "%s"


class OutboxMessage(models.Model):
    """A ticket change to send to one integration, written in the change's own transaction
    so it survives a broker or worker outage; delivered in order per ticket, retried with
    backoff until it goes through or fails for good."""

    integration = models.CharField(max_length=20, choices=IntegrationName.choices)
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    payload = PayloadField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set just before a call that creates something at the provider, cleared once the
    # attempt's outcome is known: found set, the last attempt may have been sent, so the
    # next one looks the result up at the provider before sending again.
    sending_since = models.DateTimeField(null=True, blank=True)
    # What the calls made so far created (step name to the provider's id), each recorded as
    # it succeeded, so that a retry never makes them again.
    progress = PayloadField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["integration", "ticket", "id"], condition=PENDING, name="outbox_pending_idx"),
            models.Index(fields=["next_attempt_at"], condition=PENDING, name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.integration} {self.event} for ticket {self.ticket_id}"


class InboundDelivery(models.Model):
    """A webhook delivery already handled, by its provider's unique key: a redelivery or
    a retry of the same event changes nothing."""

    integration = models.CharField(max_length=20, choices=IntegrationName.choices)
    key = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="inbound_delivery_unique")]

    def __str__(self) -> str:
        return f"{self.integration} {self.key}"


# --- Help Scout ---


class HelpScoutConversation(models.Model):
    """A Help Scout conversation and what we last saw of it, so that a late webhook or
    our own change coming back cannot undo a newer state.

    Made before its ticket (`ticket` is null until linked) so that concurrent deliveries
    of one conversation serialise on this row's lock. A conversation deleted first stays
    a deleted row without a ticket, so a late `convo.created` makes none."""

    ticket = models.OneToOneField(
        SupportTicket, on_delete=models.CASCADE, null=True, blank=True, related_name="helpscout_conversation"
    )
    conversation_id = models.CharField(max_length=32, unique=True)
    customer_id = models.CharField(max_length=32, blank=True)
    # The conversation's first thread, which is the ticket's description, never a comment.
    first_thread_id = models.CharField(max_length=32, blank=True)
    # Help Scout's newest modification time applied, and the status and assignee as it
    # then had them: a change is applied only when Help Scout's value moves.
    modified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True)
    assignee = models.CharField(max_length=100, blank=True)
    # The assignee's Help Scout user id, when known: names change, ids do not, and our own
    # assignment is recorded by id before it is sent (its webhook then brings no change).
    assignee_user_id = models.CharField(max_length=32, blank=True)
    deleted = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Help Scout conversation {self.conversation_id}"


class SlackThread(models.Model):
    """The Slack thread of a ticket's root message, by which a reply in it finds its ticket.

    A table of its own rather than an index on the ticket's columns: a ticket row changed
    in an indexed column is written anew in every one of the ticket table's indexes,
    while this row is inserted once (bench/RESULTS.md, finding 41)."""

    ticket = models.OneToOneField(SupportTicket, on_delete=models.CASCADE, related_name="slack_thread")
    channel_id = models.CharField(max_length=32)
    thread_ts = models.CharField(max_length=32)

    class Meta:
        # Not unique: Slack's ts is unique in a channel, but a root posted twice by a
        # provider's mistake must never keep a delivery from being recorded.
        indexes = [models.Index(fields=["channel_id", "thread_ts"], name="slack_thread_idx")]

    def __str__(self) -> str:
        return f"Slack thread {self.channel_id}/{self.thread_ts}"


class HelpScoutSyncRun(models.Model):
    """One resync: the window it pulled and what it changed. The last successful run's
    start is where the next one begins."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    modified_since = models.DateTimeField()
    succeeded = models.BooleanField(default=False)
    conversations = models.PositiveIntegerField(default=0)
    tickets_created = models.PositiveIntegerField(default=0)
    tickets_updated = models.PositiveIntegerField(default=0)
    comments_added = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-started_at"], condition=Q(succeeded=True), name="hs_sync_run_ok_idx")]

    def __str__(self) -> str:
        return f"Help Scout resync at {self.started_at:%Y-%m-%d %H:%M}"
