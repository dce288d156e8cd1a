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


class OutboxMessage(models.Model):
    """A ticket change to send to one integration, written in the change's own transaction
    so it survives a broker or worker outage; delivered in order per ticket, retried with
    backoff until it goes through or fails for good."""

    integration = models.CharField(max_length=20, choices=IntegrationName.choices)
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

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
