"""Slack's request signatures: v0, an HMAC-SHA256 of "v0:<timestamp>:<raw body>" under
the app's signing secret, within five minutes of our clock either way. The SDK's
verifier compares digests with hmac.compare_digest (constant time)."""

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest
from slack_sdk.signature import Clock, SignatureVerifier


class _FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def is_valid(body: bytes, headers: Mapping[str, str], *, secret: str, now: float | None = None) -> bool:
    if not secret.strip():
        return False
    verifier = SignatureVerifier(secret, clock=Clock() if now is None else _FixedClock(now))
    try:
        return verifier.is_valid_request(body, headers)
    # A non-numeric or absurd timestamp, or a body that is not UTF-8: not Slack's.
    except (ValueError, OverflowError):
        return False


def request_is_from_slack(request: HttpRequest) -> bool:
    """Checked on the raw body, before anything parses it."""
    return is_valid(request.body, request.headers, secret=settings.SLACK_SIGNING_SECRET)
