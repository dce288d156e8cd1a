"""The admin REST API: thin actions that parse, call a service or selector, and answer."""

import logging
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from .. import selectors, services
from ..actors import actor_for_user
from ..export import csv_chunks, csv_chunks_async
from ..filters import DATE_RANGES, TicketFilter
from ..models import ChangeSource, CommentAuthorType, SupportTicket
from ..representation import TICKET_COLUMNS
from ..sla_explanation import explain
from ..statistics import ticket_statistics
from ..statistics_groups import GROUPINGS, ticket_statistics_by
from . import serializers as s
from .canned_responses import ApplyMacroMixin
from .pagination import PageLimitPagination
from .preconditions import IF_MATCH, etag_header, seen_version, with_etag
from .sla_explanation import SlaExplanationSerializer
from .uploads import uploaded_files
from .validation import valid_data

TICKET_ID = OpenApiParameter(
    "id",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Database id or ticket number (FCT-000042).",
    examples=[OpenApiExample("By number", value="FCT-000001"), OpenApiExample("By id", value="1")],
)
STATISTICS_RANGE = OpenApiParameter(
    "dateRange", OpenApiTypes.STR, enum=list(DATE_RANGES), description="Only tickets created in this window."
)
STATISTICS_GROUP_BY = OpenApiParameter(
    "groupBy",
    OpenApiTypes.STR,
    enum=list(GROUPINGS),
    description="Adds `groupBy` and `groups` to the answer: the figures per agent or per team, with "
    "times in business minutes of each ticket's SLA calendar.",
)

logger = logging.getLogger(__name__)

NO_SUCH_TICKET = "No ticket with this id or number."


def _api_actor(request: Request) -> Any:
    return actor_for_user(request.user, ChangeSource.API)


@extend_schema_view(apply_macro=extend_schema(parameters=[TICKET_ID]))
class SupportTicketViewSet(ApplyMacroMixin, viewsets.GenericViewSet):
    queryset = selectors.ticket_list()
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter
    pagination_class = PageLimitPagination
    serializer_class = s.TicketSerializer
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[SupportTicket]:
        return selectors.ticket_list()

    def get_serializer_context(self) -> dict[str, Any]:
        # One "now" per response, so every row's isOverdue is judged at the same instant.
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_ticket(self) -> SupportTicket:
        ticket = selectors.ticket_find(str(self.kwargs["pk"]))
        if ticket is None:
            raise NotFound(NO_SUCH_TICKET)
        return ticket

    def get_ticket_id(self) -> int:
        """For a change: its service reads the ticket under lock, so only the id is looked up."""
        ticket_id = selectors.ticket_id_find(str(self.kwargs["pk"]))
        if ticket_id is None:
            raise NotFound(NO_SUCH_TICKET)
        return ticket_id

    @extend_schema(
        responses=s.TicketSerializer(many=True),
        summary="List tickets",
        description="Besides the parameters below, `cf_<key>=value` keeps the tickets whose custom field "
        "`<key>` has that value (a number, a YYYY-MM-DD date, true/false, a choice or a text, as the field's "
        "type); an unknown key or a value not of the type is a 400 naming the parameter.",
    )
    def list(self, request: Request) -> Response:
        queryset = self.filter_queryset(selectors.ticket_rows(TICKET_COLUMNS))
        page = self.paginate_queryset(queryset)
        # Not `.data`: DRF's serializer and the data it returns point at each other, so the
        # page would be freed only by the cyclic collector, in pauses (see asgi_http._let_go).
        return self.get_paginated_response(self.get_serializer(many=True).to_representation(page))

    @extend_schema(
        request={"application/json": s.TicketCreateSerializer, "multipart/form-data": s.TicketCreateUploadSerializer},
        responses={201: s.TicketSerializer, 413: s.FileTooLargeSerializer},
        summary="Create a ticket (multipart with `files` to attach files to it)",
    )
    def create(self, request: Request) -> Response:
        data = valid_data(s.TicketCreateSerializer(data=request.data))
        files = uploaded_files(request)
        ticket = services.ticket_create(
            subject=data["subject"],
            description=data["description"],
            customer_email=data["customerEmail"],
            customer_name=data["customerName"],
            customer_user_id=data["customerUserId"],
            priority=data["priority"],
            category=data["category"],
            source=data["source"],
            assigned_to=data["assignedTo"] or "",
            assignee_id=data["assigneeId"],
            team_id=data["teamId"],
            tags=data["tags"],
            custom_fields=data["customFields"],
            actor=_api_actor(request),
            files=files,
        )
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[TICKET_ID, etag_header(200)],
        responses=s.TicketDetailSerializer,
        summary="A ticket with its comments",
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        ticket = self.get_ticket()
        services.ticket_register_view(ticket_id=ticket.pk)
        ticket.view_count += 1
        response = Response(s.TicketDetailSerializer(ticket, context=self.get_serializer_context()).data)
        return with_etag(response, ticket)

    @extend_schema(
        parameters=[TICKET_ID, IF_MATCH, etag_header(200, 412)],
        request=s.StatusChangeSerializer,
        responses={200: s.TicketSerializer, 412: s.StaleVersionSerializer},
        summary="Change status (resolving records the resolution; leaving resolved/closed reopens)",
    )
    @action(detail=True, methods=["put"])
    def status(self, request: Request, pk: str) -> Response:
        seen = seen_version(request)
        data = valid_data(s.StatusChangeSerializer(data=request.data))
        ticket = services.ticket_change_status(
            ticket_id=self.get_ticket_id(),
            status=data["status"],
            resolution_note=data["resolutionNote"],
            actor=_api_actor(request),
            seen_version=seen,
        )
        return with_etag(Response(self.get_serializer(ticket).data), ticket)

    @extend_schema(
        parameters=[TICKET_ID, IF_MATCH, etag_header(200, 412)],
        request=s.AssignSerializer,
        responses={200: s.TicketSerializer, 412: s.StaleVersionSerializer},
        summary="Assign to an agent, a name or a team (null or empty unassigns)",
    )
    @action(detail=True, methods=["put"])
    def assign(self, request: Request, pk: str) -> Response:
        seen = seen_version(request)
        data = valid_data(s.AssignSerializer(data=request.data))
        ticket = services.ticket_assign(
            ticket_id=self.get_ticket_id(),
            assigned_to=data.get("assignedTo", services.KEEP),
            assignee_id=data.get("assigneeId", services.KEEP),
            team_id=data.get("teamId", services.KEEP),
            actor=_api_actor(request),
            seen_version=seen,
        )
        return with_etag(Response(self.get_serializer(ticket).data), ticket)

    @extend_schema(
        parameters=[TICKET_ID, IF_MATCH, etag_header(200, 412)],
        request=s.CustomFieldValuesSerializer,
        responses={200: s.TicketSerializer, 412: s.StaleVersionSerializer},
        summary="Change custom fields' values (null clears one)",
    )
    @action(detail=True, methods=["patch"], url_path="custom-fields")
    def custom_fields(self, request: Request, pk: str) -> Response:
        seen = seen_version(request)
        data = valid_data(s.CustomFieldValuesSerializer(data=request.data))
        ticket = services.ticket_update(
            ticket_id=self.get_ticket_id(),
            custom_fields=data["customFields"],
            actor=_api_actor(request),
            seen_version=seen,
        )
        return with_etag(Response(self.get_serializer(ticket).data), ticket)

    @extend_schema(
        parameters=[TICKET_ID, IF_MATCH, etag_header(412)],
        request={
            "application/json": s.CommentCreateSerializer,
            "multipart/form-data": s.CommentCreateUploadSerializer,
        },
        responses={
            201: s.CommentSerializer,
            409: s.UnseenCommentsSerializer,
            412: s.StaleVersionSerializer,
            413: s.FileTooLargeSerializer,
        },
        summary="Add a public or internal comment (multipart with `files` to attach files)",
    )
    @action(detail=True, methods=["post"])
    def comments(self, request: Request, pk: str) -> Response:
        seen = seen_version(request)
        data = valid_data(s.CommentCreateSerializer(data=request.data))
        files = uploaded_files(request)
        actor = _api_actor(request)
        comment = services.comment_add(
            ticket_id=self.get_ticket_id(),
            body=data["comment"],
            is_internal=data["isInternal"],
            author=actor.name,
            author_type=CommentAuthorType.AGENT,  # staff, whatever the body says
            actor=actor,
            seen_version=seen,
            seen_comment_id=data["seenCommentId"],
            files=files,
        )
        return Response(s.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[TICKET_ID], responses=SlaExplanationSerializer, summary="Why the SLA stands as it does")
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def sla(self, request: Request, pk: str) -> Response:
        return Response(SlaExplanationSerializer(explain(self.get_ticket(), now=timezone.now())).data)

    @extend_schema(
        parameters=[TICKET_ID], responses=s.TicketEventSerializer(many=True), summary="Audit trail, oldest first"
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def activity(self, request: Request, pk: str) -> Response:
        events = selectors.ticket_activity(self.get_ticket_id())
        return Response(s.TicketEventSerializer(events, many=True).data)

    @extend_schema(
        request=s.BulkUpdateSerializer,
        responses=s.BulkResultSerializer,
        summary="Update many tickets at once (all or nothing on invalid input)",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = valid_data(s.BulkUpdateSerializer(data=request.data))
        updates = data["updates"]
        result = services.tickets_bulk_update(
            ids=data["ids"],
            status=updates.get("status"),
            priority=updates.get("priority"),
            category=updates.get("category"),
            assigned_to=updates.get("assignedTo", services.KEEP),
            assignee_id=updates.get("assigneeId", services.KEEP),
            team_id=updates.get("teamId", services.KEEP),
            add_tags=updates.get("addTags", ()),
            remove_tags=updates.get("removeTags", ()),
            actor=_api_actor(request),
        )
        return Response({"updated": result.updated, "notFound": result.not_found})

    @extend_schema(
        parameters=[STATISTICS_RANGE, STATISTICS_GROUP_BY], responses=s.StatisticsReportSerializer, summary="Figures"
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def statistics(self, request: Request) -> Response:
        date_range = request.query_params.get("dateRange") or None
        if date_range is not None and date_range not in DATE_RANGES:
            return Response({"dateRange": [f'"{date_range}" is not one of: {", ".join(DATE_RANGES)}.']}, status=400)
        group_by = request.query_params.get("groupBy") or None
        if group_by is not None and group_by not in GROUPINGS:
            return Response({"groupBy": [f'"{group_by}" is not one of: {", ".join(GROUPINGS)}.']}, status=400)
        now = timezone.now()
        since = None if date_range is None else now - DATE_RANGES[date_range]
        report = ticket_statistics(since=since, now=now)
        if group_by is not None:
            report |= {"groupBy": group_by, "groups": ticket_statistics_by(group_by, since=since, now=now)}
        return Response(report)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV, header row first")},
        filters=True,
        summary="Export the filtered list as CSV (streamed)",
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> StreamingHttpResponse:
        queryset = self.filter_queryset(self.get_queryset())
        chunks = csv_chunks_async(queryset) if isinstance(request._request, ASGIRequest) else csv_chunks(queryset)
        filename = f"tickets-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
