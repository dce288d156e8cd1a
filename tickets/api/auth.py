"""JWT login, throttled per client address (LOGIN_THROTTLE)."""

from typing import Any

from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from .throttling import AnonRateThrottle


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
