"""Slack deliveries and webhooks as /metrics counts them: each attempt by outcome with its
duration, and each signed or unsigned request by result."""

from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tickets.tests.factories import make_ticket

from .helpers import EVENTS_URL, deliver, post_event

pytestmark = pytest.mark.django_db


def counts(staff_client: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = staff_client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def attempts(samples: dict[Any, float], outcome: str) -> float:
    labels = (("integration", "slack"), ("outcome", outcome))
    return samples.get(("fractionax_delivery_attempts_total", labels), 0.0)


def timed(samples: dict[Any, float]) -> float:
    return samples.get(("fractionax_delivery_duration_seconds_count", (("integration", "slack"),)), 0.0)


def webhooks(samples: dict[Any, float], result: str) -> float:
    labels = (("integration", "slack"), ("result", result))
    return samples.get(("fractionax_webhook_deliveries_total", labels), 0.0)


def test_each_delivery_attempt_is_counted_by_outcome_and_timed(slack, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = make_ticket(), make_ticket()
    before = counts(staff_client)

    slack.fail("chat.postMessage", status=503)
    assert deliver(first) == 0  # Slack is down: retried later
    slack.fail("chat.postMessage", error="channel_not_found")
    assert deliver(second) == 0  # refused for good
    assert deliver(first) == 0  # not due yet: no attempt

    after = counts(staff_client)
    assert attempts(after, "retry") == attempts(before, "retry") + 1
    assert attempts(after, "failed") == attempts(before, "failed") + 1
    assert attempts(after, "delivered") == attempts(before, "delivered")
    assert timed(after) == timed(before) + 2


def test_a_delivery_that_goes_through_is_counted(slack, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket()
    before = counts(staff_client)

    assert deliver(ticket) == 1

    after = counts(staff_client)
    assert attempts(after, "delivered") == attempts(before, "delivered") + 1


def test_signed_and_forged_events_are_counted_apart(slack, staff_client, client):
    before = counts(staff_client)

    assert post_event(client, {"type": "url_verification", "challenge": "c"}).status_code == 200
    assert post_event(client, {"type": "url_verification", "challenge": "c"}, secret="forged").status_code == 401
    assert client.post(EVENTS_URL, b"{", content_type="application/json").status_code == 401

    after = counts(staff_client)
    assert webhooks(after, "ok") == webhooks(before, "ok") + 1
    assert webhooks(after, "rejected") == webhooks(before, "rejected") + 2
