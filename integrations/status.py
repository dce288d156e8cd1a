"""Whether each integration is configured and how its last attempts went."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import IntegrationName, IntegrationState

MAX_ERROR_LENGTH = 1000


# What turns an integration on (outbound changes are sent), and what else it uses: Help
# Scout's webhooks are refused (401) until they can be verified.
REQUIRED_SETTINGS = {
    IntegrationName.HELPSCOUT: ("HELPSCOUT_APP_ID", "HELPSCOUT_APP_SECRET", "HELPSCOUT_MAILBOX_ID"),
    IntegrationName.SLACK: ("SLACK_BOT_TOKEN", "SLACK_SUPPORT_CHANNEL_ID", "SLACK_SIGNING_SECRET"),
}
ALSO_USED_SETTINGS = {IntegrationName.HELPSCOUT: ("HELPSCOUT_WEBHOOK_SECRET",), IntegrationName.SLACK: ()}


def is_configured(name: IntegrationName | str) -> bool:
    return all(getattr(settings, setting) for setting in REQUIRED_SETTINGS[IntegrationName(name)])


def missing_settings(name: IntegrationName | str) -> list[str]:
    """The unset settings the integration uses, to tell an admin what to set."""
    used = (*REQUIRED_SETTINGS[IntegrationName(name)], *ALSO_USED_SETTINGS[IntegrationName(name)])
    return [setting for setting in used if not getattr(settings, setting)]


def record_success(name: IntegrationName | str) -> None:
    """A call went through: the integration is healthy again. One UPDATE when the row is
    there (always, but once): every task that delivers writes this."""
    now = timezone.now()
    fields = {"last_success_at": now, "last_sync_at": now, "last_error": None}
    if not IntegrationState.objects.filter(name=name).update(**fields):
        IntegrationState.objects.update_or_create(name=name, defaults=fields)


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
            "missing": missing_settings(name),
        }
    return report
