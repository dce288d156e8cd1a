"""GET /metrics: Prometheus's text format, for staff (session or JWT) or for a scraper
holding METRICS_TOKEN. Besides what the processes counted (fractionax_support/metrics.py),
it reads a few figures from the database as it is scraped: the outbox's pending and
failed messages per integration, tickets by status, and the overdue count."""

import hmac
import logging
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from integrations.models import PENDING, IntegrationName, OutboxMessage
from tickets.api.permissions import IsStaff
from tickets.statistics import ticket_statistics

logger = logging.getLogger(__name__)

SCRAPER_AUTH = "metrics-scraper"  # request.auth of a METRICS_TOKEN holder


class DatabaseCollector(Collector):
    """Figures read at scrape time. While the database is away they are left out (and the
    scrape still answers with what the processes counted)."""

    def collect(self) -> Iterable[Metric]:
        try:
            outbox = (
                OutboxMessage.objects.order_by()
                .values("integration")
                .annotate(pending=Count("id", filter=PENDING), failed=Count("id", filter=Q(failed_at__isnull=False)))
                .filter(Q(pending__gt=0) | Q(failed__gt=0))
            )
            by_integration: dict[str, dict[str, Any]] = {row["integration"]: dict(row) for row in outbox}
            statistics = ticket_statistics(since=None, now=timezone.now())
        except DatabaseError as error:
            logger.warning("Metrics: the database is unavailable: %s", error)
            return
        pending = GaugeMetricFamily(
            "fractionax_outbox_pending", "Outbox messages not yet delivered nor given up.", labels=["integration"]
        )
        failed = GaugeMetricFamily(
            "fractionax_outbox_failed", "Outbox messages given up for good (see last_error).", labels=["integration"]
        )
        for name in IntegrationName:
            row = by_integration.get(name.value, {})
            pending.add_metric([name.value], row.get("pending", 0))
            failed.add_metric([name.value], row.get("failed", 0))
        tickets = GaugeMetricFamily("fractionax_tickets", "Tickets by status.", labels=["status"])
        for status, count in statistics["byStatus"].items():
            tickets.add_metric([status], count)
        overdue = GaugeMetricFamily("fractionax_tickets_overdue", "Tickets past an SLA deadline, not yet resolved.")
        overdue.add_metric([], statistics["overdue"])
        yield from (pending, failed, tickets, overdue)


class _ThisProcess(Collector):
    """What this process counted (the default registry), when processes do not share files."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(DatabaseCollector())
    return generate_latest(registry)


class MetricsTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <METRICS_TOKEN>`; any other bearer is left to the JWT check."""

    def authenticate(self, request: Request) -> tuple[Any, str] | None:
        token = settings.METRICS_TOKEN
        parts = get_authorization_header(request).split()
        if not token or len(parts) != 2 or parts[0].lower() != b"bearer":
            return None
        if hmac.compare_digest(parts[1], token.encode()):
            return AnonymousUser(), SCRAPER_AUTH
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="metrics"'


class StaffOrMetricsToken(BasePermission):
    message = "Only support staff or a holder of METRICS_TOKEN may read the metrics."

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.auth == SCRAPER_AUTH or IsStaff().has_permission(request, view)


class MetricsView(APIView):
    authentication_classes = [MetricsTokenAuthentication, JWTAuthentication, SessionAuthentication]
    permission_classes = [StaffOrMetricsToken]
    throttle_classes: list[Any] = []  # a scraper every few seconds is expected
    schema = None  # not part of the API's contract: Prometheus's format

    def get(self, request: Request) -> HttpResponse:
        return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
