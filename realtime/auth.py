"""WebSocket authentication. Sets scope["user"]; the consumer decides who may stay.

Ways to authenticate, the first one present wins (a bad one is not a login, and it is not
made up for by a later one or by the session cookie):

1. `Sec-WebSocket-Protocol: fractionax.v1, bearer.<JWT access>`: the admin frontend's way.
   A browser sends it with `new WebSocket(url, ["fractionax.v1", "bearer." + access])`; the
   token stays out of the URL, so out of access logs and proxies. The server accepts with
   `fractionax.v1`, never with the token (browsers drop a handshake whose answer names no
   protocol they offered, and the token must not be echoed).
2. `?token=<JWT access>`: the fallback for clients that cannot set that header. Servers log
   URLs; ours redact the value (fractionax_support/log_redaction.py), others may not.
3. The session cookie: the dashboard.
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


@database_sync_to_async
def _user_for_token(raw: str) -> Any:
    try:
        token = AccessToken(raw)  # type: ignore[arg-type]  # the stubs miss that it takes the encoded string
    except TokenError:
        return AnonymousUser()
    user_id = token.get(api_settings.USER_ID_CLAIM)
    user = get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}, is_active=True).first()
    return user or AnonymousUser()


class _TokenAuthMiddleware:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        token = bearer_from_subprotocols(scope)
        if token is None:
            token = next(iter(parse_qs(scope.get("query_string", b"").decode()).get("token", [])), None)
        if token is not None:
            # An explicit token wins over any session cookie, and a bad one is not a login.
            scope = {**scope, "user": await _user_for_token(token)}
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddleware(inner: Any) -> Any:  # noqa: N802 (named like the middleware it builds)
    return AuthMiddlewareStack(_TokenAuthMiddleware(inner))
