from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.api.serializers import WebhookTestSerializer

WEBHOOK_ENDPOINTS = ["/api/webhooks/helpscout", "/api/webhooks/slack", "/api/webhooks/slack/slash-commands"]


@extend_schema(responses=WebhookTestSerializer, summary="Webhook endpoints (public: holds no data)")
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def webhook_test(request: Request) -> Response:
    return Response({"status": "ok", "endpoints": WEBHOOK_ENDPOINTS})
