"""API shapes (camelCase, as docs/api.md fixes them): output serializers render tickets,
input serializers parse requests for the services. None of them writes."""

from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..limits import (
    MAX_ASSIGNEE_LENGTH,
    MAX_ATTACHMENTS,
    MAX_BULK_TICKETS,
    MAX_COMMENT_LENGTH,
    MAX_CUSTOMER_NAME_LENGTH,
    MAX_CUSTOMER_USER_ID_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SUBJECT_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
)
from ..models import (
    ChangeSource,
    CommentAuthorType,
    SupportTicket,
    TicketCategory,
    TicketEvent,
    TicketPriority,
    TicketSource,
    TicketStatus,
)
from ..representation import (
    attachment_representation,
    comment_representation,
    ticket_attachments,
    ticket_representation,
)
from ..sla import is_overdue

# --- Output ---


# The ticket's fields below declare the API's shape (the OpenAPI schema is generated from
# them); the domain's representation (tickets.representation) renders it.
# tests/test_api_shape.py keeps the two in step.


class HelpScoutLinkSerializer(serializers.Serializer):
    conversationId = serializers.CharField(source="helpscout_conversation_id", allow_null=True)
    lastSyncAt = serializers.DateTimeField(source="helpscout_last_sync_at", allow_null=True)
    syncStatus = serializers.CharField(source="helpscout_sync_status", allow_null=True)


class SlackLinkSerializer(serializers.Serializer):
    threadId = serializers.CharField(source="slack_thread_id", allow_null=True)
    channelId = serializers.CharField(source="slack_channel_id", allow_null=True)
    messageTs = serializers.CharField(source="slack_message_ts", allow_null=True)
    lastSyncAt = serializers.DateTimeField(source="slack_last_sync_at", allow_null=True)
    isArchived = serializers.BooleanField(source="slack_is_archived")


class IntegrationSerializer(serializers.Serializer):
    helpScout = HelpScoutLinkSerializer(source="*")
    slack = SlackLinkSerializer(source="*")


class SlaSerializer(serializers.Serializer):
    responseTime = serializers.IntegerField(source="response_target_minutes", help_text="Target, in minutes.")
    responseDeadline = serializers.DateTimeField(
        source="response_deadline", allow_null=True, help_text="Null while the clock is paused."
    )
    resolutionDeadline = serializers.DateTimeField(
        source="resolution_deadline", allow_null=True, help_text="Null while the clock is paused."
    )
    isOverdue = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_isOverdue(self, ticket: SupportTicket) -> bool:
        return is_overdue(ticket, now=self.context.get("now") or timezone.now())


class StatisticsSerializer(serializers.Serializer):
    firstResponseAt = serializers.DateTimeField(source="first_response_at", allow_null=True)
    lastActivityAt = serializers.DateTimeField(source="last_activity_at")
    totalComments = serializers.IntegerField(source="total_comments")
    viewCount = serializers.IntegerField(source="view_count")


class ResolutionSerializer(serializers.Serializer):
    resolvedBy = serializers.CharField(source="resolved_by", allow_null=True)
    resolutionNote = serializers.CharField(source="resolution_note", allow_null=True)
    resolutionTime = serializers.IntegerField(
        source="resolution_time_minutes", allow_null=True, help_text="Minutes from creation to resolution."
    )
    resolvedAt = serializers.DateTimeField(source="resolved_at", allow_null=True)


class TicketSerializer(serializers.Serializer):
    """A ticket as the list shows it (no comments)."""

    id = serializers.IntegerField()
    ticketNumber = serializers.CharField(source="ticket_number")
    subject = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    priority = serializers.ChoiceField(choices=TicketPriority.choices)
    category = serializers.ChoiceField(choices=TicketCategory.choices)
    source = serializers.ChoiceField(choices=TicketSource.choices)  # type: ignore[assignment]
    customerName = serializers.CharField(source="customer_name")
    customerEmail = serializers.EmailField(source="customer_email")
    customerUserId = serializers.CharField(source="customer_user_id", allow_null=True)
    assignedTo = serializers.CharField(
        source="assigned_to", allow_null=True, help_text="The agent's display name, or a name as written."
    )
    assigneeId = serializers.IntegerField(source="assignee_id", allow_null=True, help_text="The agent, if any.")
    teamId = serializers.IntegerField(source="team_id", allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    customFields = serializers.DictField(
        source="custom_fields",
        help_text="Custom fields' values by key (/api/admin/custom-fields): a text, number, "
        "date (YYYY-MM-DD), choice or true/false; a field without a value is left out.",
    )
    integration = IntegrationSerializer(source="*")
    sla = SlaSerializer(source="*")
    statistics = StatisticsSerializer(source="*")
    resolution = ResolutionSerializer(source="*")
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    @cached_property
    def _now_and_zone(self) -> tuple[datetime, tzinfo]:
        """Once per response, not per row: a list renders every row with one serializer."""
        return self.context.get("now") or timezone.now(), timezone.get_current_timezone()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """`instance` is a SupportTicket or a row of TICKET_COLUMNS (the list's pages)."""
        now, zone = self._now_and_zone
        return ticket_representation(instance, now=now, zone=zone)


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    contentType = serializers.CharField(source="content_type")
    size = serializers.IntegerField(help_text="In bytes.")
    url = serializers.CharField(help_text="The download, for staff: GET /api/admin/attachments/{id}.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return attachment_representation(instance)


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment = serializers.CharField(source="body")
    isInternal = serializers.BooleanField(source="is_internal")
    author = serializers.CharField()
    authorType = serializers.ChoiceField(
        source="author_type",
        choices=CommentAuthorType.choices,
        help_text="Who wrote it: the customer, an agent (staff; every comment made through this API), "
        "the system, or an integration's automatic message.",
    )
    source = serializers.ChoiceField(choices=ChangeSource.choices)  # type: ignore[assignment]
    createdAt = serializers.DateTimeField(source="created_at")
    attachments = AttachmentSerializer(many=True, source="attachment_list")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return comment_representation(instance)


class TicketDetailSerializer(TicketSerializer):
    attachments = AttachmentSerializer(
        many=True, source="attachment_list", help_text="The files sent with the ticket itself (its description)."
    )
    comments = CommentSerializer(many=True)

    def to_representation(self, instance: SupportTicket) -> dict[str, Any]:
        comments = CommentSerializer(instance.comments.all(), many=True).data
        return {
            **super().to_representation(instance),
            "attachments": ticket_attachments(instance),
            "comments": list(comments),
        }


class StaleVersionSerializer(serializers.Serializer):
    """412: the ticket changed after the version If-Match named; the ETag header has its version now."""

    detail = serializers.CharField()
    ticket = TicketDetailSerializer(help_text="The ticket as it is now, as its GET shows it.")


class UnseenCommentsSerializer(serializers.Serializer):
    """409: others commented after the comment seenCommentId named."""

    detail = serializers.CharField()
    comments = CommentSerializer(
        many=True, help_text="Those comments, oldest first; the last one's id is the seenCommentId to send again."
    )


class TicketEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    oldValue = serializers.CharField(source="old_value", allow_null=True)
    newValue = serializers.CharField(source="new_value", allow_null=True)
    actor = serializers.CharField()
    source = serializers.ChoiceField(choices=ChangeSource.choices)  # type: ignore[assignment]
    createdAt = serializers.DateTimeField(source="created_at")

    def to_representation(self, instance: TicketEvent) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["field"] = data["field"] or None
        return data


class BulkResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    notFound = serializers.ListField(child=serializers.IntegerField())


class StatisticsGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="The agent's or team's id; null for none.")
    name = serializers.CharField(help_text='"Unassigned" or "No team" for the tickets with none.')
    total = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Not resolved or closed.")
    resolved = serializers.IntegerField(help_text="Resolved or closed.")
    overdue = serializers.IntegerField()
    averageResponseTimeMinutes = serializers.FloatField(
        allow_null=True, help_text="In business minutes of each ticket's SLA calendar."
    )
    averageResolutionTimeMinutes = serializers.FloatField(
        allow_null=True, help_text="In business minutes of each ticket's SLA calendar."
    )
    slaComplianceRate = serializers.FloatField(allow_null=True, help_text="Percentage, 0 to 100.")


class StatisticsReportSerializer(serializers.Serializer):
    """The report; with the `groupBy` parameter, also the figures per agent or team."""

    total = serializers.IntegerField()
    byStatus = serializers.DictField(child=serializers.IntegerField())
    byPriority = serializers.DictField(child=serializers.IntegerField())
    byCategory = serializers.DictField(child=serializers.IntegerField())
    overdue = serializers.IntegerField()
    averageResponseTimeMinutes = serializers.FloatField(allow_null=True)
    averageResolutionTimeMinutes = serializers.FloatField(allow_null=True)
    slaComplianceRate = serializers.FloatField(allow_null=True, help_text="Percentage, 0 to 100.")
    # Only with the groupBy parameter; without it the report is as it always was.
    groupBy = serializers.ChoiceField(
        choices=["agent", "team"], required=False, help_text="Only with the groupBy parameter."
    )
    groups = StatisticsGroupSerializer(
        many=True,
        required=False,
        help_text="Only with the groupBy parameter: one entry per agent or team, by name, then "
        "the tickets with none (id null). The entries add up to the report's figures.",
    )


# --- Input ---


class IdField(serializers.IntegerField):
    """A row id: a positive integer a database column holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class TagListField(serializers.ListField):
    child = serializers.CharField(max_length=MAX_TAG_LENGTH, allow_blank=False)

    def __init__(self, **kwargs: Any) -> None:
        # ListField sets max_length from its arguments: a class attribute would be overwritten.
        super().__init__(max_length=MAX_TAGS, **kwargs)


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=MAX_SUBJECT_LENGTH)
    description = serializers.CharField(max_length=MAX_DESCRIPTION_LENGTH)
    customerEmail = serializers.EmailField(max_length=MAX_EMAIL_LENGTH)
    customerName = serializers.CharField(
        max_length=MAX_CUSTOMER_NAME_LENGTH, required=False, allow_blank=True, default=""
    )
    customerUserId = serializers.CharField(
        max_length=MAX_CUSTOMER_USER_ID_LENGTH, required=False, allow_blank=True, default=""
    )
    priority = serializers.ChoiceField(choices=TicketPriority.choices, default=TicketPriority.MEDIUM)
    category = serializers.ChoiceField(choices=TicketCategory.choices, default=TicketCategory.GENERAL)
    source = serializers.ChoiceField(choices=TicketSource.choices, default=TicketSource.WEB)  # type: ignore[assignment]
    assignedTo = serializers.CharField(
        max_length=MAX_ASSIGNEE_LENGTH, required=False, allow_blank=True, allow_null=True, default=""
    )
    assigneeId = IdField(required=False, allow_null=True, default=None, help_text="An agent; wins over assignedTo.")
    teamId = IdField(required=False, allow_null=True, default=None)
    tags = TagListField(required=False, default=list)
    customFields = serializers.DictField(
        required=False,
        default=dict,
        help_text="Values by key; each active required field must have one.",
    )


class CustomFieldValuesSerializer(serializers.Serializer):
    customFields = serializers.DictField(
        help_text="The values to change, by key; null clears one. Keys not given stay as they are."
    )


class FilesField(serializers.ListField):
    """For the schema only: the files are read from the request by tickets/api/uploads.py and
    checked by the services (tickets/attachments.py), which name a refused file."""

    child = serializers.FileField()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            help_text=(
                f"Files to attach, the field repeated once per file: at most {MAX_ATTACHMENTS}, each at most "
                "ATTACHMENT_MAX_BYTES (20 MB unless configured; 413 naming the file), no executable types "
                "(400 naming the file)."
            ),
            **kwargs,
        )


class TicketCreateUploadSerializer(TicketCreateSerializer):
    """The same fields as form fields (tags repeated), with the files."""

    files = FilesField()


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    resolutionNote = serializers.CharField(max_length=MAX_NOTE_LENGTH, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    """Give at least one: a name, an agent, or a team. A field not given stays as it is."""

    assignedTo = serializers.CharField(
        max_length=MAX_ASSIGNEE_LENGTH,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="A name; an agent's display name assigns that agent. Null or empty unassigns.",
    )
    assigneeId = IdField(required=False, allow_null=True, help_text="An agent; null unassigns. Wins over assignedTo.")
    teamId = IdField(
        required=False,
        allow_null=True,
        help_text="The team; null for none. Without an assignee, the team's strategy picks one.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give assignedTo, assigneeId or teamId.")
        return attrs


class CommentCreateSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=MAX_COMMENT_LENGTH)
    isInternal = serializers.BooleanField(default=False)
    seenCommentId = serializers.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "The id of the newest comment you had read (0 for none): if someone else has commented since, "
            "nothing is added and the answer is 409 with their comments. Without it nothing is checked."
        ),
    )


class CommentCreateUploadSerializer(CommentCreateSerializer):
    files = FilesField()


class FileTooLargeSerializer(serializers.Serializer):
    """413: a file over ATTACHMENT_MAX_BYTES (named), or a body over the request limit."""

    files = serializers.ListField(child=serializers.CharField(), required=False)
    detail = serializers.CharField(required=False)


class BulkUpdatesSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    category = serializers.ChoiceField(choices=TicketCategory.choices, required=False)
    assignedTo = serializers.CharField(
        max_length=MAX_ASSIGNEE_LENGTH, required=False, allow_blank=True, allow_null=True
    )
    assigneeId = IdField(required=False, allow_null=True)
    teamId = IdField(required=False, allow_null=True)
    addTags = TagListField(required=False)
    removeTags = TagListField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Give at least one update.")
        return attrs


class BulkUpdateSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=MAX_BULK_TICKETS
    )
    updates = BulkUpdatesSerializer()
