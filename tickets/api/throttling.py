"""The API's rate limits, counted in the cache (Redis when configured). While that cache is
unreachable the limits are not enforced, and say so in the log: a Redis outage pauses rate
limiting rather than failing every API call with a 500. (Logins stay guarded: django-axes
counts failures separately and refuses logins it cannot count.)"""

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework import throttling

logger = logging.getLogger(__name__)


class _FailOpen(throttling.SimpleRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning("Rate limit %r not enforced, its cache is unreachable: %s", self.scope, error)
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass
