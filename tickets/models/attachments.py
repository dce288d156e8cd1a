"""Files sent with a ticket's messages (tickets/attachments.py validates and stores them).

A row names a file in the "attachments" storage (settings.STORAGES): the bytes live there,
never in the database. Every row belongs to its ticket; one sent with a comment belongs to
that comment too. Files sent with a new ticket belong to the ticket alone (`comment` NULL):
they go with its description, which is the ticket's first message, not a comment.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone


def download_url(attachment_id: int) -> str:
    """Where staff download the file (the API's view; the dashboard has its own)."""
    return reverse("attachment-download", args=[attachment_id])


class Attachment(models.Model):
    ticket = models.ForeignKey(
        "tickets.SupportTicket", on_delete=models.CASCADE, related_name="attachments", db_index=False
    )
    comment = models.ForeignKey(
        "tickets.TicketComment", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    filename = models.CharField(max_length=255)  # as sent, shown and offered on download
    content_type = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    storage_name = models.CharField(max_length=500, unique=True)  # the file's name in the storage
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["ticket", "id"], name="attachment_ticket_idx")]

    def __str__(self) -> str:
        return self.filename

    @property
    def url(self) -> str:
        return download_url(self.pk)
