"""Slack's and Help Scout's rate limits, kept up front rather than learnt from a 429.

Counts live in Redis when it is configured, so every worker process and web process
shares one budget per provider (moving windows, from the `limits` library). Without
Redis (`make run`), each process counts alone and takes an equal share of the budget,
one per worker process plus the web server.
"""

import functools
import logging
import math
import time

from django.conf import settings
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from redis.exceptions import RedisError

from .errors import DeliveryError

logger = logging.getLogger(__name__)

# Longer waits go back to the outbox, which retries the message when the window allows.
MAX_INLINE_WAIT_SECONDS = 2.0


class RateLimitError(DeliveryError):
    """Our own limiter held the call back: nothing was sent."""

    deferred = True

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, retry_after=retry_after, maybe_sent=False)


@functools.cache
def _limiter() -> MovingWindowRateLimiter:
    storage = storage_from_string(settings.REDIS_URL) if settings.REDIS_URL else MemoryStorage()
    assert isinstance(storage, Storage)  # the synchronous kind, for a redis:// URL
    return MovingWindowRateLimiter(storage)


MAX_COST = 2  # a Help Scout write


@functools.cache
def _item(rate: str) -> RateLimitItem:
    item = parse(rate)
    shares = 1 if settings.REDIS_URL else settings.CELERY_WORKER_CONCURRENCY + 1
    if shares == 1:
        return item
    # An equal share: fewer calls per window, or, when too few are left for the dearest
    # call to fit, as many in a longer window.
    if item.amount // shares >= MAX_COST:
        return type(item)(item.amount // shares, item.multiples, item.namespace)
    amount = min(MAX_COST, item.amount)
    return type(item)(amount, item.multiples * math.ceil(shares * amount / item.amount), item.namespace)


def acquire(
    provider: str, rate: str, *, key: str = "", cost: int = 1, max_wait: float = MAX_INLINE_WAIT_SECONDS
) -> None:
    """Waits until a call costing `cost` fits in `provider`'s `rate` (per `key`, e.g. a
    method or channel); raises RateLimitError when that is more than `max_wait` away. With
    Redis unreachable the call goes through unpaced, as the API's own throttling does."""
    if not settings.INTEGRATION_RATE_LIMITS:
        return
    limiter, item = _limiter(), _item(rate)
    identifiers = (settings.CACHES["default"].get("KEY_PREFIX", ""), "rate", provider, key)
    deadline = time.monotonic() + max_wait
    while not _hit(limiter, item, identifiers, cost):
        wait = max(0.01, limiter.get_window_stats(item, *identifiers).reset_time - time.time())
        if time.monotonic() + wait > deadline:
            message = f"{provider} rate limit {rate} ({key or 'all calls'}): next call in {wait:.1f} s"
            raise RateLimitError(message, retry_after=wait)
        time.sleep(wait)


def _hit(limiter: MovingWindowRateLimiter, item: RateLimitItem, identifiers: tuple[str, ...], cost: int) -> bool:
    try:
        return limiter.hit(item, *identifiers, cost=cost)
    except RedisError as error:
        logger.warning("Rate limits not kept while Redis is unreachable: %s", error)
        return True
