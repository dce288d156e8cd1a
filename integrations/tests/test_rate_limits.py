"""The pacing of calls to Slack and Help Scout (integrations/rate_limits.py)."""

import time
import uuid

import pytest

from integrations import rate_limits


@pytest.fixture
def limits_on(settings):
    settings.INTEGRATION_RATE_LIMITS = True
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"fx-rate-{uuid.uuid4().hex}"}}
    rate_limits._limiter.cache_clear()
    rate_limits._item.cache_clear()
    yield settings
    rate_limits._limiter.cache_clear()
    rate_limits._item.cache_clear()


def test_with_redis_every_process_shares_the_whole_budget(limits_on):
    assert limits_on.REDIS_URL
    item = rate_limits._item("400/minute")
    assert (item.amount, item.get_expiry()) == (400, 60)


def test_without_redis_each_process_takes_an_equal_share(limits_on):
    limits_on.REDIS_URL = ""
    limits_on.CELERY_WORKER_CONCURRENCY = 2  # and the web server: three shares
    item = rate_limits._item("400/minute")
    assert (item.amount, item.get_expiry()) == (133, 60)
    item = rate_limits._item("1/second")
    assert (item.amount, item.get_expiry()) == (1, 3)


def test_a_call_waits_for_room_and_a_long_wait_goes_back_to_the_outbox(limits_on):
    before_first = time.time()  # the clock the moving window keeps
    rate_limits.acquire("test", "2/second", key="k")
    rate_limits.acquire("test", "2/second", key="k")
    rate_limits.acquire("test", "2/second", key="k")  # waits for the first to leave the window
    assert time.time() - before_first >= 1
    rate_limits.acquire("test", "1/minute", key="slow")
    with pytest.raises(rate_limits.RateLimitError) as refused:
        rate_limits.acquire("test", "1/minute", key="slow")
    assert refused.value.retry_after > 50 and not refused.value.maybe_sent


def test_writes_cost_more(limits_on):
    rate_limits.acquire("test", "3/minute", key="w", cost=2)
    with pytest.raises(rate_limits.RateLimitError):
        rate_limits.acquire("test", "3/minute", key="w", cost=2)
    rate_limits.acquire("test", "3/minute", key="w", cost=1)


def test_off_lets_everything_through(settings):
    settings.INTEGRATION_RATE_LIMITS = False
    for _ in range(10):
        rate_limits.acquire("test", "1/minute", key=uuid.uuid4().hex + "x")
        rate_limits.acquire("test", "1/minute", key="same")
