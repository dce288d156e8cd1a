"""Canned responses (macros): a reply an agent sends with one choice, its placeholders
filled in for the ticket, and the changes it makes to the ticket with it
(tickets/canned_responses.py writes them; services.ticket_apply_macro applies one)."""

from django.conf import settings
from django.db import models

from ..limits import MAX_CANNED_SHORTCUT_LENGTH, MAX_CANNED_TITLE_LENGTH


class CannedResponse(models.Model):
    title = models.CharField(max_length=MAX_CANNED_TITLE_LENGTH)
    # Typed as "/refund" in the dashboard's reply box: unique among the shared ones, and
    # among each owner's personal ones.
    shortcut = models.CharField(max_length=MAX_CANNED_SHORTCUT_LENGTH)
    # Plain text with placeholders such as {{ customer.first_name }} (tickets/placeholders.py);
    # may be empty when the response only changes the ticket.
    body = models.TextField(blank=True)
    # Shared: every staff user sees and uses it; personal: its owner only.
    shared = models.BooleanField(default=False)
    # Who wrote it; NULL once that user is deleted (their shared ones stay, for superusers to keep).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="canned_responses"
    )
    # Normalised by tickets.canned_responses: {"status": "waiting_customer", "priority": "high",
    # "category": "billing", "addTags": [...], "removeTags": [...], "assigneeId": 2, "teamId": 1},
    # each key optional.
    actions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shortcut"], condition=models.Q(shared=True), name="canned_response_shared_shortcut"
            ),
            models.UniqueConstraint(
                fields=["owner", "shortcut"],
                condition=models.Q(shared=False),
                name="canned_response_personal_shortcut",
            ),
        ]

    def __str__(self) -> str:
        return self.title
