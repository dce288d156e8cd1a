"""Whether each integration is configured and how its last attempts went."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import IntegrationName, IntegrationState

MAX_ERROR_LENGTH = 1000


def is_configured(name: IntegrationName | str) -> bool:
    if name == IntegrationName.HELPSCOUT:
        return bool(settings.HELPSCOUT_APP_ID and settings.HELPSCOUT_APP_SECRET and settings.HELPSCOUT_MAILBOX_ID)
    return bool(settings.SLACK_BOT_TOKEN and settings.SLACK_SUPPORT_CHANNEL_ID and settings.SLACK_SIGNING_SECRET)


def record_success(name: IntegrationName | str) -> None:
    """A call went through: the integration is healthy again."""
    now = timezone.now()
    IntegrationState.objects.update_or_create(
        name=name, defaults={"last_success_at": now, "last_sync_at": now, "last_error": None}
    )


def record_failure(name: IntegrationName | str, error: str) -> None:
    IntegrationState.objects.update_or_create(
        name=name, defaults={"last_error": error[:MAX_ERROR_LENGTH], "last_error_at": timezone.now()}
    )


def integration_status() -> dict[str, dict[str, Any]]:
    states = {state.name: state for state in IntegrationState.objects.all()}
    report = {}
    for key, name in (("helpScout", IntegrationName.HELPSCOUT), ("slack", IntegrationName.SLACK)):
        state = states.get(name)
        configured = is_configured(name)
        last_error = state.last_error if state else None
        status = "error" if last_error else "ok"
        report[key] = {
            "configured": configured,
            "status": status if configured else "not_configured",
            "lastSyncAt": state.last_sync_at if state else None,
            "lastError": last_error,
        }
    return report
