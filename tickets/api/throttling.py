"""The API's rate limits, counted in the cache (Redis when configured). While that cache is
unreachable the limits are not enforced, and say so in the log: a Redis outage pauses rate
limiting rather than failing every API call with a 500. (Logins stay guarded: django-axes
counts failures separately and refuses logins it cannot count.)

Each client's requests are counted per fixed window (a minute for "600/min") in one
atomic increment. DRF's own throttle keeps the time of every request in the window in one
cache value that each request reads and rewrites whole: its cost grows with the rate (600
entries unpickled and pickled per request at a full "600/min"), and two processes
answering the same client at once overwrite each other's count. A fixed window lets a
client send up to twice its rate across a window's boundary, which is what a limit
against floods needs to allow.
"""

import functools
import logging
import math
from typing import Any

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from rest_framework import throttling

logger = logging.getLogger(__name__)


@functools.cache
def _redis(url: str) -> redis.Redis:
    # Not the cache's own client, for its retry policy: one immediate retry (a pooled
    # connection gone stale with a Redis restart), then give up; redis-py's default of ten
    # retries with backoff would hold a request for seconds.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1))


class _FixedWindow(throttling.SimpleRateThrottle):
    num_requests: int  # set from the rate by DRF's __init__
    duration: int

    def allow_request(self, request: Any, view: Any) -> bool:
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        try:
            count = self._count(f"{ident}_{window}")
        # ValueError: redis-py reading a socket closed under it ("I/O operation on closed
        # file", seen once in a 1M bench run as a 500 on a worker's first requests).
        except (RedisError, OSError, ValueError) as error:
            logger.warning("Rate limit %r not enforced, its cache is unreachable: %s", self.scope, error)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1, math.ceil(self.window_ends - self.now))

    def _count(self, key: str) -> int:
        """This window's requests so far, this one included."""
        backend = caches["default"]
        expiry = self.duration + 1
        if isinstance(backend, RedisCache):
            # One round trip: make the window's counter (expiring with it) if new, and count.
            stored = backend.make_key(key)
            with _redis(settings.CACHES["default"]["LOCATION"]).pipeline() as pipe:
                pipe.set(stored, 0, ex=expiry, nx=True)
                pipe.incr(stored)
                return int(pipe.execute()[1])
        backend.add(key, 0, timeout=expiry)
        return int(backend.incr(key))


class AnonRateThrottle(_FixedWindow, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FixedWindow, throttling.UserRateThrottle):
    pass
