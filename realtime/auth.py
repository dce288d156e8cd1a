"""WebSocket authentication: `?token=<JWT access>` (admin frontend) or the session cookie
(dashboard). Sets scope["user"]; the consumer decides who may stay."""

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken


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
        tokens = parse_qs(scope.get("query_string", b"").decode()).get("token")
        if tokens:
            # An explicit token wins over any session cookie, and a bad one is not a login.
            scope = {**scope, "user": await _user_for_token(tokens[0])}
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddleware(inner: Any) -> Any:  # noqa: N802 (named like the middleware it builds)
    return AuthMiddlewareStack(_TokenAuthMiddleware(inner))
