"""POST /api/webhooks/helpscout: verify, parse, record, queue; the work is a task's."""

import hashlib
import json
import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fractionax_support.metrics import count_webhook
from integrations.models import InboundDelivery, IntegrationName

from . import signatures, tasks
from .payloads import parse_conversation, parse_conversation_id

logger = logging.getLogger(__name__)

TEST_EVENT = "helpscout.test"
EVENTS = frozenset(
    {
        "convo.created",
        "convo.assigned",
        "convo.status",
        "convo.customer.reply.created",
        "convo.agent.reply.created",
        "convo.note.created",
        "convo.deleted",
    }
)


@csrf_exempt
@require_POST
@count_webhook("helpscout")
def helpscout_webhook(request: HttpRequest) -> JsonResponse:
    body = request.body  # the raw bytes: the signature is over exactly these
    signature = request.headers.get("X-HelpScout-Signature", "")
    if not signatures.is_valid(body, signature, settings.HELPSCOUT_WEBHOOK_SECRET):
        return JsonResponse({"detail": "Invalid or missing X-HelpScout-Signature."}, status=401)
    event = request.headers.get("X-HelpScout-Event", "")
    if event not in EVENTS:
        return JsonResponse({"status": "ok" if event == TEST_EVENT else "ignored"})
    try:
        payload = json.loads(body.decode("utf-8"))
        if event == "convo.deleted":
            parse_conversation_id(payload)
        else:
            parse_conversation(payload)
    except (ValueError, RecursionError) as error:  # bad UTF-8, bad JSON, wrong shape
        return JsonResponse({"detail": f"Malformed Help Scout payload: {error}"}, status=400)
    key = f"webhook:{event}:{hashlib.sha256(body).hexdigest()}"
    delivered = InboundDelivery.objects.filter(integration=IntegrationName.HELPSCOUT, key=key)
    if delivered.exists():
        return JsonResponse({"status": "duplicate"})
    # Queued before it is recorded, and outside any transaction (a broker slow to refuse
    # must not hold SQLite's write lock): if the broker refuses it, nothing is recorded
    # and Help Scout's redelivery gets another chance. Two copies arriving at once may
    # both be queued; applying a conversation twice changes nothing.
    try:
        tasks.helpscout_webhook.delay(event, payload)
    except Exception:
        logger.warning("Could not queue a Help Scout %s delivery", event, exc_info=True)
        return JsonResponse({"detail": "Temporarily unable to accept the delivery."}, status=503)
    _, new = InboundDelivery.objects.get_or_create(integration=IntegrationName.HELPSCOUT, key=key)
    return JsonResponse({"status": "queued" if new else "duplicate"})
