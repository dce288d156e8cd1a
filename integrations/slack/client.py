"""The Slack Web API client, and how its failures map to the outbox's choice between
retrying later and giving up."""

import http.client
from collections.abc import Mapping

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from integrations.errors import DeliveryError

# Calls made while Slack waits for our answer (it gives up after 3 s); other calls give up
# after SLACK_TIMEOUT_SECONDS, and the outbox retries them later.
INTERACTIVE_TIMEOUT_SECONDS = 2

# Raised by a call that did not go through: the SDK's own errors and the network's.
CALL_ERRORS = (SlackClientError, OSError, http.client.HTTPException)

# Slack's side will recover.
_TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# The shared token is wrong: every call fails until an admin fixes it, and then the held
# messages should still go out, so these are retried rather than dropped.
_TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})


def web_client(*, timeout: int | None = None) -> WebClient:
    # No SDK retry handlers: the outbox owns retries and backoff, so a worker never sleeps.
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL,
        timeout=timeout or settings.SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],
    )


def error_code(error: SlackApiError) -> str:
    data = error.response.data
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code else "unknown_error"


def delivery_error(error: Exception) -> DeliveryError:
    """Rate limits wait as long as Slack asks; outages and bad tokens are retried with
    backoff; anything else is a request Slack will never accept."""
    if not isinstance(error, SlackApiError):
        return DeliveryError(f"Slack unreachable: {type(error).__name__}: {error}")
    response = error.response
    method = str(response.api_url).split("?", 1)[0].rsplit("/", 1)[-1]
    code = error_code(error)
    message = f"Slack {method} failed: {code} (HTTP {response.status_code})"
    if response.status_code == 429 or code == "ratelimited":
        return DeliveryError(message, retry_after=_retry_after(response.headers))
    if response.status_code >= 500 or code in _TRANSIENT_ERRORS or code in _TOKEN_ERRORS:
        return DeliveryError(message)
    return DeliveryError(message, permanent=True)


def _retry_after(headers: Mapping[str, object]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(str(value)))
            except ValueError:
                return None
    return None
