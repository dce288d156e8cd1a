"""What the processes count for Prometheus: request latency by route, outbound deliveries,
inbound webhooks. Exported by /metrics (fractionax_support/metrics_view.py) together with
figures read from the database when scraped.

With PROMETHEUS_MULTIPROC_DIR set (before start) every process, web workers and Celery
workers alike, writes its counts to files there and /metrics adds them all up; without
it, /metrics shows the counts of the process that answers it.
"""

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

from integrations.errors import DeliveryError

REQUEST_LATENCY = Histogram(
    "fractionax_http_request_duration_seconds",
    "Time to answer an HTTP request (to its first byte for streamed ones), by URL pattern.",
    ["route", "method", "status"],
)
DELIVERY_ATTEMPTS = Counter(
    "fractionax_delivery_attempts",
    "Outbox delivery attempts to an integration, by outcome (delivered, retry, failed, error).",
    ["integration", "outcome"],
)
DELIVERY_LATENCY = Histogram(
    "fractionax_delivery_duration_seconds",
    "Time one outbox delivery attempt took, calls to the provider included.",
    ["integration"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60),
)
WEBHOOK_DELIVERIES = Counter(
    "fractionax_webhook_deliveries",
    "Webhook requests received from an integration, by result (ok, rejected, invalid, unavailable, error).",
    ["integration", "result"],
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"  # 404s and redirects before routing: never the raw path

T = TypeVar("T")


class RequestMetricsMiddleware:
    """Times each request. The route is the URL pattern's name (or the pattern itself),
    so that /tickets/1 and /tickets/2 are one series and the series stay few."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name or match.route) if match is not None else UNMATCHED_ROUTE
        method = request.method if request.method in _METHODS else "other"
        status = f"{response.status_code // 100}xx"
        REQUEST_LATENCY.labels(route=route, method=method, status=status).observe(time.perf_counter() - started)
        return response


def observe_delivery(integration: str, outcome: str, seconds: float) -> None:
    DELIVERY_ATTEMPTS.labels(integration=integration, outcome=outcome).inc()
    DELIVERY_LATENCY.labels(integration=integration).observe(seconds)


def timed_delivery(deliver: Callable[..., T], message: Any, *args: Any) -> T:
    """Calls deliver(message, *args) and counts the attempt by how it ended; returns what it
    returned, raises what it raised."""
    started = time.perf_counter()
    outcome = "error"
    try:
        result = deliver(message, *args)
        outcome = "delivered"
        return result
    except DeliveryError as error:
        outcome = "failed" if error.permanent else "retry"
        raise
    finally:
        observe_delivery(message.integration, outcome, time.perf_counter() - started)


def webhook_result(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "rejected"  # a bad or missing signature
    if status == 503:
        return "unavailable"
    return "invalid" if status < 500 else "error"


View = TypeVar("View", bound=Callable[..., HttpResponse])


def count_webhook(integration: str) -> Callable[[View], View]:
    """Counts each request a webhook view answers, by the result its status says."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def counted(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            result = "error"
            try:
                response = view(request, *args, **kwargs)
                result = webhook_result(response.status_code)
                return response
            finally:
                WEBHOOK_DELIVERIES.labels(integration=integration, result=result).inc()

        return counted  # type: ignore[return-value]

    return decorate
