"""State the integrations keep about themselves."""

from django.db import models


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
