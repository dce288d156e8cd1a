"""Canned responses over the admin API: /api/admin/canned-responses, and applying one to a
ticket, POST /api/admin/support-tickets/{id}/apply-macro. The domain
(tickets/canned_responses.py, tickets/placeholders.py) checks every value and decides who
sees and changes what; the serializers here parse the body's types and document its shape."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .. import canned_responses, services
from ..actors import actor_for_user
from ..limits import (
    MAX_CANNED_BODY_LENGTH,
    MAX_CANNED_SHORTCUT_LENGTH,
    MAX_CANNED_TITLE_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
)
from ..models import CannedResponse, ChangeSource, TicketCategory, TicketPriority, TicketStatus
from ..placeholders import PLACEHOLDERS
from . import serializers as s
from .preconditions import IF_MATCH, etag_header, seen_version, with_etag
from .row_ids import ANY_ID, not_found_text, row_id
from .validation import valid_data

NO_SUCH_RESPONSE = not_found_text("canned response")
RESPONSE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The canned response's id.")
SEARCH = OpenApiParameter(
    "search", OpenApiTypes.STR, description="Only those whose title contains it or whose shortcut starts with it."
)
BODY_HELP = "Plain text with placeholders, filled in when applied: " + "; ".join(
    f"{{{{ {name} }}}}: {meaning}" for name, meaning in PLACEHOLDERS.items()
)


def _codes(choices: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [*choices.values, None], "nullable": True}


def _tags() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string", "maxLength": MAX_TAG_LENGTH}, "maxItems": MAX_TAGS}


ACTIONS_INPUT = {
    "type": "object",
    "description": "Each optional; null or [] leaves it out. Ids must name an existing agent or team.",
    "properties": {
        "status": _codes(TicketStatus),
        "priority": _codes(TicketPriority),
        "category": _codes(TicketCategory),
        "addTags": _tags(),
        "removeTags": _tags(),
        "assigneeId": {"type": "integer", "nullable": True},
        "teamId": {"type": "integer", "nullable": True},
    },
    "additionalProperties": False,
}


@extend_schema_field(ACTIONS_INPUT)
class ActionsInputField(serializers.JSONField):
    pass


class CannedActionsSerializer(serializers.Serializer):
    """Every key, null (or []) where the response leaves it as it is."""

    status = serializers.ChoiceField(choices=TicketStatus.choices, allow_null=True)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, allow_null=True)
    category = serializers.ChoiceField(choices=TicketCategory.choices, allow_null=True)
    addTags = serializers.ListField(child=serializers.CharField())
    removeTags = serializers.ListField(child=serializers.CharField())
    assigneeId = serializers.IntegerField(allow_null=True)
    teamId = serializers.IntegerField(allow_null=True)

    def to_representation(self, instance: dict[str, Any]) -> dict[str, Any]:
        return {
            key: instance.get(key, [] if key in ("addTags", "removeTags") else None)
            for key in canned_responses.ACTION_KEYS
        }


class CannedResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    shortcut = serializers.CharField(help_text='Typed as "/shortcut" in the dashboard\'s reply box.')
    body = serializers.CharField(allow_blank=True, help_text=BODY_HELP)
    shared = serializers.BooleanField(help_text="Shared: every staff user sees it; else its owner only.")
    ownerId = serializers.IntegerField(source="owner_id", allow_null=True, help_text="The user who wrote it.")
    actions = CannedActionsSerializer()


class CannedResponseInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=MAX_CANNED_TITLE_LENGTH, trim_whitespace=False, allow_blank=True)
    shortcut = serializers.CharField(
        max_length=MAX_CANNED_SHORTCUT_LENGTH + 1,  # with the "/" it is typed with
        allow_blank=True,
        help_text='Letters, digits, "-" and "_"; a leading "/" is dropped, upper case lowered.',
    )
    body = serializers.CharField(
        max_length=MAX_CANNED_BODY_LENGTH, trim_whitespace=False, allow_blank=True, default="", help_text=BODY_HELP
    )
    shared = serializers.BooleanField(default=False)
    actions = ActionsInputField(default=dict)


class ApplyMacroSerializer(serializers.Serializer):
    cannedResponseId = s.IdField(help_text="A shared canned response, or one of your own.")
    isInternal = serializers.BooleanField(default=False, help_text="Send the reply as an internal note.")
    comment = serializers.CharField(
        max_length=MAX_COMMENT_LENGTH,
        allow_blank=True,
        default="",
        help_text="Your own words, added after the canned text (after a blank line).",
    )
    seenCommentId = serializers.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        allow_null=True,
        default=None,
        help_text="As for comments: 409 if someone else commented after it.",
    )


def _response_id(text: str) -> int:
    return row_id(text, "canned response")


# Staff only, as every admin endpoint (DEFAULT_PERMISSION_CLASSES); each sees the shared
# responses and their own (tickets/canned_responses.py).
class CannedResponseViewSet(viewsets.GenericViewSet):
    serializer_class = CannedResponseSerializer
    queryset = CannedResponse.objects.none()  # for the schema; the domain decides what each user sees
    lookup_value_regex = ANY_ID
    pagination_class = None
    filter_backends: list[Any] = []

    def _find(self, pk: str) -> CannedResponse:
        try:
            return canned_responses.find(self.request.user, _response_id(pk))
        except CannedResponse.DoesNotExist:
            raise NotFound(NO_SUCH_RESPONSE) from None

    @extend_schema(
        parameters=[SEARCH],
        responses=CannedResponseSerializer(many=True),
        summary="The canned responses you see: your own, then the shared ones, by title (not paginated)",
    )
    def list(self, request: Request) -> Response:
        responses = canned_responses.for_user(request.user)
        search = request.query_params.get("search", "").strip()
        if search:
            responses = responses.filter(title__icontains=search) | responses.filter(
                shortcut__startswith=search.removeprefix("/").lower()
            )
        return Response(CannedResponseSerializer(responses, many=True).data)

    @extend_schema(
        request=CannedResponseInputSerializer,
        responses={201: CannedResponseSerializer},
        summary="Add a canned response (yours; shared makes it everyone's to use)",
    )
    def create(self, request: Request) -> Response:
        data = valid_data(CannedResponseInputSerializer(data=request.data))
        response = canned_responses.canned_response_create(owner=request.user, **data)
        return Response(CannedResponseSerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[RESPONSE_ID], responses=CannedResponseSerializer, summary="A canned response")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CannedResponseSerializer(self._find(pk)).data)

    @extend_schema(
        parameters=[RESPONSE_ID],
        request=CannedResponseInputSerializer(partial=True),
        responses=CannedResponseSerializer,
        summary="Change a canned response (yours, or a shared one)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        response_id = _response_id(pk)
        data = valid_data(CannedResponseInputSerializer(data=request.data, partial=True))
        try:
            response = canned_responses.canned_response_update(response_id=response_id, user=request.user, **data)
        except CannedResponse.DoesNotExist:
            raise NotFound(NO_SUCH_RESPONSE) from None
        return Response(CannedResponseSerializer(response).data)

    @extend_schema(
        parameters=[RESPONSE_ID],
        responses={204: None},
        summary="Delete a canned response (yours, or a shared one)",
    )
    def destroy(self, request: Request, pk: str) -> Response:
        try:
            canned_responses.canned_response_delete(response_id=_response_id(pk), user=request.user)
        except CannedResponse.DoesNotExist:
            raise NotFound(NO_SUCH_RESPONSE) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


# The ticket's apply-macro action, mixed into SupportTicketViewSet (tickets/api/views.py). No
# docstring: the schema would take it as every ticket operation's description.
class ApplyMacroMixin:
    @extend_schema(
        parameters=[IF_MATCH, etag_header(200, 412)],
        request=ApplyMacroSerializer,
        responses={200: s.TicketDetailSerializer, 409: s.UnseenCommentsSerializer, 412: s.StaleVersionSerializer},
        summary="Apply a canned response: its reply (placeholders filled in) and its actions, all or nothing",
    )
    @action(detail=True, methods=["post"], url_path="apply-macro")
    def apply_macro(self, request: Request, pk: str) -> Response:
        seen = seen_version(request)
        data = valid_data(ApplyMacroSerializer(data=request.data))
        try:
            ticket = services.ticket_apply_macro(
                ticket_id=self.get_ticket_id(),  # type: ignore[attr-defined]
                canned_response_id=data["cannedResponseId"],
                user=request.user,
                actor=actor_for_user(request.user, ChangeSource.API),
                is_internal=data["isInternal"],
                comment=data["comment"],
                seen_version=seen,
                seen_comment_id=data["seenCommentId"],
            )
        except CannedResponse.DoesNotExist:
            raise NotFound(NO_SUCH_RESPONSE) from None
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        return with_etag(Response(s.TicketDetailSerializer(ticket, context=context).data), ticket)
