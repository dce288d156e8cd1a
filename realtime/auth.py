"""WebSocket authentication. Sets scope["user"]; the consumer decides who may stay.

Ways to authenticate, the first one present wins (a bad one is not a login, and it is not
made up for by a later one or by the session cookie):

1. `Sec-WebSocket-Protocol: fractionax.v1, bearer.<JWT access>`: the admin frontend's way.
   A browser sends it with `new WebSocket(url, ["fractionax.v1", "bearer." + access])`; the
   token stays out of the URL, so out of access logs and proxies. The server accepts with
   `fractionax.v1`, never with the token (browsers drop a handshake whose answer names no
   protocol they offered, and the token must not be echoed).
2. `?ticket=<ticket>`: a single-use ticket that expires within seconds, from
   `POST /api/auth/ws-ticket` (realtime/connection_tickets.py), for clients that can set
   no subprotocol. In a log it is worth nothing.
3. `?token=<JWT access>`: the fallback kept for existing clients. Servers log URLs; ours
   redact the value (fractionax_support/log_redaction.py), a proxy in front may not.
4. The session cookie: the dashboard.
"""

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from .connection_tickets import ticket_redeem

APP_SUBPROTOCOL = "fractionax.v1"
BEARER_PREFIX = "bearer."


def bearer_from_subprotocols(scope: dict[str, Any]) -> str | None:
    for offered in scope.get("subprotocols") or []:
        if offered.startswith(BEARER_PREFIX):
            return str(offered[len(BEARER_PREFIX) :])
    return None


def chosen_subprotocol(scope: dict[str, Any]) -> str | None:
    """The protocol to accept with: ours when offered, else none (a client that offered none)."""
    return APP_SUBPROTOCOL if APP_SUBPROTOCOL in (scope.get("subprotocols") or []) else None


def _active_user(**lookup: Any) -> Any:
    return get_user_model().objects.filter(**lookup, is_active=True).first() or AnonymousUser()


@database_sync_to_async
def _user_for_token(raw: str) -> Any:
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]  # the stubs miss that it takes the encoded string
    except TokenError:
        return AnonymousUser()
    return _active_user(**{api_settings.USER_ID_FIELD: token.get(api_settings.USER_ID_CLAIM)})


@database_sync_to_async
def _user_for_ticket(ticket: str) -> Any:
    user_id = ticket_redeem(ticket)
    return AnonymousUser() if user_id is None else _active_user(pk=user_id)


class _TokenAuthMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        # An explicit credential wins over any session cookie, and a bad one is not a login.
        query = parse_qs(scope.get("query_string", b"").decode())
        bearer = bearer_from_subprotocols(scope)
        if bearer is not None:
            scope = {**scope, "user": await _user_for_token(bearer)}
        elif "ticket" in query:
            scope = {**scope, "user": await _user_for_ticket(query["ticket"][0])}
        elif "token" in query:
            scope = {**scope, "user": await _user_for_token(query["token"][0])}
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddleware(inner: Any) -> Any:  # noqa: N802 (named like the middleware it builds)
    return AuthMiddlewareStack(_TokenAuthMiddleware(inner))
