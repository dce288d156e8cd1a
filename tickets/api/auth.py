"""JWT login, throttled per client address (LOGIN_THROTTLE) and locked out after repeated
failures (django-axes)."""

from typing import Any

from axes.helpers import get_lockout_message
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.throttling import AnonRateThrottle
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class TokenObtainView(TokenObtainPairView):
    throttle_classes = (LoginRateThrottle,)

    def get_serializer_context(self) -> dict[str, Any]:
        # Authenticate with Django's own request, where django-axes marks a lockout for
        # its middleware to answer 429 (on DRF's wrapper the mark would be lost).
        return {**super().get_serializer_context(), "request": self.request._request}


class TokenRefreshThrottledView(TokenRefreshView):
    throttle_classes = (LoginRateThrottle,)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: JSON in the API's error shape on the API,
    plain text on the dashboard's login page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": get_lockout_message()}, status=429)
    return HttpResponse(get_lockout_message(), status=429, content_type="text/plain; charset=utf-8")
