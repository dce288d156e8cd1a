"""A small Help Scout Mailbox API 2.0 client.

OAuth2 client credentials; the token is kept in Django's cache until it expires (Help
Scout gives no refresh token) and fetched anew on a 401. Failures raise `HelpScoutError`,
a `DeliveryError`, so the outbox can tell "retry later" from "give up".
"""

import base64
import binascii
import hashlib
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.dateparse import parse_datetime

from integrations import rate_limits
from integrations.errors import DeliveryError

CONNECT_TIMEOUT = 5  # seconds; the read timeout is HELPSCOUT_TIMEOUT_SECONDS
TOKEN_EXPIRY_MARGIN = 60  # seconds: renew a little before Help Scout expires it
MAX_INLINE_WAIT = 2.0  # seconds we may wait within one call; longer waits go back to the caller
RETRY_PAUSE = 0.5

_per_thread = threading.local()


class HelpScoutError(DeliveryError):
    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
        maybe_sent: bool = True,
    ) -> None:
        super().__init__(message, retry_after=retry_after, permanent=permanent, maybe_sent=maybe_sent)
        self.status = status


class HelpScoutClient:
    def __init__(self, *, base_url: str, app_id: str, app_secret: str) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.app_id = app_id
        self.app_secret = app_secret
        self.session = requests.Session()
        self.session.headers["Accept"] = "application/hal+json, application/json"

    @classmethod
    def from_settings(cls) -> "HelpScoutClient":
        """This thread's client of the configured account: its session keeps the connection
        (and its TLS handshake) from one delivery to the next."""
        account = (settings.HELPSCOUT_API_URL, settings.HELPSCOUT_APP_ID, settings.HELPSCOUT_APP_SECRET)
        if getattr(_per_thread, "account", None) != account:
            _per_thread.client = cls(base_url=account[0], app_id=account[1], app_secret=account[2])
            _per_thread.account = account
        client: HelpScoutClient = _per_thread.client
        return client

    # --- Endpoints ---

    def create_conversation(self, body: dict[str, Any]) -> str:
        return self._created(self._request("POST", "conversations", json=body))

    def create_reply(self, conversation_id: str, body: dict[str, Any]) -> str:
        return self._created(self._request("POST", f"conversations/{conversation_id}/reply", json=body))

    def create_note(self, conversation_id: str, body: dict[str, Any]) -> str:
        return self._created(self._request("POST", f"conversations/{conversation_id}/notes", json=body))

    def update_status(self, conversation_id: str, status: str) -> None:
        body = {"op": "replace", "path": "/status", "value": status}
        self._request("PATCH", f"conversations/{conversation_id}", json=body)

    def update_assignee(self, conversation_id: str, user_id: str) -> None:
        """Assigns the conversation to this Help Scout user; "" unassigns it."""
        if user_id:
            body: dict[str, Any] = {"op": "replace", "path": "/assignTo", "value": int(user_id)}
        else:
            body = {"op": "remove", "path": "/assignTo"}
        self._request("PATCH", f"conversations/{conversation_id}", json=body)

    def find_tagged_conversation(self, mailbox_id: str, tag: str, *, created_since: datetime) -> str | None:
        """The id of the conversation of our mailbox with this tag, in any status, made since
        `created_since` (a few minutes' margin for clocks apart)."""
        earliest = created_since - timedelta(minutes=5)
        for conversation in self.conversations({"mailbox": mailbox_id, "tag": tag, "status": "all"}):
            created_at = parse_datetime(str(conversation.get("createdAt", "")))
            if str(conversation.get("id", "")).isdigit() and (created_at is None or created_at >= earliest):
                return str(conversation["id"])
        return None

    def get_conversation(self, conversation_id: str) -> dict[str, Any]:
        return self._json(self._request("GET", f"conversations/{conversation_id}", params={"embed": "threads"}))

    def get_attachment_data(self, conversation_id: str, attachment_id: str) -> bytes:
        """A thread's file: Help Scout answers {"data": "<base64>"}."""
        data = self._json(self._request("GET", f"conversations/{conversation_id}/attachments/{attachment_id}/data"))
        try:
            return base64.b64decode(str(data.get("data", "")), validate=True)
        except binascii.Error as error:
            raise HelpScoutError(f"Attachment {attachment_id}'s data is not base64.", permanent=True) from error

    def get_customer(self, customer_id: str) -> dict[str, Any]:
        """The customer with its e-mails, phones... under `_embedded`."""
        return self._json(self._request("GET", f"customers/{customer_id}"))

    def conversations(self, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every conversation the filters match."""
        return self._listed("conversations", params)

    def webhooks(self) -> list[dict[str, Any]]:
        return list(self._listed("webhooks", {}))

    def create_webhook(self, body: dict[str, Any]) -> str:
        return self._created(self._request("POST", "webhooks", json=body))

    def update_webhook(self, webhook_id: str, body: dict[str, Any]) -> None:
        """Replaces the whole webhook (secret included) and enables it again."""
        self._request("PUT", f"webhooks/{webhook_id}", json=body)

    def _listed(self, resource: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a list, page by page (HAL). The page number is set here: Help
        Scout's `next` links have been seen to drop the filters."""
        page, pages = 1, 1
        while page <= pages:
            data = self._json(self._request("GET", resource, params={**params, "page": str(page)}))
            embedded, paging = data.get("_embedded", {}), data.get("page", {})  # no `_embedded` when empty
            items = embedded.get(resource, []) if isinstance(embedded, dict) else None
            total = paging.get("totalPages", 1) if isinstance(paging, dict) else None
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not isinstance(total, int):
                raise HelpScoutError(f"Help Scout sent a malformed {resource} list.", permanent=True)
            yield from items
            pages = total if items else 0
            page += 1

    # --- Transport ---

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Fetches a new token once on 401; waits and tries once more after a short 429,
        or after a 5xx or network failure of a request that is safe to repeat."""
        new_token = refreshed = retried = False
        while True:
            token = self._token(force=new_token)
            new_token = False
            self._pace(cost=1 if method == "GET" else 2)  # Help Scout counts a write twice
            try:
                response = self.session.request(
                    method,
                    self.base_url + path,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=(CONNECT_TIMEOUT, settings.HELPSCOUT_TIMEOUT_SECONDS),
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.RequestException as error:
                failure = HelpScoutError(f"Help Scout {method} {path}: {type(error).__name__}: {error}")
            else:
                if response.status_code == 401 and not refreshed:
                    new_token = refreshed = True  # expired (48 h) or revoked
                    continue
                if response.status_code < 300:
                    return response
                failure = _failure(method, path, response)
            wait = failure.retry_after if failure.retry_after is not None else RETRY_PAUSE
            if retried or wait > MAX_INLINE_WAIT or not _repeatable(method, failure):
                raise failure
            retried = True
            time.sleep(wait)

    def _token(self, *, force: bool = False) -> str:
        key = self._token_cache_key()
        token = None if force else cache.get(key)
        if token:
            return str(token)
        self._pace(cost=1)
        try:
            response = self.session.post(
                self.base_url + "oauth2/token",
                data={"grant_type": "client_credentials", "client_id": self.app_id, "client_secret": self.app_secret},
                timeout=(CONNECT_TIMEOUT, settings.HELPSCOUT_TIMEOUT_SECONDS),
            )
        except requests.RequestException as error:
            raise HelpScoutError(f"Help Scout token request: {type(error).__name__}: {error}") from error
        if response.status_code != 200:
            # Not permanent: credentials fixed by an admin should let pending syncs through.
            raise _failure("POST", "oauth2/token", response, permanent=False)
        data = self._json(response)
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise HelpScoutError("Help Scout sent a malformed token response.")
        cache.set(key, token, timeout=max(1, expires_in - TOKEN_EXPIRY_MARGIN))
        return token

    @staticmethod
    def _pace(*, cost: int) -> None:
        try:
            rate_limits.acquire("helpscout", settings.HELPSCOUT_RATE_LIMIT, cost=cost)
        except rate_limits.RateLimitError as error:
            raise HelpScoutPacedError(str(error), retry_after=error.retry_after or 0.0) from error

    def _token_cache_key(self) -> str:
        identity = hashlib.sha256(f"{self.base_url}|{self.app_id}|{self.app_secret}".encode()).hexdigest()[:24]
        return f"helpscout:token:{identity}"

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise HelpScoutError(f"Help Scout sent no JSON object (HTTP {response.status_code}).", permanent=True)
        return data

    @staticmethod
    def _created(response: requests.Response) -> str:
        resource_id = response.headers.get("Resource-ID", "").strip()
        if not resource_id.isdigit():
            raise HelpScoutError("Help Scout created the resource but sent no Resource-ID.", permanent=True)
        return resource_id


class HelpScoutPacedError(HelpScoutError):
    """Our own pacing held the call back (see rate_limits): nothing was sent."""

    deferred = True

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, retry_after=retry_after, maybe_sent=False)


def _failure(method: str, path: str, response: requests.Response, *, permanent: bool | None = None) -> HelpScoutError:
    status = response.status_code
    message = f"Help Scout {method} {path}: HTTP {status} {response.text[:300]}".strip()
    if status == 429:
        return HelpScoutError(message, status=status, retry_after=_retry_after(response), maybe_sent=False)
    if permanent is None:
        # 401/403 may be fixed by an admin (credentials, permissions); other 4xx will not
        # be fixed by sending the same request again (a 3xx is a merged conversation).
        permanent = status < 500 and status not in (401, 403, 408)
    # A 4xx was refused unprocessed; a 5xx or a timeout may have been processed all the same.
    return HelpScoutError(message, status=status, permanent=permanent, maybe_sent=status >= 500 or status == 408)


def _repeatable(method: str, failure: HelpScoutError) -> bool:
    """A 429 was refused unprocessed; a failed POST may have created something."""
    if failure.status == 429:
        return True
    return method in ("GET", "PATCH") and (failure.status is None or failure.status >= 500)


def _retry_after(response: requests.Response) -> float | None:
    for header in ("X-RateLimit-Retry-After", "Retry-After"):
        try:
            return max(0.0, float(response.headers[header]))
        except (KeyError, ValueError):
            continue
    return None
