"""The Slack Web API client, and how its failures map to the outbox's choice between
retrying later and giving up."""

import http.client
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from integrations import rate_limits
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


# Slack's documented limits per method ("Tier 3: 50+ per minute"); chat.postMessage is
# about one message per second per channel. Counted per workspace (one token here).
METHOD_RATES = {
    "chat.postMessage": "1/second",
    "chat.update": "50/minute",
    "chat.postEphemeral": "100/minute",
    "conversations.history": "50/minute",
    "conversations.replies": "50/minute",
    "users.info": "100/minute",
    "views.open": "100/minute",
    "auth.test": "100/minute",
    "users.lookupByEmail": "50/minute",
}
DEFAULT_RATE = "20/minute"  # Tier 2, for a method not listed


def method_rate(api_method: str) -> str:
    return str(settings.SLACK_RATE_LIMITS.get(api_method) or METHOD_RATES.get(api_method, DEFAULT_RATE))


class SlackRateLimitError(SlackClientError):
    """Our own pacing held a call back: nothing was sent."""

    def __init__(self, error: rate_limits.RateLimitError) -> None:
        super().__init__(str(error))
        self.retry_after = error.retry_after


class PacedWebClient(WebClient):
    """Every call waits for room under its method's rate (per channel for messages), at
    most `max_wait` seconds."""

    def __init__(self, *, max_wait: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_wait = max_wait

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:  # type: ignore[override]
        key = api_method
        if api_method == "chat.postMessage":
            body = kwargs.get("json") or kwargs.get("data") or {}
            key = f"{api_method}:{body.get('channel', '')}"
        try:
            rate_limits.acquire("slack", method_rate(api_method), key=key, max_wait=self.max_wait)
        except rate_limits.RateLimitError as error:
            raise SlackRateLimitError(error) from error
        return super().api_call(api_method, **kwargs)  # type: ignore[return-value]


def web_client(*, timeout: int | None = None) -> WebClient:
    # No SDK retry handlers: the outbox owns retries and backoff, so a worker never sleeps.
    # A call made while Slack waits for our answer (a timeout given) never waits for room.
    return PacedWebClient(
        max_wait=0 if timeout else rate_limits.MAX_INLINE_WAIT_SECONDS,
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
    if isinstance(error, SlackRateLimitError):
        return rate_limits.RateLimitError(str(error), retry_after=error.retry_after or 0.0)
    if not isinstance(error, SlackApiError):
        # Refused at connect: the request never left; anything later may have reached Slack.
        refused = isinstance(getattr(error, "reason", error), ConnectionRefusedError)
        return DeliveryError(f"Slack unreachable: {type(error).__name__}: {error}", maybe_sent=not refused)
    response = error.response
    method = str(response.api_url).split("?", 1)[0].rsplit("/", 1)[-1]
    code = error_code(error)
    message = f"Slack {method} failed: {code} (HTTP {response.status_code})"
    if response.status_code == 429 or code == "ratelimited":
        return DeliveryError(message, retry_after=_retry_after(response.headers), maybe_sent=False)
    if response.status_code >= 500 or code in _TRANSIENT_ERRORS:
        return DeliveryError(message)
    if code in _TOKEN_ERRORS:
        return DeliveryError(message, maybe_sent=False)
    return DeliveryError(message, permanent=True, maybe_sent=False)


def _retry_after(headers: Mapping[str, object]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(str(value)))
            except ValueError:
                return None
    return None
