"""JWT login, throttled per client address (LOGIN_THROTTLE)."""

from rest_framework.throttling import AnonRateThrottle
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView


class LoginRateThrottle(AnonRateThrottle):
    scope = "login"


class TokenObtainView(TokenObtainPairView):
    throttle_classes = (LoginRateThrottle,)


class TokenRefreshThrottledView(TokenRefreshView):
    throttle_classes = (LoginRateThrottle,)
