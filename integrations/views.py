"""The integrations' own API endpoints: their health, a Help Scout resync, the webhook list.

They sit beside the ticket API's paths (`/api/admin/support-tickets/...`) because the
contract puts them there, but they belong to the integrations, which the domain does not
know.
"""

import logging

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from .helpscout.tasks import helpscout_resync
from .models import IntegrationName
from .serializers import IntegrationStatusSerializer, QueuedSerializer, WebhookTestSerializer
from .status import integration_status, is_configured

logger = logging.getLogger(__name__)

WEBHOOK_ENDPOINTS = ["/api/webhooks/helpscout", "/api/webhooks/slack", "/api/webhooks/slack/slash-commands"]
HELPSCOUT_NOT_CONFIGURED = (
    "Help Scout is not configured: set HELPSCOUT_APP_ID, HELPSCOUT_APP_SECRET, HELPSCOUT_MAILBOX_ID."
)


@extend_schema(responses=IntegrationStatusSerializer, summary="Help Scout and Slack health", tags=["admin"])
@api_view(["GET"])
def status_view(request: Request) -> Response:
    return Response(IntegrationStatusSerializer(integration_status()).data)


@extend_schema(
    request=None,
    responses={202: QueuedSerializer, 503: OpenApiResponse(description="Help Scout is not configured.")},
    summary="Queue a Help Scout resync",
    tags=["admin"],
)
@api_view(["POST"])
def helpscout_resync_view(request: Request) -> Response:
    if not is_configured(IntegrationName.HELPSCOUT):
        return Response({"detail": HELPSCOUT_NOT_CONFIGURED}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    try:
        helpscout_resync.delay()
    except Exception:  # the broker is down: say so rather than fail
        logger.warning("Could not queue the Help Scout resync", exc_info=True)
        return Response(
            {"detail": "The task queue is unavailable; the resync could not be queued. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"queued": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=WebhookTestSerializer, summary="Webhook endpoints (public: holds no data)")
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def webhook_test(request: Request) -> Response:
    return Response({"status": "ok", "endpoints": WEBHOOK_ENDPOINTS})
