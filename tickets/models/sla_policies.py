"""When a ticket's SLA clock runs: business calendars, and the policies that pick targets
and a calendar for a ticket. With no policy, the settings' targets apply around the clock
(SLA_TARGETS_MINUTES), as before policies existed."""

from django.db import models


class BusinessCalendar(models.Model):
    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")  # an IANA zone: opening hours are local
    # {"mon": [["09:00", "17:30"]], ...}: open intervals per weekday; a day left out is closed.
    hours = models.JSONField(default=dict)
    holidays = models.JSONField(default=list)  # ["2026-12-25", ...]: whole local days closed
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # The first matching policy, lowest position first, applies to a ticket.
    position = models.IntegerField(default=0)
    # {"priority": [...], "category": [...], "source": [...], "teamId": [...]}: each given
    # key must match; an empty object matches every ticket.
    conditions = models.JSONField(default=dict)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    # NULL: the clock runs around the clock.
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True)
    pause_on_waiting_customer = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name
