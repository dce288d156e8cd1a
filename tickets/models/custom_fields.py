"""Custom ticket fields: the definitions an admin makes. A ticket's values live in its
`custom_fields` JSON column, keyed by the definition's key; tickets/custom_fields.py is the
one writer of definitions and the one judge of values."""

from django.db import models


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"
    BOOLEAN = "boolean", "Yes/no"


class CustomField(models.Model):
    # A slug (lower-case letters, digits, "_"), fixed once made: tickets store values under it.
    key = models.CharField(max_length=27, unique=True)
    label = models.CharField(max_length=100)
    # Fixed once made (tickets/custom_fields.py says why).
    type = models.CharField(max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(default=list, blank=True)  # the allowed texts of a choice field
    # Required of tickets created through the API and the dashboard.
    required = models.BooleanField(default=False)
    # Inactive: tickets keep their values, shown read-only; nobody sets them.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"
