"""Queued outbox messages written before the domain's event catalogue held the API's JSON
(camelCase): rewritten in the catalogue's terms (tickets.events.encode), so they are
delivered after the upgrade like new ones. Delivered and failed messages are history."""

from typing import Any

from django.db import migrations

EVENT_FIELDS = {
    "ticket-status-updated": {"status": "status", "previousStatus": "previous_status"},
    "ticket-assigned": {"assignedTo": "assigned_to", "previousAssignedTo": "previous_assigned_to"},
    "ticket-updated": {"changes": "changes"},
    "ticket-overdue": {"breaches": "breaches"},
}


def snapshot(ticket: dict[str, Any]) -> dict[str, Any]:
    helpscout, slack = ticket["integration"]["helpScout"], ticket["integration"]["slack"]
    sla, figures, resolution = ticket["sla"], ticket["statistics"], ticket["resolution"]
    return {
        "id": ticket["id"],
        "number": int(ticket["ticketNumber"].rsplit("-", 1)[1]),
        "subject": ticket["subject"],
        "description": ticket["description"],
        "status": ticket["status"],
        "priority": ticket["priority"],
        "category": ticket["category"],
        "source": ticket["source"],
        "customer_name": ticket["customerName"],
        "customer_email": ticket["customerEmail"],
        "customer_user_id": ticket["customerUserId"] or "",
        "assigned_to": ticket["assignedTo"] or "",
        "tags": ticket["tags"],
        "helpscout_conversation_id": helpscout["conversationId"],
        "helpscout_last_sync_at": helpscout["lastSyncAt"],
        "helpscout_sync_status": helpscout["syncStatus"] or "",
        "slack_thread_id": slack["threadId"] or "",
        "slack_channel_id": slack["channelId"] or "",
        "slack_message_ts": slack["messageTs"] or "",
        "slack_last_sync_at": slack["lastSyncAt"],
        "slack_is_archived": slack["isArchived"],
        "response_target_minutes": sla["responseTime"],
        "response_deadline": sla["responseDeadline"],
        "resolution_deadline": sla["resolutionDeadline"],
        "first_response_at": figures["firstResponseAt"],
        "last_activity_at": figures["lastActivityAt"],
        "total_comments": figures["totalComments"],
        "view_count": figures["viewCount"],
        "resolved_by": resolution["resolvedBy"] or "",
        "resolution_note": resolution["resolutionNote"] or "",
        "resolution_time_minutes": resolution["resolutionTime"],
        "resolved_at": resolution["resolvedAt"],
        "created_at": ticket["createdAt"],
        "updated_at": ticket["updatedAt"],
    }


def in_domain_terms(event: str, payload: dict[str, Any], source: str) -> dict[str, Any] | None:
    if event == "new-ticket":
        return {"ticket": snapshot(payload), "source": source}
    if event == "ticket-comment-added":
        comment = payload["comment"]
        return {
            "ticket": snapshot(payload["ticket"]),
            "source": source,
            "comment": {
                "id": comment["id"],
                "body": comment["comment"],
                "is_internal": comment["isInternal"],
                "author": comment["author"],
                "source": comment["source"],
                "created_at": comment["createdAt"],
            },
        }
    if event in EVENT_FIELDS:
        fields = {new: payload.get(old) for old, new in EVENT_FIELDS[event].items()}
        return {"ticket": snapshot(payload["ticket"]), "source": source, **fields}
    return None  # an integration's own message (ticket-linked): unchanged


def rewrite_queued(apps: Any, schema_editor: Any) -> None:
    message_model = apps.get_model("integrations", "OutboxMessage")
    queued = message_model.objects.filter(delivered_at__isnull=True, failed_at__isnull=True)
    for message in queued.iterator(chunk_size=500):
        payload = message.payload
        if not isinstance(payload, dict) or "number" in (payload.get("ticket") or {}):
            continue  # already in domain terms (a snapshot has `number`, the API `ticketNumber`)
        # Not stored with the old rows; what matters is that it is not the integration's own.
        source = "system"
        converted = in_domain_terms(message.event, payload, source)
        if converted is not None:
            message_model.objects.filter(pk=message.pk).update(payload=converted)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_outbox_sending_progress")]

    operations = [migrations.RunPython(rewrite_queued, migrations.RunPython.noop, elidable=True)]
