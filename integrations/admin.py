from django.contrib import admin

from tickets.admin import ReadOnlyAdmin

from .models import IntegrationState


@admin.register(IntegrationState)
class IntegrationStateAdmin(ReadOnlyAdmin):
    """Written only by the integration tasks; shown here for troubleshooting."""

    list_display = ("name", "last_success_at", "last_sync_at", "last_error_at", "last_error")
